/**
 * A toll-free number's own verification. Toll-free throughput is granted per number, and each
 * number needs its own verification (https://www.twilio.com/docs/messaging/compliance/toll-free/api-onboarding):
 * a number bought after the toll-free registration is verified with that registration's data
 * (the same business, use case and opt-in), by a durable job that submits it (found again after
 * a crash by its ExternalReferenceId, the number's id) and follows it until Twilio decides.
 * Once approved, the number is a sender of the toll-free registration with a lane of its own.
 */
import type { JobRow } from "../../jobs/queue.js";
import type { Snooze } from "../../jobs/runner.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { findTenant } from "../../tenancy/tenants.js";
import { twilioCall } from "../../twilio/errors.js";
import { tollFreeParams } from "../flows/payloads.js";
import type { FlowDeps } from "../flows/step.js";
import { findRegistration } from "../store.js";
import { findNumber, updateNumber } from "./store.js";

export const NUMBER_VERIFICATION_JOB = "onboarding.number_verification";

export interface NumberVerificationPayload {
  number_id: string;
}

const MAX_POLL_MS = 3_600_000;

interface Verification {
  sid: string;
  status: string;
  rejectionReason: string | null;
  errorCode: number | null;
}

export async function runNumberVerification(
  deps: FlowDeps,
  job: JobRow<NumberVerificationPayload>,
): Promise<Snooze | undefined> {
  const row = await findNumber(deps.db, job.payload.number_id);
  if (row?.state !== "active" || row.type !== "toll_free" || !row.registration_id) return;
  if (row.tollfree_status === "TWILIO_APPROVED" || row.tollfree_status === "TWILIO_REJECTED") return;
  const reg = await findRegistration(deps.db, row.registration_id);
  const tenant = reg && (await findTenant(deps.db, reg.tenant_id));
  if (!reg || !tenant) return;
  const api = (await tenantTwilio(deps, tenant)).messaging.v1.tollfreeVerifications;
  let v: Verification | undefined;
  if (row.tollfree_verification_sid) {
    v = await twilioCall("read the verification", () => api(row.tollfree_verification_sid!).fetch());
  } else {
    [v] = await twilioCall("find the verification", () =>
      api.list({ externalReferenceId: row.id, limit: 20 }),
    );
    v ??= await twilioCall("submit the toll-free verification", () =>
      api.create({
        ...tollFreeParams(reg.document),
        tollfreePhoneNumberSid: row.phone_number_sid!,
        externalReferenceId: row.id,
      }),
    );
  }
  const now = deps.clock.now();
  const rejected = v.status === "TWILIO_REJECTED";
  await updateNumber(
    deps.db,
    row.id,
    {
      tollfree_verification_sid: v.sid,
      tollfree_status: v.status,
      ...(rejected
        ? {
            failure: {
              code: "toll_free_verification_rejected",
              message: v.rejectionReason ?? "Twilio rejected the toll-free verification.",
              twilio_code: v.errorCode,
            },
          }
        : {}),
    },
    now,
  );
  if (v.status === "TWILIO_APPROVED" || rejected) {
    deps.caches.changed("sending-profile", tenant.id);
    return;
  }
  // 30 s, then half the time waited so far, at most an hour (Twilio takes days).
  const waited = now.getTime() - row.created_at.getTime();
  return { retryAt: new Date(now.getTime() + Math.min(MAX_POLL_MS, Math.max(30_000, waited / 2))) };
}
