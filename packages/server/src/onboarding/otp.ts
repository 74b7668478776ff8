/**
 * A sole proprietor's OTP (sole proprietor walkthrough, steps 3.1–3.2, in docs/twilio-facts.md):
 * TCR texts the customer's mobile when the brand is APPROVED; the text is valid for 24 hours, after
 * which a fresh one may be requested (POST BrandRegistrations/{BN}/SmsOtp); the customer should
 * answer within 30 days of the brand registration, or the brand expires. We remind as that deadline
 * nears.
 */
import type { Queryable } from "../db/db.js";
import type { JobRow } from "../jobs/queue.js";
import { SubtextError } from "../kernel/errors.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { findTenant } from "../tenancy/tenants.js";
import { twilioCall } from "../twilio/errors.js";
import { emitRegistrationUpdated } from "./events.js";
import type { FlowDeps } from "./flows/step.js";
import { type RegistrationRow, findRegistration, updateRegistration } from "./store.js";

export const OTP_REMINDER_JOB = "onboarding.otp_reminder";
export const OTP_VALIDITY_MS = 24 * 3_600_000;
/** Days before the 30-day deadline on which the user is reminded. */
export const REMINDER_DAYS = [7, 3, 1] as const;
const DAY = 86_400_000;

export interface OtpReminderPayload {
  registration_id: string;
  /** Days left before the deadline when the reminder is due. */
  days: number;
  /** The deadline it reminds of (ISO): a newer deadline makes the reminder moot. */
  deadline: string;
}

export async function scheduleOtpReminders(
  q: Queryable,
  deps: Pick<FlowDeps, "jobs">,
  reg: Pick<RegistrationRow, "id">,
  deadline: Date,
): Promise<void> {
  for (const days of REMINDER_DAYS) {
    await deps.jobs.enqueue(
      q,
      OTP_REMINDER_JOB,
      { registration_id: reg.id, days, deadline: deadline.toISOString() },
      {
        key: `${OTP_REMINDER_JOB}:${reg.id}:${deadline.getTime()}:${days}`,
        runAt: new Date(deadline.getTime() - days * DAY),
      },
    );
  }
}

export async function runOtpReminder(deps: FlowDeps, job: JobRow<OtpReminderPayload>): Promise<void> {
  await deps.db.tx(async (tx) => {
    const reg = await findRegistration(tx, job.payload.registration_id);
    if (reg?.state !== "awaiting_otp" || reg.otp_deadline?.toISOString() !== job.payload.deadline) return;
    await emitRegistrationUpdated(tx, reg, { otp_warning: otpWarning(job.payload.days) });
  });
}

function otpWarning(days: number): string {
  return `The customer has ${days} day${days === 1 ? "" : "s"} left to reply YES to the verification text; after that the brand expires and must be registered again.`;
}

export type OtpStatus = "not_sent" | "sent" | "expired" | "verified";

export interface OtpView {
  status: OtpStatus;
  sent_at: string | null;
  expires_at: string | null;
  verified_at: string | null;
  deadline: string | null;
  retrigger_available_at: string | null;
  retriggers: number;
  warnings: string[];
}

export function otpView(reg: RegistrationRow, now: Date): OtpView | null {
  if (reg.kind !== "sole_proprietor") return null;
  const sent = reg.otp_sent_at;
  const expires = sent ? new Date(sent.getTime() + OTP_VALIDITY_MS) : null;
  const status: OtpStatus = reg.otp_verified_at
    ? "verified"
    : !sent
      ? "not_sent"
      : now >= expires!
        ? "expired"
        : "sent";
  const warnings: string[] = [];
  if (status === "expired")
    warnings.push("The last verification text expired unanswered: request a new one (POST …/otp).");
  if (reg.otp_deadline && !reg.otp_verified_at) {
    const left = Math.ceil((reg.otp_deadline.getTime() - now.getTime()) / DAY);
    if (left <= REMINDER_DAYS[0]) warnings.push(otpWarning(Math.max(left, 0)));
  }
  return {
    status,
    sent_at: sent?.toISOString() ?? null,
    expires_at: expires?.toISOString() ?? null,
    verified_at: reg.otp_verified_at?.toISOString() ?? null,
    deadline: reg.otp_deadline?.toISOString() ?? null,
    retrigger_available_at: sent && !reg.otp_verified_at ? expires!.toISOString() : null,
    retriggers: reg.otp_retriggers,
    warnings,
  };
}

/**
 * Asks Twilio for a fresh OTP text. Allowed once the last one is 24 hours old (Twilio sends
 * the first automatically, and only an expired one can be replaced); sooner is a 429 with
 * Retry-After. The slot is claimed atomically before the call, so two requests cannot both pass.
 */
export async function retriggerOtp(deps: FlowDeps, registrationId: string): Promise<RegistrationRow> {
  const reg = await findRegistration(deps.db, registrationId);
  if (!reg) throw new SubtextError("not_found", 404, `No registration with id ${registrationId}.`);
  if (reg.kind !== "sole_proprietor" || reg.state !== "awaiting_otp" || !reg.otp_sent_at || !reg.brand_sid) {
    throw new SubtextError("otp_not_pending", 409, "This registration is not waiting for an OTP answer.", {
      hint: "Only a sole proprietor registration whose brand is approved and unverified (state awaiting_otp) has an OTP.",
    });
  }
  const now = deps.clock.now();
  const claimed = await deps.db.maybeOne<RegistrationRow>(
    `UPDATE registrations SET otp_sent_at = $2, otp_retriggers = otp_retriggers + 1, updated_at = now()
     WHERE id = $1 AND state = 'awaiting_otp' AND otp_sent_at <= $3 RETURNING *`,
    [reg.id, now, new Date(now.getTime() - OTP_VALIDITY_MS)],
  );
  if (!claimed) {
    const retryAt = reg.otp_sent_at.getTime() + OTP_VALIDITY_MS;
    const seconds = Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000));
    throw new SubtextError(
      "otp_retrigger_too_soon",
      429,
      "The last verification text is less than 24 hours old.",
      {
        hint: `Twilio's text is valid for 24 hours; a new one can be requested at ${new Date(retryAt).toISOString()}.`,
        headers: { "retry-after": String(seconds) },
      },
    );
  }
  try {
    const tenant = (await findTenant(deps.db, reg.tenant_id))!;
    const client = await tenantTwilio(deps, tenant);
    await twilioCall("resend the OTP", () =>
      client.messaging.v1.brandRegistrations(reg.brand_sid!).brandRegistrationOtps.create(),
    );
  } catch (err) {
    await updateRegistration(deps.db, reg.id, {
      otp_sent_at: reg.otp_sent_at,
      otp_retriggers: reg.otp_retriggers,
    });
    throw err;
  }
  return deps.db.tx(async (tx) => {
    const updated = (await findRegistration(tx, reg.id))!;
    await emitRegistrationUpdated(tx, updated, { event: "otp_resent" });
    return updated;
  });
}
