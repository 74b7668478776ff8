/**
 * A registration's state machine, as one table (from → event → to). Pure. A transition that
 * is not in the table is a bug or a stale request: `transition()` throws a SubtextError with
 * the stable code `illegal_transition` rather than silently doing nothing.
 *
 *   submitted ─start→ in_progress ─review_started→ in_review ─review_passed→ in_progress …
 *   in_review ─otp_requested→ awaiting_otp ─otp_verified→ in_progress
 *   in_progress | in_review ─all_approved→ approved
 *   (any open state) ─stage_failed→ failed ─resubmitted→ in_progress
 *   (any open state, approved) ─suspended→ suspended          (terminal: Twilio support only)
 */
import { SubtextError } from "../kernel/errors.js";

export const REGISTRATION_STATES = [
  "submitted",
  "in_progress",
  "in_review",
  "awaiting_otp",
  "approved",
  "failed",
  "suspended",
] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export type RegistrationEvent =
  | "start"
  | "review_started"
  | "review_passed"
  | "otp_requested"
  | "otp_verified"
  | "all_approved"
  | "stage_failed"
  | "resubmitted"
  | "suspended";

/** States in which the flow is still working (steps or reviews). */
export const OPEN_STATES: readonly RegistrationState[] = [
  "submitted",
  "in_progress",
  "in_review",
  "awaiting_otp",
];

export const TRANSITIONS: readonly (readonly [RegistrationState, RegistrationEvent, RegistrationState])[] = [
  ["submitted", "start", "in_progress"],
  ["in_progress", "review_started", "in_review"],
  ["in_review", "review_passed", "in_progress"],
  ["in_progress", "otp_requested", "awaiting_otp"],
  ["in_review", "otp_requested", "awaiting_otp"],
  ["awaiting_otp", "otp_verified", "in_progress"],
  ["in_progress", "all_approved", "approved"],
  ["in_review", "all_approved", "approved"],
  ["submitted", "stage_failed", "failed"],
  ["in_progress", "stage_failed", "failed"],
  ["in_review", "stage_failed", "failed"],
  ["awaiting_otp", "stage_failed", "failed"],
  // An approved registration can still lose its brand or campaign (found by the daily watch).
  ["approved", "stage_failed", "failed"],
  ["failed", "resubmitted", "in_progress"],
  ["submitted", "suspended", "suspended"],
  ["in_progress", "suspended", "suspended"],
  ["in_review", "suspended", "suspended"],
  ["awaiting_otp", "suspended", "suspended"],
  ["approved", "suspended", "suspended"],
  ["failed", "suspended", "suspended"],
];

/** The state after `event`, or undefined when the table has no such transition. */
export function nextState(from: RegistrationState, event: RegistrationEvent): RegistrationState | undefined {
  return TRANSITIONS.find(([f, e]) => f === from && e === event)?.[2];
}

export function transition(from: RegistrationState, event: RegistrationEvent): RegistrationState {
  const to = nextState(from, event);
  if (to === undefined) {
    throw new SubtextError(
      "illegal_transition",
      409,
      `A registration that is ${from} cannot take "${event}".`,
      {
        hint: "Read the registration again: its state changed since this request was prepared.",
      },
    );
  }
  return to;
}

export function isOpen(state: RegistrationState): boolean {
  return OPEN_STATES.includes(state);
}
