import type { Services } from "../kernel/services.js";
import { EVALUATE_ALERTS, evaluateAlertsJob } from "./alerts/evaluate.js";
import { RECOUNT_BUDGET, recountBudget } from "./budget/recount.js";
import { registerDriftJob } from "./drift.js";

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "alerts.evaluate": Record<string, never>;
  }
}

/** Job kinds of the usage module (wired in system/modules.ts). */
export function registerUsageJobs(services: Services): void {
  services.jobs.register(EVALUATE_ALERTS, {
    handler: () => evaluateAlertsJob(services),
    leaseMs: 5 * 60_000,
  });
  services.jobs.register(RECOUNT_BUDGET, { handler: (job) => recountBudget(services, job.payload) });
  registerDriftJob(services);
}
