import type { FastifyRequest } from "fastify";
import type { Tx } from "../../db/db.js";
import { emitEvent } from "../../events/emit.js";
import type { Routes } from "../../http/schemas.js";
import { Type } from "../../kernel/schema.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import type { Services } from "../../kernel/services.js";
import { answerCall, ensureCall, intParam, param } from "./call-context.js";
import type { FlowNode } from "./flow.js";
import { type GatherOutcome, gatherOutcome } from "./input.js";
import { type CallRow, addCallEvent, insertRecording } from "./call-store.js";
import { type FlowRow, findFlow } from "./flow-store.js";
import { type FlowUrls, renderApology, renderFailure, renderHangup, renderNode } from "./twiml.js";
import { flowUrls } from "./urls.js";

const nodeParams = Type.Object({ tenantId: Type.String(), flowId: Type.String(), nodeId: Type.String() });
const nodeQuery = Type.Object({ attempt: Type.Optional(Type.String()) });

interface NodeContext {
  tx: Tx;
  tenant: TenantRow;
  call: CallRow;
  flow: FlowRow;
  node: FlowNode | undefined;
  nodeId: string;
  /** Which try of a menu this answers (the `attempt` of the URL Twilio was given; 0 the first). */
  attempt: number;
  urls: FlowUrls;
  now: Date;
}

/** Twilio's calls: no bearer credentials, Twilio's signature instead (twilioWebhooks). */
const hide = {
  config: { auth: "twilio" as const },
  schema: { hide: true, params: nodeParams, querystring: nodeQuery },
};
const DIALED_OK = new Set(["completed", "answered"]);

/** The flow moving on: a node, a menu's answer or silence, a recording, a dial's outcome. */
export function nodeWebhooks(services: Services): Routes {
  const enter = async (ctx: NodeContext, next: string | null | undefined): Promise<string> => {
    if (!next) return renderHangup();
    await addCallEvent(ctx.tx, ctx.call.id, { kind: "node", node: next, at: ctx.now });
    return renderNode(ctx.flow.definition, next, ctx.urls);
  };

  const answerMenu = async (
    ctx: NodeContext,
    req: FastifyRequest,
    outcome: GatherOutcome,
  ): Promise<string> => {
    const { attempt } = ctx;
    const heard = { digits: param(req, "Digits") ?? null, speech: param(req, "SpeechResult") ?? null };
    await addCallEvent(ctx.tx, ctx.call.id, {
      kind: "input",
      node: ctx.nodeId,
      data: { ...heard, attempt, outcome: outcome.kind },
      at: ctx.now,
    });
    if (outcome.kind === "choice") return enter(ctx, outcome.next);
    if (outcome.kind === "retry") {
      await addCallEvent(ctx.tx, ctx.call.id, {
        kind: "retry",
        node: ctx.nodeId,
        data: { reason: outcome.reason, attempt: outcome.attempt },
        at: ctx.now,
      });
      return renderNode(ctx.flow.definition, ctx.nodeId, ctx.urls, {
        attempt: outcome.attempt,
        reason: outcome.reason,
      });
    }
    if (outcome.next)
      await addCallEvent(ctx.tx, ctx.call.id, { kind: "node", node: outcome.next, at: ctx.now });
    return renderFailure(ctx.flow.definition, outcome.next, ctx.urls);
  };

  const menuAnswer = (withInput: boolean) => async (ctx: NodeContext, req: FastifyRequest) => {
    if (ctx.node?.type !== "gather") return renderApology();
    const { attempt } = ctx;
    const input = withInput ? { digits: param(req, "Digits"), speech: param(req, "SpeechResult") } : {};
    return answerMenu(ctx, req, gatherOutcome(ctx.node, input, attempt));
  };

  return async (app) => {
    /** Loads the call and flow, runs `step` in one transaction, and answers its TwiML. */
    const route = (path: string, step: (ctx: NodeContext, req: FastifyRequest) => Promise<string>) =>
      app.post(`/twilio/voice/:tenantId/flows/:flowId/nodes/:nodeId${path}`, hide, (req, reply) =>
        answerCall(req, reply, async (tenant) => {
          const { flowId, nodeId } = req.params;
          const attempt = Number.parseInt(req.query.attempt ?? "0", 10) || 0;
          const flow = await findFlow(services.db, tenant.id, flowId);
          if (!flow) return renderApology();
          const now = services.clock.now();
          const urls = flowUrls(services, tenant.id, flow.id);
          return services.db.tx(async (tx) => {
            const call = await ensureCall(tx, req, tenant, flow.id, now);
            const node = Object.hasOwn(flow.definition.nodes, nodeId)
              ? flow.definition.nodes[nodeId]
              : undefined;
            return step({ tx, tenant, call, flow, node, nodeId, attempt, urls, now }, req);
          });
        }),
      );

    route("", async (ctx) => {
      await addCallEvent(ctx.tx, ctx.call.id, { kind: "node", node: ctx.nodeId, at: ctx.now });
      return renderNode(ctx.flow.definition, ctx.nodeId, ctx.urls);
    });
    route("/gather", menuAnswer(true));
    route("/no-input", menuAnswer(false));

    route("/recorded", async (ctx, req) => {
      const sid = param(req, "RecordingSid");
      if (sid) {
        const rec = await insertRecording(ctx.tx, {
          tenantId: ctx.tenant.id,
          callId: ctx.call.id,
          sid,
          node: ctx.nodeId,
          url: param(req, "RecordingUrl") ?? "",
          duration: intParam(req, "RecordingDuration") ?? 0,
          now: ctx.now,
        });
        if (rec) {
          await addCallEvent(ctx.tx, ctx.call.id, {
            kind: "recording",
            node: ctx.nodeId,
            data: { recording_id: rec.id },
            at: ctx.now,
          });
          await emitEvent(ctx.tx, {
            tenantId: ctx.tenant.id,
            type: "recording.completed",
            orderingKey: ctx.call.id,
            data: {
              call_id: ctx.call.id,
              recording_id: rec.id,
              twilio_sid: rec.twilio_sid,
              url: rec.url,
              duration_seconds: rec.duration_seconds,
              node: ctx.nodeId,
              from: ctx.call.from_number,
              to: ctx.call.to_number,
            },
          });
        }
      }
      return enter(ctx, ctx.node?.type === "record" ? ctx.node.next : null);
    });

    route("/dialed", async (ctx, req) => {
      const status = param(req, "DialCallStatus") ?? "failed";
      await addCallEvent(ctx.tx, ctx.call.id, {
        kind: "dial",
        node: ctx.nodeId,
        data: { status, duration_seconds: intParam(req, "DialCallDuration") ?? null },
        at: ctx.now,
      });
      if (ctx.node?.type !== "dial") return renderApology();
      return enter(ctx, DIALED_OK.has(status) ? ctx.node.next : (ctx.node.on_no_answer ?? ctx.node.next));
    });
  };
}
