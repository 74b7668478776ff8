/**
 * Runs a registration's flow from the durable jobs: one job per step (`onboarding.step`,
 * keyed by registration, generation and step). A job runs its step outside any transaction,
 * then applies the outcome in one transaction — step status and SID, registration columns,
 * state transition, `registration.updated`, and the next step's job — so a crash at any point
 * leaves either the old state (the job runs again; the step converges) or the new one.
 */
import { recordRegistrationNumber } from "./numbers/store.js";
import type { Queryable, Tx } from "../db/db.js";
import type { JobContext, Snooze } from "../jobs/runner.js";
import { type JobRow, cancelJobsByPrefix } from "../jobs/queue.js";
import { SubtextError } from "../kernel/errors.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { findTenant } from "../tenancy/tenants.js";
import { emitRegistrationUpdated } from "./events.js";
import { flowOf } from "./flows/index.js";
import type { FlowDeps, StepContext, StepDef, StepOutcome } from "./flows/step.js";
import { explain } from "./hints.js";
import { type RegistrationEvent, type RegistrationState, TRANSITIONS, isOpen, transition } from "./states.js";
import {
  type Failure,
  type RegistrationRow,
  type StepRow,
  listSteps,
  lockRegistration,
  updateRegistration,
  updateStep,
} from "./store.js";
import { scheduleWatch } from "./watch.js";

export const STEP_JOB = "onboarding.step";

export interface StepPayload {
  registration_id: string;
  generation: number;
  step: string;
}

export function stepJobKey(registrationId: string, generation: number, step: string): string {
  return `${STEP_JOB}:${registrationId}:g${generation}:${step}`;
}

/** Schedules a step of the registration's current generation (moves it earlier if pending). */
export async function enqueueStep(
  q: Queryable,
  deps: Pick<FlowDeps, "jobs">,
  reg: Pick<RegistrationRow, "id" | "generation">,
  step: string,
  runAt?: Date,
): Promise<void> {
  await deps.jobs.enqueue(
    q,
    STEP_JOB,
    { registration_id: reg.id, generation: reg.generation, step },
    { key: stepJobKey(reg.id, reg.generation, step), runAt, onConflict: "replace" },
  );
}

/** Drops the registration's pending step jobs (a failure or a resubmission restarts the chain). */
export async function cancelStepJobs(q: Queryable, registrationId: string): Promise<void> {
  await cancelJobsByPrefix(q, STEP_JOB, `${STEP_JOB}:${registrationId}:`);
}

/** The first step, in flow order after `after`, that is not done yet. */
export function nextPending(
  flow: StepDef[],
  steps: Map<string, StepRow>,
  after?: string,
): StepDef | undefined {
  const start = after === undefined ? 0 : flow.findIndex((s) => s.name === after) + 1;
  return flow.slice(start).find((s) => steps.get(s.name)?.status !== "done");
}

/** Runs the current step now (a status callback arrived, or an OTP was answered). */
export async function wakeRegistration(q: Queryable, deps: FlowDeps, reg: RegistrationRow): Promise<void> {
  if (!isOpen(reg.state) || reg.deleted_at) return;
  const steps = new Map((await listSteps(q, reg.id)).map((s) => [s.name, s]));
  const current = nextPending(flowOf(reg), steps);
  if (current) await enqueueStep(q, deps, reg, current.name, deps.clock.now());
}

export async function runStepJob(
  deps: FlowDeps,
  job: JobRow<StepPayload>,
  _ctx?: JobContext,
): Promise<Snooze | undefined> {
  const { registration_id: id, generation, step: name } = job.payload;
  const reg = await deps.db.maybeOne<RegistrationRow>("SELECT * FROM registrations WHERE id = $1", [id]);
  // A deleted campaign's flow stops (its deletion bumped the generation too).
  if (!reg || reg.generation !== generation || !isOpen(reg.state) || reg.deleted_at) return;
  const flow = flowOf(reg);
  const def = flow.find((s) => s.name === name);
  if (!def) throw new Error(`registration ${id}: no step ${name} in the ${reg.kind} flow`);
  const rows = await listSteps(deps.db, id);
  const steps = new Map(rows.map((s) => [s.name, s]));
  if (steps.get(name)?.status === "done") {
    await deps.db.tx(async (tx) => advance(tx, deps, reg, flow, steps, name));
    return;
  }
  const tenant = await findTenant(deps.db, reg.tenant_id);
  if (!tenant) return;
  const step = await updateStep(deps.db, id, name, {
    status: "running",
    started: deps.clock.now(),
    attempt: true,
  });
  steps.set(name, step);
  const ctx: StepContext = {
    deps,
    reg,
    tenant,
    step,
    steps,
    now: deps.clock.now(),
    client: () => tenantTwilio(deps, tenant),
    callbackUrl: (kind) =>
      deps.urls.public ? `${deps.urls.public}/twilio/onboarding/${tenant.id}/${kind}` : undefined,
  };
  let outcome: StepOutcome;
  try {
    outcome = await def.run(ctx);
  } catch (err) {
    const failure = failureFromError(reg, def, err);
    if (!failure) {
      await recordStepError(deps, reg, name, err);
      throw err;
    }
    outcome = { type: "fail", failure };
  }
  return deps.db.tx((tx) => apply(tx, deps, reg.id, generation, flow, def, outcome));
}

/**
 * A Twilio refusal that retrying cannot fix (4xx) fails the stage, with Twilio's words and our
 * hint; anything else (429, 5xx, network) is retried by the job runner with backoff.
 */
