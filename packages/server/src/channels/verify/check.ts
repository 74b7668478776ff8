import { emitEvent } from "../../events/emit.js";
import { cancelJob } from "../../jobs/queue.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { SubtextError } from "../../kernel/errors.js";
import { recordUsage } from "../../usage/record.js";
import { normalizeDestination } from "./destination.js";
import { twilioCodeOf, verifyError } from "./errors.js";
import { verifyServiceSid } from "./service.js";
import { VERIFY_FALLBACK } from "./kinds.js";
import { type VerifyDeps, endVerification } from "./start.js";
import { type VerificationRow, countWrongCheck, findPending, finishVerification } from "./store.js";

export interface CheckResult {
  verification: VerificationRow;
  valid: boolean;
}

/**
 * Checks a code against the pending verification for `to`. A wrong code is an answer, not an
 * error (200, valid=false), as in Verify. Verify's lock after five wrong codes (60202) and its
 * expiry end our lifecycle too, with `verification.failed`; approval emits
 * `verification.approved` and meters one verification (Twilio bills per successful one).
 */
export async function checkVerification(
  deps: VerifyDeps,
  tenant: TenantRow,
  input: { to: string; code: string },
): Promise<CheckResult> {
  const to = normalizeDestination("any", input.to);
  const pending = await findPending(deps.db, tenant.id, to);
  if (!pending?.twilio_sid) {
    throw new SubtextError("verification_not_found", 404, `No pending verification for ${to}.`, {
      hint: "Start one with POST /v1/verify/verifications; codes expire after ten minutes.",
    });
  }
  const serviceSid = await verifyServiceSid(deps, tenant);
  const client = await tenantTwilio(deps, tenant);
  let status: string;
  try {
    const check = await client.verify.v2
      .services(serviceSid)
      .verificationChecks.create({ verificationSid: pending.twilio_sid, code: input.code });
    status = check.status;
  } catch (err) {
    throw await checkFailed(deps, pending, err);
  }
  const now = deps.clock.now();
  if (status !== "approved") {
    return { verification: await countWrongCheck(deps.db, pending.id, now), valid: false };
  }
  const approved = await deps.db.tx(async (tx) => {
    const row = await finishVerification(tx, pending.id, "approved", now);
    if (!row) return null;
    await cancelJob(tx, `${VERIFY_FALLBACK}:${row.id}`);
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "verification.approved",
      orderingKey: row.id,
      data: {
        verification_id: row.id,
        to: row.to_address,
        channel: row.channel,
        approved_at: now.toISOString(),
      },
    });
    await recordUsage(tx, { tenantId: tenant.id, channel: "verify", direction: "outbound", at: now });
    return row;
  });
  return { verification: approved ?? pending, valid: true };
}

/** 60202 (locked) and 20404 (expired or gone in Verify) end our lifecycle before answering. */
async function checkFailed(deps: VerifyDeps, pending: VerificationRow, err: unknown): Promise<SubtextError> {
  const code = twilioCodeOf(err);
  const now = deps.clock.now();
  if (code === 60202) {
    await deps.db.tx(async (tx) => {
      await endVerification(tx, pending, "failed", now, "max_check_attempts", 60202);
      await cancelJob(tx, `${VERIFY_FALLBACK}:${pending.id}`);
    });
    const left = (pending.expires_at.getTime() - now.getTime()) / 1000;
    return verifyError(err, "check a code", left);
  }
  if (code === 20404) {
    await deps.db.tx(async (tx) => {
      await endVerification(tx, pending, "expired", now, "expired", 20404);
      await cancelJob(tx, `${VERIFY_FALLBACK}:${pending.id}`);
    });
    return new SubtextError("verification_expired", 409, "The verification is no longer pending in Verify.", {
      hint: "It expired (ten minutes) or was canceled; start a new one with POST /v1/verify/verifications.",
      twilio_code: 20404,
    });
  }
  return verifyError(err, "check a code");
}
