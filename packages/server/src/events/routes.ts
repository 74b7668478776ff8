import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../system/services.js";
import { endpointRoutes } from "./http/endpoint-routes.js";
import { eventRoutes } from "./http/event-routes.js";

export { EVENT_SCHEMAS } from "./http/schemas.js";

/** The events module's HTTP routes (wired in system/modules.ts). */
export function eventsRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await app.register(endpointRoutes(services));
    await app.register(eventRoutes(services));
  };
}
