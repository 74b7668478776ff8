import type { Module } from "../kernel/module.js";
import { ensureDriftJob } from "./drift.js";
import { UsageDriftSchema } from "./drift-view.js";
import { registerUsageJobs } from "./jobs.js";
import { AlertRuleSchema, AlertSchema, alertRoutes } from "./routes/alerts.js";
import { billingRoutes } from "./routes/billing.js";
import { BudgetSchema, budgetRoutes } from "./routes/budget.js";
import { driftRoutes } from "./routes/drift.js";
import { UsageRowSchema, usageRoutes } from "./routes/usage.js";

/** Usage metering, prices, billing statements, budgets, alerts and the drift report. */
export const usageModule: Module = {
  name: "usage",
  routes: (services) => [
    usageRoutes(services),
    billingRoutes(services),
    budgetRoutes(services),
    alertRoutes(services),
    driftRoutes(services),
  ],
  schemas: [UsageRowSchema, AlertRuleSchema, AlertSchema, BudgetSchema, UsageDriftSchema],
  jobs: registerUsageJobs,
  // Worker processes make sure the daily drift check exists.
  loops: (services) => [{ start: () => ensureDriftJob(services), stop: async () => {}, wake: () => {} }],
};
