import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";
import { parsePhone } from "@subtext/telecom/phone";
import { tenantTwilio } from "../../tenancy/credentials.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { type Static, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { twilioError } from "../../twilio/errors.js";
import { recordUsage } from "../../usage/record.js";
import { findTenantNumber } from "../../tenancy/numbers.js";
import { FINAL_CALL_STATUSES, RANK_SQL, isCallStatus } from "./status.js";
import { type CallRow, insertCall, updateCall } from "./call-store.js";
import { findFlow, flowNumberRows } from "./flow-store.js";
import { voiceBase } from "./urls.js";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "urls">;

/** E.164 as POST /v1/calls takes it (parsed, and refused with 422, by startCall). */
const phone = Type.String({ minLength: 2, maxLength: 32, examples: ["+14155550123"] });

/** What an outbound call is placed from (POST /v1/calls): its body and its type. */
export const CallInput = Type.Object(
  {
    to: phone,
    from: Type.Optional(phone),
    flow_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    say: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export type CallInput = Static<typeof CallInput>;

/**
 * An outbound call that runs a flow or says one message. The row exists before Twilio is
 * asked (so its id is in the answer URL); Twilio's progress reaches /twilio/voice/…/status.
 */
export async function startCall(deps: Deps, tenant: TenantRow, input: CallInput): Promise<CallRow> {
  if (Boolean(input.flow_id) === Boolean(input.say)) {
    throw new SubtextError("flow_or_say_required", 422, "Give exactly one of flow_id and say.", {
      details: [{ path: "/flow_id", code: "flow_or_say_required" }],
    });
  }
  const to = parsePhone(input.to);
  if (!to.ok) {
    throw new SubtextError("invalid_phone_number", 422, to.message, {
      details: [{ path: "/to", code: to.code }],
    });
  }
  if (input.flow_id && !(await findFlow(deps.db, tenant.id, input.flow_id)))
    throw notFound("IVR flow", input.flow_id);
  const from = await callerId(deps, tenant, input);
  const now = deps.clock.now();
  const row = (await insertCall(deps.db, {
    id: newId("call"),
    tenant_id: tenant.id,
    direction: "outbound",
    from_number: from,
    to_number: to.phone.e164,
    flow_id: input.flow_id ?? null,
    say: input.say ?? null,
    status: "queued",
    now,
  }))!;
  const base = voiceBase(deps, tenant.id);
  const client = await tenantTwilio(deps, tenant);
  try {
    const call = await client.calls.create({
      to: row.to_number,
      from,
      url: `${base}/calls/${row.id}/answer`,
      method: "POST",
      statusCallback: `${base}/status?call=${row.id}`,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    });
    return await updateCall(deps.db, row.id, { twilio_sid: call.sid, now: deps.clock.now() });
  } catch (err) {
    const mapped = twilioError(err, "place a call");
    await updateCall(deps.db, row.id, {
      status: "failed",
      error_code: mapped.twilio_code ?? null,
      error_message: mapped.message,
      now: deps.clock.now(),
    });
    if (mapped.status === 502 && mapped.twilio_code) {
      throw new SubtextError("call_refused", 422, mapped.message, {
        twilio_code: mapped.twilio_code,
        hint: mapped.hint,
      });
    }
    throw mapped;
  }
}

/** The caller ID: as given (one of the tenant's numbers), else a number of the flow, else any of the tenant's. */
async function callerId(deps: Deps, tenant: TenantRow, input: CallInput): Promise<string> {
  if (input.from) {
    const parsed = parsePhone(input.from);
    if (!parsed.ok)
      throw new SubtextError("invalid_phone_number", 422, parsed.message, {
        details: [{ path: "/from", code: parsed.code }],
      });
    return (await findTenantNumber(deps, tenant, parsed.phone.e164)).phoneNumber;
  }
  const attached = await flowNumberRows(deps.db, tenant.id);
  const preferred = attached.find((n) => n.flow_id === input.flow_id) ?? attached[0];
  if (preferred) return preferred.phone_number;
  const client = await tenantTwilio(deps, tenant);
  const [any] = await client.incomingPhoneNumbers.list({ limit: 1 }).catch((err: unknown) => {
    throw twilioError(err, "list the tenant's numbers");
  });
  if (!any) {
    throw new SubtextError("caller_id_required", 409, "The tenant has no number to call from.", {
      hint: "Buy a number for the tenant (onboarding does), or pass from.",
    });
  }
  return any.phoneNumber;
}

/**
 * Applies a status Twilio reported, forward only (the rank is compared in SQL, so two
 * callbacks racing cannot move a call backwards). The move to a final status happens once: it
 * records the duration, meters the minutes and emits `call.completed`, in the caller's
 * transaction.
 */
export async function applyCallStatus(
  q: Queryable,
  callId: string,
  report: { status: string; duration?: number; errorCode?: number; at: Date },
): Promise<CallRow | null> {
  if (!isCallStatus(report.status)) return null;
  const final = FINAL_CALL_STATUSES.has(report.status);
  const moved = await q.maybeOne<CallRow>(
    `UPDATE calls SET status = $2, updated_at = $3,
       answered_at = CASE WHEN $2 = 'in-progress' THEN COALESCE(answered_at, $3) ELSE answered_at END,
       ended_at = CASE WHEN $4::boolean THEN $3 ELSE ended_at END,
       duration_seconds = COALESCE($5, duration_seconds), error_code = COALESCE($6, error_code)
     WHERE id = $1 AND ${RANK_SQL("status")} < ${RANK_SQL("$2::text")} AND ${RANK_SQL("status")} < 4
     RETURNING *`,
    [callId, report.status, report.at, final, report.duration ?? null, report.errorCode ?? null],
  );
  if (!moved || !final) return moved;
  const minutes = (moved.duration_seconds ?? 0) / 60;
  if (minutes > 0) {
    await recordUsage(q, {
      tenantId: moved.tenant_id,
      channel: "voice",
      direction: moved.direction,
      minutes,
      at: report.at,
    });
  }
  await emitEvent(q, {
    tenantId: moved.tenant_id,
    type: "call.completed",
    orderingKey: moved.id,
    data: {
      call_id: moved.id,
      twilio_sid: moved.twilio_sid,
      direction: moved.direction,
      from: moved.from_number,
      to: moved.to_number,
      status: moved.status,
      duration_seconds: moved.duration_seconds,
      flow_id: moved.flow_id,
    },
  });
  return moved;
}
