import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../system/services.js";
import { authRoutes } from "./auth-routes.js";
import { staffUserRoutes } from "./user-routes.js";

export { STAFF_SCHEMAS } from "./user-routes.js";

/** The staff module's HTTP routes: sign-in (/v1/auth) and staff accounts (/v1/staff). */
export function staffRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await app.register(authRoutes(services));
    await app.register(staffUserRoutes(services));
  };
}
