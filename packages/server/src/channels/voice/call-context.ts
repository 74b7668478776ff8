import type { FastifyReply, FastifyRequest } from "fastify";
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { twilioParam, twilioTenant } from "../../http/twilio-webhooks.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { SubtextError } from "../../kernel/errors.js";
import { type CallRow, callBySid, insertCall } from "./call-store.js";
import { renderApology } from "./twiml.js";

/** A parameter of the webhook's form (verified by the intake before any handler reads it). */
export function param(req: FastifyRequest, name: string): string | undefined {
  return twilioParam(req.body, name);
}

/** A count or duration Twilio sent: a non-negative integer that fits an integer column, else undefined. */
export function intParam(req: FastifyRequest, name: string): number | undefined {
  const n = Number.parseInt(param(req, name) ?? "", 10);
  return Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** The call of this webhook, created on first sight (inbound calls begin with a webhook). */
export async function ensureCall(
  q: Queryable,
  req: FastifyRequest,
  tenant: TenantRow,
  flowId: string | null,
  now: Date,
): Promise<CallRow> {
  const sid = param(req, "CallSid");
  if (!sid) throw new SubtextError("invalid_request", 400, "CallSid is missing.");
  const known = await callBySid(q, tenant.id, sid);
  if (known) return known;
  const inserted = await insertCall(q, {
    id: newId("call"),
    tenant_id: tenant.id,
    twilio_sid: sid,
    direction: (param(req, "Direction") ?? "inbound").startsWith("outbound") ? "outbound" : "inbound",
    from_number: param(req, "From") ?? "",
    to_number: param(req, "To") ?? "",
    flow_id: flowId,
    say: null,
    status: param(req, "CallStatus") ?? "ringing",
    now,
  });
  const row = inserted ?? (await callBySid(q, tenant.id, sid));
  // The CallSid is already recorded for another tenant: never a 500, never a cross-tenant read.
  if (!row)
    throw new SubtextError("call_not_found", 404, "No call with this CallSid belongs to this tenant.");
  return row;
}

export function sendTwiml(reply: FastifyReply, xml: string): FastifyReply {
  return reply.code(200).type("text/xml").send(xml);
}

/**
 * Runs a TwiML-producing handler for the tenant whose subaccount signed the request. Our own
 * failures mid-call are logged and answered with an apology and a hang-up, never with a 500
 * that Twilio would read out as "an application error has occurred".
 */
export async function answerCall(
  req: FastifyRequest,
  reply: FastifyReply,
  produce: (tenant: TenantRow) => Promise<string>,
): Promise<FastifyReply> {
  const tenant = twilioTenant(req);
  try {
    return sendTwiml(reply, await produce(tenant));
  } catch (err) {
    req.log.error(
      { err, event: "voice.webhook_failed", tenant_id: tenant.id, url: req.url },
      "voice webhook failed",
    );
    return sendTwiml(reply, renderApology());
  }
}
