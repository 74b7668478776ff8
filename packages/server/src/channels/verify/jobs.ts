import { findTenant } from "../../tenancy/tenants.js";
import type { Services } from "../../kernel/services.js";
import { JobFailure, type Snooze } from "../../jobs/runner.js";
import { pruneCounters } from "./counters.js";
import { twilioCodeOf, verifyError } from "./errors.js";
import { PRUNE_EVERY_MS, VERIFY_EXPIRE, VERIFY_FALLBACK, VERIFY_PRUNE } from "./kinds.js";
import { endVerification, sendCode } from "./start.js";
import { type VerificationRow, appendSend } from "./store.js";

type Payload = { verification_id: string };

declare module "../../jobs/kinds.js" {
  interface JobPayloads {
    "verify.fallback": Payload;
    "verify.expire": Payload;
    "verify.prune_counters": Record<string, never>;
  }
}

async function pendingRow(services: Services, id: string): Promise<VerificationRow | null> {
  return services.db.maybeOne<VerificationRow>(
    "SELECT * FROM verifications WHERE id = $1 AND status = 'pending'",
    [id],
  );
}

/**
 * The fallback policy's timer: the code sent by SMS was not checked in time, so Verify calls
 * the number and reads it out (a resend within the same lifecycle, same code). Once per
 * verification; nothing happens if it was approved, ended, or already moved to voice.
 */
async function fallbackToVoice(services: Services, id: string): Promise<void> {
  const row = await pendingRow(services, id);
  if (!row || row.fallback_at || row.channel !== "sms") return;
  if (row.expires_at <= services.clock.now()) return;
  const tenant = await findTenant(services.db, row.tenant_id);
  if (tenant?.status !== "active") return;
  try {
    await sendCode(services, tenant, row.to_address, "call", row.locale ?? undefined);
  } catch (err) {
    const mapped = verifyError(err, "fall back to a call");
    services.log.warn({
      event: "verify.fallback_failed",
      verification_id: id,
      twilio_code: twilioCodeOf(err),
      code: mapped.code,
    });
    if (mapped.retryable) throw mapped;
    // 60203 (sends used up), 60223 (voice switched off)…: the SMS code stays valid; nothing to retry.
    throw new JobFailure(mapped.message, { permanent: true, cause: err });
  }
  const now = services.clock.now();
  await appendSend(services.db, id, { channel: "call", at: now.toISOString(), reason: "fallback" }, now);
  services.log.info({ event: "verify.fallback_sent", verification_id: id, tenant_id: row.tenant_id });
}

/** Verify forgets a verification after ten minutes; we close ours then, with its event. */
async function expire(services: Services, id: string): Promise<Snooze | undefined> {
  const row = await pendingRow(services, id);
  if (!row) return;
  const now = services.clock.now();
  if (row.expires_at > now) return { retryAt: row.expires_at };
  await services.db.tx((tx) => endVerification(tx, row, "expired", now, "expired"));
}

export function registerVerifyJobs(services: Services): void {
  services.jobs.register(VERIFY_FALLBACK, {
    handler: (job) => fallbackToVoice(services, job.payload.verification_id),
    maxAttempts: 5,
    backoff: { baseMs: 5_000, capMs: 60_000 },
  });
  services.jobs.register(VERIFY_EXPIRE, {
    handler: (job) => expire(services, job.payload.verification_id),
  });
  services.jobs.register(VERIFY_PRUNE, {
    // Runs forever: each run snoozes itself to the next hour.
    handler: async () => {
      const now = services.clock.now();
      await pruneCounters(services.db, now);
      return { retryAt: new Date(now.getTime() + PRUNE_EVERY_MS) };
    },
  });
}
