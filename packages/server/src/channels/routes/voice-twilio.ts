import type { FastifyRequest } from "fastify";
import { emitEvent } from "../../events/emit.js";
import type { Routes } from "../../http/schemas.js";
import { twilioTenant, twilioWebhooks } from "../../http/twilio-webhooks.js";
import { Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { applyCallStatus } from "../voice/calls.js";
import { answerCall, ensureCall, intParam, param } from "../voice/call-context.js";
import { nodeWebhooks } from "../voice/node-webhooks.js";
import { addCallEvent, callBySid, findCall, insertTranscription, updateCall } from "../voice/call-store.js";
import { findFlow, flowOfNumber } from "../voice/flow-store.js";
import { renderApology, renderMessage, renderNode } from "../voice/twiml.js";
import { flowUrls } from "../voice/urls.js";

/** Twilio's calls: no bearer credentials, Twilio's signature instead (twilioWebhooks). */
const hide = { config: { auth: "twilio" as const }, schema: { hide: true } };
/** The same, with the path's parameters and the query (typed; every value is text). */
const hidden = <S extends object>(schema: S) => ({ ...hide, schema: { ...hide.schema, ...schema } });

/**
 * Twilio's voice webhooks, `POST /twilio/voice/:tenantId/…`, all signed with the tenant's
 * subaccount auth token and verified by the Twilio webhook intake:
 *   incoming                      a call to a number with a flow (the number's voice URL)
 *   calls/:callId/answer          an outbound call (POST /v1/calls) was answered
 *   flows/:flowId/nodes/:nodeId…  the flow moving on (see node-webhooks.ts)
 *   status                        call progress (forward only; call.completed once)
 */
export function voiceWebhookRoutes(services: Services): Routes {
  return twilioWebhooks(services, async (app) => {
    await app.register(voiceWebhooks(services));
  });
}

/** The routes, in a plugin of their own (typed from their schemas); the intake's hooks cover it. */
function voiceWebhooks(services: Services): Routes {
  return async (app) => {
    app.post("/twilio/voice/:tenantId/incoming", hide, (req, reply) =>
      answerCall(req, reply, async (tenant) => {
        const now = services.clock.now();
        const flow = await flowOfNumber(services.db, tenant.id, param(req, "To") ?? "");
        const call = await services.db.tx(async (tx) => {
          const c = await ensureCall(tx, req, tenant, flow?.id ?? null, now);
          await addCallEvent(
            tx,
            c.id,
            flow ? { kind: "node", node: flow.definition.start, at: now } : { kind: "no_flow", at: now },
          );
          return c;
        });
        if (!flow) {
          req.log.warn(
            { event: "voice.no_flow", tenant_id: tenant.id, call_id: call.id },
            "call to a number without a flow",
          );
          return renderApology();
        }
        return renderNode(flow.definition, flow.definition.start, flowUrls(services, tenant.id, flow.id));
      }),
    );

    app.post(
      "/twilio/voice/:tenantId/calls/:callId/answer",
      hidden({ params: Type.Object({ tenantId: Type.String(), callId: Type.String() }) }),
      (req, reply) =>
        answerCall(req, reply, async (tenant) => {
          const now = services.clock.now();
          const call = await findCall(services.db, tenant.id, req.params.callId);
          if (!call) return renderApology();
          await services.db.tx(async (tx) => {
            if (!call.twilio_sid) await updateCall(tx, call.id, { twilio_sid: param(req, "CallSid"), now });
            await applyCallStatus(tx, call.id, { status: "in-progress", at: now });
          });
          if (!call.flow_id) return renderMessage(call.say ?? "");
          const flow = await findFlow(services.db, tenant.id, call.flow_id);
          if (!flow) return renderApology();
          await addCallEvent(services.db, call.id, { kind: "node", node: flow.definition.start, at: now });
          return renderNode(flow.definition, flow.definition.start, flowUrls(services, tenant.id, flow.id));
        }),
    );

    app.post(
      "/twilio/voice/:tenantId/status",
      hidden({
        params: Type.Object({ tenantId: Type.String() }),
        querystring: Type.Object({ call: Type.Optional(Type.String()) }),
      }),
      async (req, reply) => {
        const tenant = twilioTenant(req);
        const now = services.clock.now();
        const status = param(req, "CallStatus") ?? "";
        await services.db.tx(async (tx) => {
          const sid = param(req, "CallSid") ?? "";
          const byId = req.query.call ? await findCall(tx, tenant.id, req.query.call) : null;
          const call =
            byId ?? (await callBySid(tx, tenant.id, sid)) ?? (await ensureCall(tx, req, tenant, null, now));
          if (!call.twilio_sid && sid) await updateCall(tx, call.id, { twilio_sid: sid, now });
          const moved = await applyCallStatus(tx, call.id, {
            status,
            duration: intParam(req, "CallDuration"),
            errorCode: intParam(req, "ErrorCode"),
            at: now,
          });
          if (moved) await addCallEvent(tx, call.id, { kind: "status", data: { status }, at: now });
        });
        return reply.code(204).send();
      },
    );

    app.post(
      "/twilio/voice/:tenantId/flows/:flowId/nodes/:nodeId/transcription",
      hidden({
        params: Type.Object({ tenantId: Type.String(), flowId: Type.String(), nodeId: Type.String() }),
      }),
      async (req, reply) => {
        const tenant = twilioTenant(req);
        await recordTranscription(req, services, tenant, req.params.flowId, req.params.nodeId);
        return reply.code(204).send();
      },
    );

    await app.register(nodeWebhooks(services));
  };
}

/** A recording's transcription: stored, and sent to the tenant as `transcription.completed`. */
async function recordTranscription(
  req: FastifyRequest,
  services: Services,
  tenant: TenantRow,
  flowId: string,
  node: string,
): Promise<void> {
  const now = services.clock.now();
  const tenantId = tenant.id;
  await services.db.tx(async (tx) => {
    // The path's flow id is only kept if it is one of this tenant's flows (not a 500, nor another's).
    const flow = await findFlow(tx, tenantId, flowId);
    const call = await ensureCall(tx, req, tenant, flow?.id ?? null, now);
    const status = param(req, "TranscriptionStatus") ?? "completed";
    const row = await insertTranscription(tx, {
      tenantId,
      callId: call.id,
      sid: param(req, "TranscriptionSid") ?? "",
      recordingSid: param(req, "RecordingSid") ?? "",
      status,
      text: param(req, "TranscriptionText") || null,
      now,
    });
    if (!row) return; // a retried callback: recorded already
    await addCallEvent(tx, call.id, { kind: "transcription", node, data: { status }, at: now });
    await emitEvent(tx, {
      tenantId,
      type: "transcription.completed",
      orderingKey: call.id,
      data: {
        call_id: call.id,
        transcription_id: row.id,
        recording_sid: row.recording_sid,
        twilio_sid: row.twilio_sid,
        status: row.status,
        text: row.text,
        node,
        from: call.from_number,
        to: call.to_number,
      },
    });
  });
}
