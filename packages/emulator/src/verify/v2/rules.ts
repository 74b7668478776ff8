import { randomInt } from "node:crypto";
import { TwilioError } from "../../core/errors.js";
import { POLICY, type Verification } from "./model.js";

/** What starting a verification does: a new lifecycle, a resend within the pending one, or a refusal. */
export type SendDecision =
  | { kind: "new" }
  | { kind: "resend"; verification: Verification }
  | { kind: "refuse"; error: TwilioError };

/**
 * Verify's send rules:
 * - while a verification for (service, To) is pending, starting again resends within the same
 *   lifecycle (same sid, same code, one more send_code_attempts entry), up to 5 sends → 60203;
 * - a new lifecycle counts against the per-To limit: more than 5 verifications for one To in
 *   10 minutes across the account's services → 20429 with Retry-After.
 */
export function decideSend(
  pending: Verification | undefined,
  recentForTo: Verification[],
  now: number,
): SendDecision {
  if (pending) {
    if (pending.send_code_attempts.length >= POLICY.maxSends)
      return {
        kind: "refuse",
        error: new TwilioError(60203, 429, "Max send attempts reached"),
      };
    return { kind: "resend", verification: pending };
  }
  const inWindow = recentForTo.filter((v) => now - v.date_created < POLICY.perToWindowMs);
  if (inWindow.length >= POLICY.perToLimit) {
    const oldest = Math.min(...inWindow.map((v) => v.date_created));
    const retryAfter = Math.max(1, Math.ceil((oldest + POLICY.perToWindowMs - now) / 1000));
    return {
      kind: "refuse",
      error: new TwilioError(20429, 429, "Too many requests", {
        "retry-after": String(retryAfter),
        "twilio-reached-rate-limit": "verify-to-10m",
      }),
    };
  }
  return { kind: "new" };
}

export type CheckOutcome = "approved" | "wrong" | "locked";

/** Five wrong checks are allowed; the check after them is refused with 60202, even with the right code. */
export function decideCheck(v: Pick<Verification, "status" | "check_attempts" | "code">, code: string) {
  if (v.status === "max_attempts_reached" || v.check_attempts >= POLICY.maxChecks) return "locked";
  return code === v.code ? "approved" : "wrong";
}

/** A numeric code of `length` digits (leading zeros kept). */
export function generateCode(length: number): string {
  let code = "";
  for (let i = 0; i < length; i++) code += String(randomInt(0, 10));
  return code;
}
