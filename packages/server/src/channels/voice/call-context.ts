import type { FastifyReply, FastifyRequest } from "fastify";
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import {
  type TwilioParams,
  assertTwilioSignature,
  twilioSignatureRefused,
} from "../../http/twilio-webhooks.js";
import { subaccountAuthToken } from "../../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import { SubtextError } from "../../system/errors.js";
import type { Services } from "../../system/services.js";
import { type CallRow, callBySid, insertCall } from "./call-store.js";
import { renderApology } from "./twiml.js";

/**
 * What every voice webhook starts with: the tenant named in the path, the X-Twilio-Signature
 * check with its subaccount's auth token (403 otherwise, unknown tenants included, so the path
 * reveals nothing), and the call the request is about.
 */
export async function signedTenant(req: FastifyRequest, services: Services): Promise<TenantRow> {
  const { tenantId } = req.params as { tenantId: string };
  const tenant = await findTenant(services.db, tenantId);
  if (!tenant?.subaccount_sid) throw twilioSignatureRefused();
  assertTwilioSignature(req, services, await subaccountAuthToken(services, tenant));
  return tenant;
}

export function param(req: FastifyRequest, name: string): string | undefined {
  const value = (req.body as TwilioParams | undefined)?.[name];
  return Array.isArray(value) ? value[0] : value;
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
 * Runs a TwiML-producing handler after the signature check. Our own failures mid-call are
 * logged and answered with an apology and a hang-up, never with a 500 that Twilio would read
 * out as "an application error has occurred".
 */
export async function answerCall(
  req: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  produce: (tenant: TenantRow) => Promise<string>,
): Promise<FastifyReply> {
  const tenant = await signedTenant(req, services);
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
