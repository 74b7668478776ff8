import type { Services } from "../kernel/services.js";
import { type DeliveryDeps, deliverWebhook } from "./deliver.js";
import { DELIVER_WEBHOOK } from "./emit.js";
import { DELIVERY_TIMEOUT_MS } from "./schedule.js";

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "webhook.deliver": { delivery_id: string };
  }
}

/** Job kinds of the events module (wired in system/modules.ts). */
export function registerEventJobs(services: Services, options: { random?: () => number } = {}): void {
  const deps: DeliveryDeps = { ...services, random: options.random };
  services.jobs.register(DELIVER_WEBHOOK, {
    handler: (job) => deliverWebhook(deps, job.payload.delivery_id),
    // One HTTP attempt (10 s at most) plus bookkeeping; a crashed worker's delivery resumes soon.
    leaseMs: DELIVERY_TIMEOUT_MS * 6,
    // Retries of the HTTP attempt are our own schedule (snoozes); these cover database errors.
    maxAttempts: 50,
    backoff: { baseMs: 1_000, capMs: 5 * 60_000 },
    // Deliveries are due at the epoch, so they would fill every slot during a backlog: four of
    // the runner's slots (default 32) stay for onboarding steps, Verify fallbacks and the rest.
    maxConcurrent: Math.max(1, services.jobs.concurrency - 4),
  });
}
