import type { Module } from "../kernel/module.js";
import { registerEventJobs } from "./jobs.js";
import { endpointRoutes } from "./routes/endpoints.js";
import { eventRoutes } from "./routes/events.js";
import { EVENT_SCHEMAS } from "./routes/schemas.js";

/** Events and their signed delivery to the ISV's endpoints. */
export const eventsModule: Module = {
  name: "events",
  routes: (services) => [endpointRoutes(services), eventRoutes(services)],
  schemas: EVENT_SCHEMAS,
  jobs: (services) => registerEventJobs(services),
};
