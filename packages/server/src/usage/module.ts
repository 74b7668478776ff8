import type { Module } from "../kernel/module.js";
import { registerUsageJobs } from "./jobs.js";
import { AlertRuleSchema, AlertSchema, alertRoutes } from "./routes/alerts.js";
import { billingRoutes } from "./routes/billing.js";
import { UsageRowSchema, usageRoutes } from "./routes/usage.js";

/** Usage metering, prices, billing statements and alerts. */
export const usageModule: Module = {
  name: "usage",
  routes: (services) => [usageRoutes(services), billingRoutes(services), alertRoutes(services)],
  schemas: [UsageRowSchema, AlertRuleSchema, AlertSchema],
  jobs: registerUsageJobs,
};
