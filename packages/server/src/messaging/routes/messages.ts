import { page, pageOf } from "../../http/pages.js";
import { actingTenant } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { Defaulted, Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import { bodyValidator, describeValidation } from "../../http/validation.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { messagingMetrics } from "../metrics.js";
import { messagingOf } from "../module.js";
import { BATCH_CHUNK, MAX_BATCH, sendBatch, sendMessage, withIdempotencyKey } from "../send/send.js";
import { SendInput } from "../send/input.js";
import { MESSAGE_STATUSES } from "../status.js";
import { cancelMessage, findMessage, listMessages } from "../store/messages.js";
import { timelineOf } from "../store/timeline.js";
import { messageView, timelineView } from "../view.js";
import { idempotencyHeader, messageIdParams } from "./schemas.js";

// Each item is checked as POST /v1/messages checks its body, so a batch refuses what a send would.
const checkItem = bodyValidator(SendInput);

const batchItemResult = Type.Object({
  index: Type.Integer(),
  accepted: Type.Boolean(),
  id: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  segments: Type.Optional(Type.Integer()),
  encoding: Type.Optional(Type.String()),
  price_estimate: Type.Optional(Nullable(OpenObject())),
  replayed: Type.Optional(Type.Boolean()),
  error: Type.Optional(OpenObject()),
});

export function messageRoutes(services: Services): Routes {
  const messaging = messagingOf(services);
  const metrics = messagingMetrics(services.metrics);
  return async (app) => {
    app.post(
      "/v1/messages",
      {
        config: { messageCount: () => 1 },
        schema: {
          tags: ["messages"],
          summary: "Send a message (202 once stored; delivery follows)",
          description:
            "Validates the recipient and body, counts segments exactly, checks the registration gate and the " +
            "suppression list, then stores the message `queued` (or `scheduled` with send_at). With an " +
            "Idempotency-Key, a retried request answers as the first did and never sends twice; the same key with " +
            "a different request is 409 idempotency_conflict.",
          security: [{ bearer: [] }],
          headers: idempotencyHeader,
          body: SendInput,
          response: responses({ 202: Ref("Message") }, [400, 401, 403, 409, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const input = withIdempotencyKey(req.body, req.headers["idempotency-key"]);
        const { row, replayed } = await sendMessage(
          { ...services, committer: messaging.committer },
          tenant,
          input,
        );
        if (replayed) reply.header("idempotent-replayed", "true");
        return reply.code(202).send(messageView(row));
      },
    );

    app.post(
      "/v1/messages/batch",
      {
        bodyLimit: 32 * 1024 * 1024,
        config: { messageCount: (req) => (req.body as { messages: unknown[] }).messages.length },
        schema: {
          tags: ["messages"],
          summary: `Send up to ${MAX_BATCH.toLocaleString("en")} messages in one request`,
          description:
            "Each item is answered on its own: invalid items are reported with their error, valid ones are " +
            "accepted. Stored in chunks of " +
            BATCH_CHUNK +
            " messages, each its own transaction: send an Idempotency-Key so that a retry after a failure " +
            "half-way replays the stored ones. A batch Idempotency-Key gives item i the key `<key>:<i>` " +
            "(unless it has its own).",
          security: [{ bearer: [] }],
          headers: idempotencyHeader,
          body: Type.Object(
            { messages: Type.Array(Type.Object({}), { minItems: 1, maxItems: MAX_BATCH }) },
            { additionalProperties: false },
          ),
          response: responses(
            {
              202: Type.Object({
                accepted: Type.Integer(),
                rejected: Type.Integer(),
                results: Type.Array(batchItemResult),
              }),
            },
            [400, 401, 403, 409, 413, 422],
          ),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const shaped: (SendInput | null)[] = [];
        const shapeErrors = new Map<number, SubtextError>();
        req.body.messages.forEach((item, index) => {
          if (checkItem(item)) shaped.push(item as SendInput);
          else {
            shaped.push(null);
            shapeErrors.set(
              index,
              new SubtextError("invalid_request", 400, "This item does not match the message schema.", {
                details: describeValidation(checkItem.errors ?? [], "body"),
              }),
            );
          }
        });
        const valid = shaped.flatMap((s, index) => (s ? [{ s, index }] : []));
        const results = valid.length
          ? await sendBatch(
              services,
              tenant,
              valid.map((v) => v.s),
              req.headers["idempotency-key"],
              valid.map((v) => v.index),
            )
          : [];
        const byIndex = new Map(results.map((r) => [r.index, r]));
        let accepted = 0;
        const out = req.body.messages.map((_, index) => {
          const shapeError = shapeErrors.get(index);
          if (shapeError) return { index, accepted: false, error: shapeError.toBody().error };
          const r = byIndex.get(index)!;
          if (!r.ok) return { index, accepted: false, error: r.error.toBody().error };
          accepted++;
          const v = messageView(r.outcome.row);
          return {
            index,
            accepted: true,
            id: v.id,
            status: v.status,
            segments: v.segments,
            encoding: v.encoding,
            price_estimate: v.price_estimate,
            replayed: r.outcome.replayed,
          };
        });
        messaging.dispatcher.wake();
        metrics.accepted.inc({ path: "batch" }, out.filter((r) => r.accepted && !r.replayed).length);
        return reply.code(202).send({ accepted, rejected: out.length - accepted, results: out });
      },
    );

    app.get(
      "/v1/messages/:id",
      {
        schema: {
          tags: ["messages"],
          summary: "Read a message with its timeline (events)",
          security: [{ bearer: [] }],
          params: messageIdParams,
          response: responses({ 200: Ref("Message") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const row = await findMessage(services.db, tenant.id, req.params.id);
        if (!row) throw notFound("message", req.params.id);
        return { ...messageView(row), events: timelineView(row, await timelineOf(services.db, row.id)) };
      },
    );

    app.get(
      "/v1/messages",
      {
        schema: {
          tags: ["messages"],
          summary: "Search messages, newest first, paged by cursor",
          security: [{ bearer: [] }],
          querystring: Defaulted(
            Type.Object(
              {
                status: Type.Optional(Type.Enum(MESSAGE_STATUSES, { type: "string" })),
                to: Type.Optional(Type.String({ maxLength: 64 })),
                from: Type.Optional(Type.String({ maxLength: 64 })),
                after: Type.Optional(
                  Type.String({ format: "date-time", description: "Created at or after" }),
                ),
                before: Type.Optional(Type.String({ format: "date-time", description: "Created before" })),
                cursor: Type.Optional(
                  Type.String({ maxLength: 64, description: "next_cursor of the previous page" }),
                ),
                limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({
            200: pageOf("Message"),
          }),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const q = req.query;
        const { rows, hasMore } = await listMessages(services.db, tenant.id, {
          status: q.status,
          to: q.to,
          from: q.from,
          after: q.after ? new Date(q.after) : undefined,
          before: q.before ? new Date(q.before) : undefined,
          cursor: q.cursor,
          limit: q.limit,
        });
        return page(rows, hasMore, messageView);
      },
    );

    app.post(
      "/v1/messages/:id/cancel",
      {
        schema: {
          tags: ["messages"],
          summary: "Cancel a message not yet handed to Twilio (queued or scheduled)",
          security: [{ bearer: [] }],
          params: messageIdParams,
          response: responses({ 200: Ref("Message") }, [400, 401, 403, 404, 409]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const canceled = await cancelMessage(services.db, tenant.id, req.params.id, services.clock.now());
        if (canceled) return messageView(canceled);
        const row = await findMessage(services.db, tenant.id, req.params.id);
        if (!row) throw notFound("message", req.params.id);
        throw new SubtextError(
          "not_cancelable",
          409,
          `The message is ${row.status}; only queued or scheduled messages can be canceled.`,
          {
            hint: "A message handed to Twilio can no longer be stopped.",
          },
        );
      },
    );
  };
}
