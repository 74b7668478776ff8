import type { Module } from "../kernel/module.js";
import { registerInsightsJobs } from "./rollup.js";
import { insightsRoutes } from "./routes.js";

/** Delivery insights: rolled-up counts, latencies and error rates. */
export const insightsModule: Module = {
  name: "insights",
  routes: (services) => [insightsRoutes(services)],
  jobs: registerInsightsJobs,
};
