/**
 * The public view of a registration (GET/POST responses, the dashboard): its state, each step
 * with timestamps, Twilio SIDs and statuses, the failure with our hints, the ETA in business
 * days, and the OTP's status for sole proprietors.
 */
import type { Queryable } from "../db/db.js";
import { otpView } from "./otp.js";
import { type RegistrationRow, type StepRow, findRegistration, listSteps } from "./store.js";
import { registrationEta } from "./timeline.js";

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function stepView(s: StepRow) {
  return {
    name: s.name,
    stage: s.stage,
    status: s.status,
    sid: s.sid,
    twilio_status: s.twilio_status,
    attempts: s.attempts,
    started_at: iso(s.started_at),
    completed_at: iso(s.completed_at),
    wait_until: iso(s.wait_until),
    error: s.last_error,
  };
}

export function registrationView(reg: RegistrationRow, steps: StepRow[], now: Date) {
  const current = steps.find((s) => s.status !== "done");
  return {
    id: reg.id,
    tenant_id: reg.tenant_id,
    kind: reg.kind,
    state: reg.state,
    stage: reg.failure?.stage ?? current?.stage ?? null,
    current_step: reg.state === "approved" ? null : (current?.name ?? null),
    document: reg.document,
    steps: steps.map(stepView),
    resources: {
      customer_profile_sid: reg.customer_profile_sid,
      trust_product_sid: reg.trust_product_sid,
      brand_sid: reg.brand_sid,
      brand_status: reg.brand_status,
      brand_identity_status: reg.brand_identity_status,
      trust_score: reg.trust_score,
      messaging_service_sid: reg.messaging_service_sid,
      campaign_id: reg.campaign_id,
      campaign_status: reg.campaign_status,
      phone_number_sid: reg.phone_number_sid,
      phone_number: reg.phone_number,
      sender_attached: reg.sender_attached,
      tollfree_verification_sid: reg.tollfree_verification_sid,
      tollfree_status: reg.tollfree_status,
    },
    failure: reg.failure,
    eta: registrationEta(reg),
    otp: otpView(reg, now),
    created_at: reg.created_at.toISOString(),
    updated_at: reg.updated_at.toISOString(),
    approved_at: iso(reg.approved_at),
  };
}

export async function loadRegistrationView(q: Queryable, id: string, now: Date) {
  const reg = await findRegistration(q, id);
  if (!reg) throw new Error(`registration ${id} vanished`);
  return registrationView(reg, await listSteps(q, id), now);
}
