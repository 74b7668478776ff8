import type { Module } from "../kernel/module.js";
import { registerUsageJobs } from "./jobs.js";
import { AlertRuleSchema, AlertSchema, alertRoutes } from "./routes/alerts.js";
import { billingRoutes } from "./routes/billing.js";
import { BudgetSchema, budgetRoutes } from "./routes/budget.js";
import { UsageRowSchema, usageRoutes } from "./routes/usage.js";

/** Usage metering, prices, billing statements, budgets and alerts. */
export const usageModule: Module = {
  name: "usage",
  routes: (services) => [
    usageRoutes(services),
    billingRoutes(services),
    budgetRoutes(services),
    alertRoutes(services),
  ],
  schemas: [UsageRowSchema, AlertRuleSchema, AlertSchema, BudgetSchema],
  jobs: registerUsageJobs,
};
