import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../system/services.js";
import { AlertRuleSchema, AlertSchema, alertRoutes } from "./alerts/routes.js";
import { billingRoutes } from "./http/billing-routes.js";
import { UsageRowSchema, usageRoutes } from "./http/usage-routes.js";

export const USAGE_SCHEMAS = [UsageRowSchema, AlertRuleSchema, AlertSchema];

/** The usage module's HTTP routes (wired in system/modules.ts). */
export function usageModuleRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await app.register(usageRoutes(services));
    await app.register(billingRoutes(services));
    await app.register(alertRoutes(services));
  };
}
