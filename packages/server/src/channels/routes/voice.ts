import { actingTenant } from "../../http/auth.js";
import { type Routes, dateTime, nullableDateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Defaulted, Dictionary, Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { byId, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { CallInput, startCall } from "../voice/calls.js";
import { FlowInput, NODE_OUTPUT } from "../voice/flow-schema.js";
import { checkFlow, saveFlow } from "../voice/flows.js";
import { flowErrors } from "../voice/validate.js";
import { type CallRow, callDetails, findCall, listCalls } from "../voice/call-store.js";
import { type FlowRow, findFlow, listFlows, numbersOfFlows } from "../voice/flow-store.js";

const tags = ["voice"];
const finding = Type.Object({
  path: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  severity: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const IvrFlowSchema = Type.Object(
  {
    id: Type.String({ examples: ["ivr_01JC0000000000000000000000"] }),
    name: Type.String(),
    start: Type.String(),
    voice: Type.Optional(Nullable(Type.String())),
    language: Type.Optional(Nullable(Type.String())),
    nodes: Dictionary(NODE_OUTPUT),
    phone_numbers: Type.Array(Type.String()),
    findings: Type.Array(finding, { description: "Warnings kept from the last save" }),
    version: Type.Integer(),
    created_at: Type.Optional(dateTime),
    updated_at: Type.Optional(dateTime),
  },
  { $id: "IvrFlow" },
);

export const CallSchema = Type.Object(
  {
    id: Type.String({ examples: ["call_01JC0000000000000000000000"] }),
    direction: Type.Enum(["inbound", "outbound"], { type: "string" }),
    from: Type.String(),
    to: Type.String(),
    flow_id: Type.Optional(Nullable(Type.String())),
    status: Type.String({
      description: "queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled",
    }),
    duration_seconds: Type.Optional(Nullable(Type.Integer())),
    twilio_sid: Type.Optional(Nullable(Type.String())),
    error_code: Type.Optional(Nullable(Type.Integer())),
    answered_at: Type.Optional(nullableDateTime),
    ended_at: Type.Optional(nullableDateTime),
    created_at: Type.Optional(dateTime),
    events: Type.Optional(Type.Array(OpenObject())),
    recordings: Type.Optional(Type.Array(OpenObject())),
    transcriptions: Type.Optional(Type.Array(OpenObject())),
  },
  { $id: "Call" },
);

function flowView(f: FlowRow, phoneNumbers: string[]) {
  return {
    id: f.id,
    name: f.name,
    start: f.definition.start,
    voice: f.definition.voice ?? null,
    language: f.definition.language ?? null,
    nodes: f.definition.nodes,
    phone_numbers: phoneNumbers,
    findings: f.findings,
    version: f.version,
    created_at: f.created_at.toISOString(),
    updated_at: f.updated_at.toISOString(),
  };
}

function callView(c: CallRow) {
  return {
    id: c.id,
    direction: c.direction,
    from: c.from_number,
    to: c.to_number,
    flow_id: c.flow_id,
    status: c.status,
    duration_seconds: c.duration_seconds,
    twilio_sid: c.twilio_sid,
    error_code: c.error_code,
    answered_at: iso(c.answered_at),
    ended_at: iso(c.ended_at),
    created_at: c.created_at.toISOString(),
  };
}

export function voiceRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/ivr-flows",
      {
        schema: {
          tags,
          security,
          summary:
            "Create an IVR flow (validated: unknown nodes, loops without input refuse it; unreachable nodes warn)",
          description: `${tenantNote} phone_numbers: the tenant's numbers whose calls run the flow.`,
          body: FlowInput,
          response: responses({ 201: Ref("IvrFlow") }, [400, 401, 403, 404, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const saved = await saveFlow(services, tenant, req.body);
        return reply.code(201).send(flowView(saved.flow, saved.phoneNumbers));
      },
    );

    app.post(
      "/v1/ivr-flows/validate",
      {
        schema: {
          tags,
          security,
          summary: "Dry-run an IVR flow: every finding a save would make, nothing saved",
          description: `${tenantNote} valid is false when a finding is an error (a save would answer 422).`,
          body: FlowInput,
          response: responses(
            {
              200: Type.Object(
                {
                  valid: Type.Boolean(),
                  findings: Type.Array(
                    Type.Object(
                      {
                        path: Type.String({ description: "JSON pointer into the flow" }),
                        code: Type.String({ examples: ["loop_without_input"] }),
                        severity: Type.Enum(["error", "warning"], { type: "string" }),
                        message: Type.String(),
                      },
                      { additionalProperties: false },
                    ),
                  ),
                },
                { additionalProperties: false },
              ),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        await actingTenant(req, services);
        const { findings } = checkFlow(services, req.body);
        return { valid: flowErrors(findings).length === 0, findings };
      },
    );

    app.put(
      "/v1/ivr-flows/:id",
      {
        schema: {
          tags,
          security,
          summary: "Replace an IVR flow; phone_numbers (when sent) is the full list of numbers that run it",
          params: byId("ivr_"),
          body: FlowInput,
          response: responses({ 200: Ref("IvrFlow") }, [400, 401, 403, 404, 422, 503]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const saved = await saveFlow(services, tenant, req.body, req.params.id);
        return flowView(saved.flow, saved.phoneNumbers);
      },
    );

    app.get(
      "/v1/ivr-flows",
      {
        schema: {
          tags,
          security,
          summary: "List IVR flows",
          querystring: Defaulted(Type.Object(listQuery, { additionalProperties: false })),
          response: responses({ 200: pageOf("IvrFlow") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listFlows(services.db, tenant.id, req.query);
        const numbers = await numbersOfFlows(
          services.db,
          rows.map((r) => r.id),
        );
        return page(rows, hasMore, (f) => flowView(f, numbers.get(f.id) ?? []));
      },
    );

    app.get(
      "/v1/ivr-flows/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read an IVR flow",
          params: byId("ivr_"),
          response: responses({ 200: Ref("IvrFlow") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const flow = await findFlow(services.db, tenant.id, req.params.id);
        if (!flow) throw notFound("IVR flow", req.params.id);
        return flowView(flow, (await numbersOfFlows(services.db, [flow.id])).get(flow.id) ?? []);
      },
    );

    app.post(
      "/v1/calls",
      {
        schema: {
          tags,
          security,
          summary: "Place an outbound call that runs a flow (flow_id) or says a message (say)",
          description: `${tenantNote} Progress arrives by status callback; call.completed is emitted when it ends.`,
          body: CallInput,
          response: responses({ 201: Ref("Call") }, [400, 401, 403, 404, 409, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        return reply.code(201).send(callView(await startCall(services, tenant, req.body)));
      },
    );

    app.get(
      "/v1/calls",
      {
        schema: {
          tags,
          security,
          summary: "List calls, newest first",
          querystring: Defaulted(
            Type.Object(
              {
                status: Type.Optional(Type.String({ maxLength: 32 })),
                direction: Type.Optional(Type.Enum(["inbound", "outbound"], { type: "string" })),
                ...listQuery,
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 200: pageOf("Call") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listCalls(services.db, tenant.id, req.query);
        return page(rows, hasMore, callView);
      },
    );

    app.get(
      "/v1/calls/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a call with its events (menu inputs, retries, dials), recordings and transcriptions",
          params: byId("call_"),
          response: responses({ 200: Ref("Call") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const call = await findCall(services.db, tenant.id, req.params.id);
        if (!call) throw notFound("call", req.params.id);
        const d = await callDetails(services.db, call.id);
        return {
          ...callView(call),
          events: d.events.map((e) => ({ kind: e.kind, node: e.node, data: e.data, at: e.at.toISOString() })),
          recordings: d.recordings.map((r) => ({
            id: r.id,
            twilio_sid: r.twilio_sid,
            node: r.node,
            url: r.url,
            duration_seconds: r.duration_seconds,
            created_at: r.created_at.toISOString(),
          })),
          transcriptions: d.transcriptions.map((t) => ({
            id: t.id,
            twilio_sid: t.twilio_sid,
            recording_sid: t.recording_sid,
            status: t.status,
            text: t.text,
            created_at: t.created_at.toISOString(),
          })),
        };
      },
    );
  };
}
