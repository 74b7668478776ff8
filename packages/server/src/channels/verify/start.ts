import { newId } from "../../db/ids.js";
import { type Queryable, isUniqueViolation } from "../../db/db.js";
import { emitEvent } from "../../events/emit.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import type { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { HIGH_RISK_PREFIXES, countryOf } from "@subtext/telecom/countries";
import { type LimitCheck, consumeLimits, countryCapError } from "./counters.js";
import { normalizeDestination } from "./destination.js";
import { twilioCodeOf, verifyError } from "./errors.js";
import { type VerifySettings, countryCapFor } from "./limits.js";
import { verifyServiceSid } from "./service.js";
import { PRUNE_EVERY_MS, VERIFY_EXPIRE, VERIFY_FALLBACK, VERIFY_PRUNE } from "./kinds.js";
import { verifySettings } from "./settings.js";
import {
  type SendRecord,
  type VerificationRow,
  type VerifyChannel,
  appendSend,
  findPending,
  finishVerification,
  insertVerification,
} from "./store.js";

export type VerifyDeps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "jobs" | "log">;

export interface StartInput {
  to: string;
  channel: VerifyChannel;
  locale?: string;
  /** The end user's IP as the tenant's app saw it; else the address that called our API. */
  clientIp: string | null;
  /** false: no voice fallback for this one, whatever the tenant's policy. */
  fallback?: boolean;
}

/** SMS failures that voice can get around at once: a landline (60205), SMS switched off (60223). */
const FALLBACK_NOW = new Set([60205, 60223]);

export function limitChecks(
  tenantId: string,
  to: string,
  ip: string | null,
  s: VerifySettings,
): LimitCheck[] {
  const checks: LimitCheck[] = [
    { scope: "destination", key: `dest:${tenantId}:${to}`, limit: s.limits.per_destination },
    { scope: "tenant", key: `tenant:${tenantId}`, limit: s.limits.per_tenant },
  ];
  if (ip) checks.push({ scope: "ip", key: `ip:${tenantId}:${ip}`, limit: s.limits.per_ip });
  const country = countryCheck(tenantId, to, s);
  if (country) checks.push(country);
  return checks;
}

/**
 * The per-country cap on a phone destination (none for e-mail). A cap of 0 refuses at once,
 * counting nothing.
 */
function countryCheck(tenantId: string, to: string, s: VerifySettings): LimitCheck | null {
  if (!to.startsWith("+")) return null;
  const highRisk = HIGH_RISK_PREFIXES.find((p) => to.startsWith(p.prefix))?.prefix ?? null;
  const cap = countryCapFor(s.country_caps, { country: countryOf(to), highRiskPrefix: highRisk });
  const limit = { max: cap.cap, window_seconds: s.country_caps.window_seconds };
  if (cap.cap === 0) throw countryCapError(cap.key, limit, null);
  return { scope: "country", key: `country:${tenantId}:${cap.key}`, limit, country: cap.key };
}

/**
 * Starts (or resends within) a verification: our limits first, then Verify. The code is made
 * and kept by Verify. SMS that cannot reach the number falls back to a call at once; otherwise
 * a durable timer calls after the tenant's configured wait unless the code was checked.
 */
