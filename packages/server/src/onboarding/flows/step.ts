/**
 * What a flow step is. A step runs OUTSIDE any transaction (it may call Twilio), and returns
 * an outcome that the runner applies in ONE transaction: the step's status and SID, the
 * registration's columns, the state transition, the event and the next job. A step must be
 * idempotent and convergent: run again (after a crash, or for a resubmission) it finds what
 * exists — by the SID it stored, or by a deterministic FriendlyName — and changes only what the
 * document says differently.
 */
import type { Capabilities } from "../numbers/store.js";
import type { Services } from "../../kernel/services.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import type { TwilioClient } from "../../twilio/gateway.js";
import type { RegistrationEvent } from "../states.js";
import type { Failure, RegistrationColumns, RegistrationRow, StepRow } from "../store.js";

export type Stage = "customer_profile" | "trust_product" | "brand" | "sender" | "campaign" | "toll_free";

export type FlowDeps = Pick<
  Services,
  "db" | "caches" | "clock" | "config" | "twilio" | "vault" | "urls" | "log" | "jobs"
>;

export interface StepContext {
  deps: FlowDeps;
  reg: RegistrationRow;
  tenant: TenantRow;
  step: StepRow;
  /** Every step of the registration by name (SIDs of earlier steps). */
  steps: Map<string, StepRow>;
  now: Date;
  /** The tenant's client: its own API key in its own subaccount. */
  client(): Promise<TwilioClient>;
  /** Where Twilio should POST status callbacks for this kind of resource (undefined if unknown). */
  callbackUrl(kind: "bundle" | "brand" | "campaign" | "tollfree"): string | undefined;
}

interface Effects {
  sid?: string | null;
  twilioStatus?: string | null;
  data?: Record<string, unknown>;
  set?: RegistrationColumns;
  event?: RegistrationEvent;
  /** The number the step bought can do this (kept on the tenant's numbers). */
  capabilities?: Capabilities;
}

export type StepOutcome =
  | ({ type: "done" } & Effects)
  /** Run this step again at `until` (a durable timer or the next poll). */
  | ({ type: "wait"; until: Date } & Effects)
  | ({ type: "fail"; failure: Omit<Failure, "at"> } & Effects)
  | ({ type: "suspend"; failure: Omit<Failure, "at"> } & Effects);

export interface StepDef {
  name: string;
  stage: Stage;
  /** Waits for a Twilio review (the registration is `in_review` while it waits). */
  awaitsReview?: boolean;
  run(ctx: StepContext): Promise<StepOutcome>;
}

export const done = (effects: Effects = {}): StepOutcome => ({ type: "done", ...effects });
export const waitUntil = (until: Date, effects: Effects = {}): StepOutcome => ({
  type: "wait",
  until,
  ...effects,
});

/** `reg_…:starter-profile`: lets a retried step find what a crashed attempt created. */
export function friendlyName(reg: Pick<RegistrationRow, "id">, suffix: string): string {
  return `${reg.id}:${suffix}`;
}

export function sidOf(ctx: StepContext, stepName: string): string {
  const sid = ctx.steps.get(stepName)?.sid;
  if (!sid) throw new Error(`step ${ctx.step.name} needs the SID of ${stepName}, which has none`);
  return sid;
}

/**
 * Whether an earlier attempt of this step may have created its resource before a crash.
 * Always yes: the kill -9 proof showed a first attempt whose create reached Twilio while the
 * attempt counter did not survive, so steps look up by their deterministic name every time
 * (one extra read per step; onboarding is not a hot path).
 */
export function mayHaveRun(_ctx: StepContext): boolean {
  return true;
}

export const SETTLE_MS = 30_000;

/** Poll delays for reviews: 30 s, doubling, at most an hour (callbacks wake steps sooner). */
export function pollDelay(polls: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.min(polls, 10));
}
