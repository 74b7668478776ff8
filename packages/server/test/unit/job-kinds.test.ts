import { describe, expectTypeOf, it } from "vitest";
import type { Queryable } from "../../src/db/db.js";
import { DELIVER_WEBHOOK } from "../../src/events/emit.js";
import type { JobKindName, JobPayloads } from "../../src/jobs/kinds.js";
import { type JobRow, enqueue, enqueueMany } from "../../src/jobs/queue.js";
import type { JobRunner } from "../../src/jobs/runner.js";
import type { StepPayload } from "../../src/onboarding/runner.js";

/**
 * The job registry is checked by the compiler (`npm run lint` runs tsc over the tests): each
 * `@ts-expect-error` below fails the build if its line ever compiles, i.e. if enqueue() or
 * register() stopped checking kinds and payloads against JobPayloads. Never called at run time.
 */
function compileOnly(q: Queryable, jobs: JobRunner) {
  void enqueue(q, DELIVER_WEBHOOK, { delivery_id: "whd_1" });
  void jobs.enqueue(q, "onboarding.step", { registration_id: "reg_1", generation: 1, step: "brand" });
  void enqueue(q, "messaging.sweep", {}, { key: "messaging.sweep" });

  // @ts-expect-error an unknown kind
  void enqueue(q, "webhook.delivr", { delivery_id: "whd_1" });
  // @ts-expect-error an unknown kind, through the runner
  void jobs.enqueue(q, "no.such.kind", {});
  // @ts-expect-error a known kind with another kind's payload
  void enqueue(q, DELIVER_WEBHOOK, { tenant_id: "ten_1" });
  // @ts-expect-error a field of the wrong type
  void enqueue(q, DELIVER_WEBHOOK, { delivery_id: 42 });
  // @ts-expect-error a field missing
  void jobs.enqueue(q, "onboarding.step", { registration_id: "reg_1", step: "brand" });
  // @ts-expect-error a field the payload does not have
  void enqueue(q, DELIVER_WEBHOOK, { delivery_id: "whd_1", attempt: 2 });
  // @ts-expect-error a payload for a kind that takes none
  void enqueue(q, "messaging.sweep", { at: "now" });

  jobs.register("tenant.provision", async (job) => {
    expectTypeOf(job.payload).toEqualTypeOf<{ tenant_id: string }>();
  });
  jobs.register("onboarding.step", {
    handler: async (job: JobRow<StepPayload>) => {
      void job.payload.generation;
    },
    onDead: async (job) => {
      // @ts-expect-error the handler's payload has no such field
      void job.payload.delivery_id;
    },
  });
  // @ts-expect-error a handler written for another kind's payload
  jobs.register("webhook.deliver", async (job: JobRow<StepPayload>) => void job.payload.step);
  // @ts-expect-error an unknown kind
  jobs.register("no.such.kind", async () => {});

  const keyOf = () => "k";
  // @ts-expect-error a bulk payload without one of its fields
  void enqueueMany(q, DELIVER_WEBHOOK, [{}], { keyOf });
  // @ts-expect-error a bulk payload with a field it does not have
  void enqueueMany(q, DELIVER_WEBHOOK, [{ delivery_id: "whd_1", tenant_id: "ten_1" }], { keyOf });
  // @ts-expect-error a key made from a field the payload does not have
  void enqueueMany(q, DELIVER_WEBHOOK, [{ delivery_id: "whd_1" }], { keyOf: (p) => p.tenant_id });
}

describe("job kinds", () => {
  it("are a registry of payload types that enqueue() and register() are checked against", () => {
    expectTypeOf(compileOnly).toBeFunction();
    expectTypeOf<JobPayloads[typeof DELIVER_WEBHOOK]>().toEqualTypeOf<{ delivery_id: string }>();
    expectTypeOf<JobPayloads["onboarding.step"]>().toEqualTypeOf<StepPayload>();
    expectTypeOf<JobPayloads["messaging.sweep"]>().toEqualTypeOf<Record<string, never>>();
    expectTypeOf<"webhook.deliver">().toExtend<JobKindName>();
    expectTypeOf<"webhook.delivr">().not.toExtend<JobKindName>();
  });
});
