import type { FastifyPluginAsync } from "fastify";
import { apiKeyRoutes } from "../http/routes/api-keys.js";
import { healthRoutes } from "../http/routes/health.js";
import { systemRoutes } from "../http/routes/system.js";
import { sandboxRoutes } from "../sandbox/routes.js";
import { tenantRoutes } from "../http/routes/tenants.js";
import { registerEventJobs } from "../events/jobs.js";
import { EVENT_SCHEMAS, eventsRoutes } from "../events/routes.js";
import { registerTenantJobs } from "../tenancy/provision.js";
import { registerOnboardingJobs } from "../onboarding/module.js";
import { onboardingRoutes } from "../onboarding/routes.js";
import { REGISTRATION_SCHEMAS } from "../onboarding/routes-schemas.js";
import { registerUsageJobs } from "../usage/jobs.js";
import { USAGE_SCHEMAS, usageModuleRoutes } from "../usage/routes.js";
import { STAFF_SCHEMAS, staffRoutes } from "../staff/routes.js";
import { staticRoutes } from "../http/static.js";
import { registerInsightsJobs } from "../insights/rollup.js";
import { insightsRoutes } from "../insights/routes.js";
import { messagingOf, registerMessagingJobs } from "../messaging/module.js";
import { messagingRoutes, messagingSchemas } from "../messaging/routes/index.js";
import { CHANNEL_SCHEMAS, channelRoutes, registerChannelJobs } from "../channels/module.js";
import type { Services } from "./services.js";

/**
 * The wiring of modules into the process. Each module adds one line in each list (keep edits
 * small and additive; several modules edit this file).
 */

/**
 * Job kinds: every process registers all of them; the role decides whether this process
 * runs the polling loop.
 */
export function registerJobKinds(services: Services): void {
  registerTenantJobs(services);
  registerEventJobs(services);
  registerUsageJobs(services);
  registerOnboardingJobs(services);
  registerMessagingJobs(services);
  registerChannelJobs(services);
  registerInsightsJobs(services);
}

/** HTTP route plugins, in registration order (each module's routes live in its own plugin). */
export function routePlugins(services: Services): FastifyPluginAsync[] {
  return [
    healthRoutes(services),
    systemRoutes(services),
    sandboxRoutes(services),
    tenantRoutes(services),
    apiKeyRoutes(services),
    eventsRoutes(services),
    usageModuleRoutes(services),
    staffRoutes(services),
    insightsRoutes(services),
    onboardingRoutes(services),
    ...messagingRoutes(services),
    channelRoutes(services),
    // Last: the dashboard answers GET paths no route above claimed (SPA fallback).
    staticRoutes(),
  ];
}

/** Shared JSON schemas (with $id) that routes reference and /openapi.json lists as components. */
export function sharedSchemas(): object[] {
  return [
    ...EVENT_SCHEMAS,
    ...USAGE_SCHEMAS,
    ...STAFF_SCHEMAS,
    ...messagingSchemas,
    ...CHANNEL_SCHEMAS,
    ...REGISTRATION_SCHEMAS,
  ];
}

/**
 * Loops that run beside the job runner in worker processes (roles all/worker): started after
 * it, stopped before it (each drains its work in flight), woken when the sandbox clock jumps.
 */
export function workerLoops(
  services: Services,
): { start(): Promise<void>; stop(): Promise<void>; wake(): void }[] {
  return [messagingOf(services)];
}