export async function startVerification(
  deps: VerifyDeps,
  tenant: TenantRow,
  input: StartInput,
): Promise<VerificationRow> {
  const to = normalizeDestination(input.channel, input.to);
  const settings = await verifySettings(deps.db, tenant.id);
  await consumeLimits(deps.db, limitChecks(tenant.id, to, input.clientIp, settings), deps.clock.now());
  const fallbackOn = settings.fallback.enabled && input.fallback !== false && input.channel === "sms";

  let sent: { sid: string; channel: VerifyChannel; reason: SendRecord["reason"] };
  try {
    sent = {
      sid: await sendCode(deps, tenant, to, input.channel, input.locale),
      channel: input.channel,
      reason: "requested",
    };
  } catch (err) {
    if (!fallbackOn || !FALLBACK_NOW.has(twilioCodeOf(err) ?? 0)) throw await mapped(deps, tenant, to, err);
    deps.log.info({ event: "verify.fallback_now", tenant_id: tenant.id, twilio_code: twilioCodeOf(err) });
    try {
      sent = {
        sid: await sendCode(deps, tenant, to, "call", input.locale),
        channel: "call",
        reason: "fallback",
      };
    } catch (second) {
      throw await mapped(deps, tenant, to, second);
    }
  }

  const now = deps.clock.now();
  const record = () =>
    deps.db.tx(async (tx) => {
      const send: SendRecord = { channel: sent.channel, at: now.toISOString(), reason: sent.reason };
      let row: VerificationRow;
      const pending = await findPending(tx, tenant.id, to);
      if (pending && pending.twilio_sid === sent.sid) {
        row = await appendSend(tx, pending.id, send, now);
      } else {
        // Verify started a new lifecycle, so ours ended unseen (expired or canceled in Twilio).
        if (pending) await endVerification(tx, pending, "expired", now, "superseded");
        row = await insertVerification(tx, {
          id: newId("vrf"),
          tenantId: tenant.id,
          to,
          channel: sent.channel,
          twilioSid: sent.sid,
          locale: input.locale ?? null,
          clientIp: input.clientIp,
          send,
          now,
        });
        await deps.jobs.enqueue(
          tx,
          VERIFY_EXPIRE,
          { verification_id: row.id },
          { key: `${VERIFY_EXPIRE}:${row.id}`, runAt: row.expires_at },
        );
        await deps.jobs.enqueue(
          tx,
          VERIFY_PRUNE,
          {},
          { key: VERIFY_PRUNE, runAt: new Date(now.getTime() + PRUNE_EVERY_MS) },
        );
      }
      if (fallbackOn && sent.channel === "sms" && !row.fallback_at) {
        const runAt = new Date(now.getTime() + settings.fallback.after_seconds * 1000);
        await deps.jobs.enqueue(
          tx,
          VERIFY_FALLBACK,
          { verification_id: row.id },
          {
            key: `${VERIFY_FALLBACK}:${row.id}`,
            runAt,
            onConflict: "replace",
          },
        );
      }
      return row;
    });
  try {
    return await record();
  } catch (err) {
    // Two starts for the same number at once: Verify resent within one lifecycle, and the
    // other request stored it first (one pending row per number). Now it is an append.
    if (!isUniqueViolation(err, "verifications_one_pending")) throw err;
    return record();
  }
}

/** One send through the tenant's Verify service; returns the verification's VE sid. */
export async function sendCode(
  deps: VerifyDeps,
  tenant: TenantRow,
  to: string,
  channel: VerifyChannel,
  locale: string | undefined,
): Promise<string> {
  const serviceSid = await verifyServiceSid(deps, tenant);
  const client = await tenantTwilio(deps, tenant);
  const created = await client.verify.v2
    .services(serviceSid)
    .verifications.create({ to, channel, ...(locale ? { locale } : {}) });
  return created.sid;
}

/** Verify's refusal; the attempt limits say how long until the lifecycle ends. */
async function mapped(deps: VerifyDeps, tenant: TenantRow, to: string, err: unknown): Promise<SubtextError> {
  const code = twilioCodeOf(err);
  if (code === 60203 || code === 60202) {
    const pending = await findPending(deps.db, tenant.id, to);
    const left = pending ? (pending.expires_at.getTime() - deps.clock.now().getTime()) / 1000 : undefined;
    return verifyError(err, "start a verification", left);
  }
  return verifyError(err, "start a verification");
}

/** Ends a pending verification that did not succeed, with its event (once). */
export async function endVerification(
  q: Queryable,
  row: VerificationRow,
  status: "failed" | "expired" | "canceled",
  now: Date,
  reason: string,
  twilioCode?: number,
): Promise<VerificationRow | null> {
  const ended = await finishVerification(q, row.id, status, now, reason);
  if (!ended) return null;
  await emitEvent(q, {
    tenantId: row.tenant_id,
    type: "verification.failed",
    orderingKey: row.id,
    data: {
      verification_id: row.id,
      to: row.to_address,
      channel: row.channel,
      status,
      reason,
      ...(twilioCode ? { twilio_code: twilioCode } : {}),
    },
  });
  return ended;
}
