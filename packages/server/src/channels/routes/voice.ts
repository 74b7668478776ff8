import type { FastifyPluginAsync } from "fastify";
import { actingTenant } from "../../http/auth.js";
import { dateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { byId, e164, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { type CallInput, startCall } from "../voice/calls.js";
import { FLOW_BODY_PROPERTIES, NODE_OUTPUT } from "../voice/flow-schema.js";
import { type FlowInput, checkFlow, saveFlow } from "../voice/flows.js";
import { flowErrors } from "../voice/validate.js";
import { type CallRow, callDetails, findCall, listCalls } from "../voice/call-store.js";
import { type FlowRow, findFlow, listFlows, numbersOfFlows } from "../voice/flow-store.js";

const tags = ["voice"];
const finding = {
  type: "object",
  properties: {
    path: { type: "string" },
    code: { type: "string" },
    severity: { type: "string" },
    message: { type: "string" },
  },
} as const;

export const IvrFlowSchema = {
  $id: "IvrFlow",
  type: "object",
  required: ["id", "name", "start", "nodes", "phone_numbers", "findings", "version"],
  properties: {
    id: { type: "string", examples: ["ivr_01JC0000000000000000000000"] },
    name: { type: "string" },
    start: { type: "string" },
    voice: { type: ["string", "null"] },
    language: { type: ["string", "null"] },
    nodes: { type: "object", additionalProperties: NODE_OUTPUT },
    phone_numbers: { type: "array", items: { type: "string" } },
    findings: { type: "array", items: finding, description: "Warnings kept from the last save" },
    version: { type: "integer" },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

export const CallSchema = {
  $id: "Call",
  type: "object",
  required: ["id", "direction", "from", "to", "status"],
  properties: {
    id: { type: "string", examples: ["call_01JC0000000000000000000000"] },
    direction: { type: "string", enum: ["inbound", "outbound"] },
    from: { type: "string" },
    to: { type: "string" },
    flow_id: { type: ["string", "null"] },
    status: {
      type: "string",
      description: "queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled",
    },
    duration_seconds: { type: ["integer", "null"] },
    twilio_sid: { type: ["string", "null"] },
    error_code: { type: ["integer", "null"] },
    answered_at: { type: ["string", "null"], format: "date-time" },
    ended_at: { type: ["string", "null"], format: "date-time" },
    created_at: dateTime,
    events: { type: "array", items: { type: "object", additionalProperties: true } },
    recordings: { type: "array", items: { type: "object", additionalProperties: true } },
    transcriptions: { type: "array", items: { type: "object", additionalProperties: true } },
  },
} as const;

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

const flowBody = {
  type: "object",
  required: ["name", "start", "nodes"],
  additionalProperties: false,
  properties: FLOW_BODY_PROPERTIES,
} as const;

export function voiceRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: FlowInput }>(
      "/v1/ivr-flows",
      {
        schema: {
          tags,
          security,
          summary:
            "Create an IVR flow (validated: unknown nodes, loops without input refuse it; unreachable nodes warn)",
          description: `${tenantNote} phone_numbers: the tenant's numbers whose calls run the flow.`,
          body: flowBody,
          response: responses({ 201: { $ref: "IvrFlow#" } }, [400, 401, 403, 404, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const saved = await saveFlow(services, tenant, req.body);
        return reply.code(201).send(flowView(saved.flow, saved.phoneNumbers));
      },
    );

    app.post<{ Body: FlowInput }>(
      "/v1/ivr-flows/validate",
      {
        schema: {
          tags,
          security,
          summary: "Dry-run an IVR flow: every finding a save would make, nothing saved",
          description: `${tenantNote} valid is false when a finding is an error (a save would answer 422).`,
          body: flowBody,
          response: responses(
            {
              200: {
                type: "object",
                required: ["valid", "findings"],
                additionalProperties: false,
                properties: {
                  valid: { type: "boolean" },
                  findings: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["path", "code", "severity", "message"],
                      additionalProperties: false,
                      properties: {
                        path: { type: "string", description: "JSON pointer into the flow" },
                        code: { type: "string", examples: ["loop_without_input"] },
                        severity: { type: "string", enum: ["error", "warning"] },
                        message: { type: "string" },
                      },
                    },
                  },
                },
              },
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

    app.put<{ Params: { id: string }; Body: FlowInput }>(
      "/v1/ivr-flows/:id",
      {
        schema: {
          tags,
          security,
          summary: "Replace an IVR flow; phone_numbers (when sent) is the full list of numbers that run it",
          params: byId("ivr_"),
          body: flowBody,
          response: responses({ 200: { $ref: "IvrFlow#" } }, [400, 401, 403, 404, 422, 503]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const saved = await saveFlow(services, tenant, req.body, req.params.id);
        return flowView(saved.flow, saved.phoneNumbers);
      },
    );

    app.get<{ Querystring: { cursor?: string; limit: number } }>(
      "/v1/ivr-flows",
      {
        schema: {
          tags,
          security,
          summary: "List IVR flows",
          querystring: { type: "object", additionalProperties: false, properties: listQuery },
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

    app.get<{ Params: { id: string } }>(
      "/v1/ivr-flows/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read an IVR flow",
          params: byId("ivr_"),
          response: responses({ 200: { $ref: "IvrFlow#" } }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const flow = await findFlow(services.db, tenant.id, req.params.id);
        if (!flow) throw notFound("IVR flow", req.params.id);
        return flowView(flow, (await numbersOfFlows(services.db, [flow.id])).get(flow.id) ?? []);
      },
    );

    app.post<{ Body: CallInput }>(
      "/v1/calls",
      {
        schema: {
          tags,
          security,
          summary: "Place an outbound call that runs a flow (flow_id) or says a message (say)",
          description: `${tenantNote} Progress arrives by status callback; call.completed is emitted when it ends.`,
          body: {
            type: "object",
            required: ["to"],
            additionalProperties: false,
            properties: {
              to: e164,
              from: e164,
              flow_id: { type: "string", minLength: 1, maxLength: 64 },
              say: { type: "string", minLength: 1, maxLength: 4000 },
            },
          },
          response: responses({ 201: { $ref: "Call#" } }, [400, 401, 403, 404, 409, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        return reply.code(201).send(callView(await startCall(services, tenant, req.body)));
      },
    );

    app.get<{ Querystring: { status?: string; direction?: string; cursor?: string; limit: number } }>(
      "/v1/calls",
      {
        schema: {
          tags,
          security,
          summary: "List calls, newest first",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              status: { type: "string", maxLength: 32 },
              direction: { type: "string", enum: ["inbound", "outbound"] },
              ...listQuery,
            },
          },
          response: responses({ 200: pageOf("Call") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listCalls(services.db, tenant.id, req.query);
        return page(rows, hasMore, callView);
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/calls/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a call with its events (menu inputs, retries, dials), recordings and transcriptions",
          params: byId("call_"),
          response: responses({ 200: { $ref: "Call#" } }, [400, 401, 403, 404]),
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