function failureFromError(reg: RegistrationRow, def: StepDef, err: unknown): Omit<Failure, "at"> | null {
  if (!(err instanceof SubtextError) || err.retryable || err.code !== "twilio_error") return null;
  return {
    stage: def.stage,
    twilio_status: null,
    remediable: true,
    reasons: [explain(reg.kind, { twilio_code: err.twilio_code ?? null, reason: err.message })],
  };
}

async function recordStepError(deps: FlowDeps, reg: RegistrationRow, name: string, err: unknown) {
  const e = err as SubtextError;
  await updateStep(deps.db, reg.id, name, {
    status: "pending",
    last_error: {
      code: e?.code ?? "error",
      message: String(e?.message ?? err).slice(0, 500),
      ...(e?.twilio_code ? { twilio_code: e.twilio_code } : {}),
    },
  }).catch(() => undefined);
}

async function apply(
  tx: Tx,
  deps: FlowDeps,
  id: string,
  generation: number,
  flow: StepDef[],
  def: StepDef,
  outcome: StepOutcome,
): Promise<Snooze | undefined> {
  const reg = (await lockRegistration(tx, id))!;
  const now = deps.clock.now();
  if (reg.generation !== generation) {
    // A resubmission restarted the flow while this step ran: keep only a SID Twilio gave us.
    if (outcome.sid) {
      await updateStep(tx, id, def.name, {
        sid: outcome.sid,
        ...(outcome.data ? { data: outcome.data } : {}),
      });
      if (outcome.set) {
        const updated = await updateRegistration(tx, id, outcome.set);
        await recordRegistrationNumber(tx, updated, outcome.set, now, outcome.capabilities);
      }
    }
    return;
  }
  // The step's own result is kept even when a callback failed the registration meanwhile.
  const status = outcome.type === "done" ? "done" : outcome.type === "wait" ? "waiting" : "failed";
  const step = await updateStep(tx, id, def.name, {
    status,
    ...(outcome.sid !== undefined ? { sid: outcome.sid } : {}),
    ...(outcome.twilioStatus !== undefined ? { twilio_status: outcome.twilioStatus } : {}),
    ...(outcome.data ? { data: outcome.data } : {}),
    wait_until: outcome.type === "wait" ? outcome.until : null,
    completed: outcome.type === "done" ? now : null,
    last_error: null,
  });
  let current = outcome.set ? await updateRegistration(tx, id, outcome.set) : reg;
  if (outcome.set) await recordRegistrationNumber(tx, current, outcome.set, now, outcome.capabilities);
  if (!isOpen(reg.state)) return;

  if (outcome.type === "fail" || outcome.type === "suspend") {
    await failRegistration(
      tx,
      deps,
      current,
      outcome.failure,
      outcome.type === "suspend" ? "suspended" : "stage_failed",
    );
    return;
  }
  const events: RegistrationEvent[] = [];
  if (outcome.event) events.push(outcome.event);
  if (outcome.type === "wait") {
    if (def.awaitsReview && !outcome.event && current.state === "in_progress") events.push("review_started");
  } else {
    if (def.awaitsReview && !outcome.event && current.state === "in_review") events.push("review_passed");
  }
  const before = current.state;
  let state: RegistrationState = before === "submitted" ? transition(before, "start") : before;
  for (const event of events) state = applyEvent(state, event);

  let next: StepDef | undefined;
  if (outcome.type === "done") {
    const steps = new Map((await listSteps(tx, id)).map((s) => [s.name, s]));
    steps.set(def.name, step);
    next = nextPending(flow, steps, def.name) ?? nextPending(flow, steps);
    if (!next) {
      events.push("all_approved");
      state = transition(state, "all_approved");
    }
  }
  if (state !== before) {
    current = await updateRegistration(tx, id, {
      state,
      ...(state === "approved" ? { approved_at: now } : {}),
    });
    await emitRegistrationUpdated(tx, current, { previous_state: before, event: events.at(-1) ?? "start" });
    if (state === "approved") await scheduleWatch(tx, deps, id, now);
  }
  if (outcome.type === "wait") return { retryAt: outcome.until };
  if (next) await enqueueStep(tx, deps, current, next.name, now);
}

/** Applies an event; re-applying one whose target state holds already is a no-op. */
function applyEvent(state: RegistrationState, event: RegistrationEvent): RegistrationState {
  if (TRANSITIONS.some(([from, e]) => from === state && e === event)) return transition(state, event);
  if (TRANSITIONS.some(([, e, to]) => e === event && to === state)) return state;
  return transition(state, event);
}

/** Skips over steps that are done already (e.g. after a resubmission) to the next one. */
async function advance(
  tx: Tx,
  deps: FlowDeps,
  reg: RegistrationRow,
  flow: StepDef[],
  steps: Map<string, StepRow>,
  after: string,
): Promise<void> {
  const next = nextPending(flow, steps, after) ?? nextPending(flow, steps);
  if (next) await enqueueStep(tx, deps, reg, next.name, deps.clock.now());
}

/**
 * The registration fails (or is suspended) at a stage: Twilio's reasons with our hints are
 * stored, pending jobs are dropped, and the user is told. Used by steps and by callbacks.
 */
export async function failRegistration(
  tx: Tx,
  deps: Pick<FlowDeps, "clock">,
  reg: RegistrationRow,
  failure: Omit<Failure, "at">,
  event: "stage_failed" | "suspended" = "stage_failed",
): Promise<RegistrationRow> {
  const state = transition(reg.state, event);
  const stored: Failure = {
    ...failure,
    remediable: event === "suspended" ? false : failure.remediable,
    at: deps.clock.now().toISOString(),
  };
  const updated = await updateRegistration(tx, reg.id, { state, failure: stored });
  await cancelStepJobs(tx, reg.id);
  await emitRegistrationUpdated(tx, updated, { previous_state: reg.state, event });
  return updated;
}
