import { dateTime, nullableDateTime } from "../../http/schemas.js";
import { Nullable, OpenObject, Type } from "../../kernel/schema.js";
import type { EventRow } from "../deliver.js";
import type { EndpointRow } from "../endpoints.js";
import type { DeliveryLogRow } from "../log.js";
import { EVENT_TYPES } from "../types.js";

/** Shared schemas of the events module (referenced by $id, listed in /openapi.json). */
export const WebhookEndpointSchema = Type.Object(
  {
    id: Type.String({ examples: ["whe_01JC0000000000000000000000"] }),
    tenant_id: Type.String(),
    url: Type.String(),
    description: Type.Optional(Nullable(Type.String())),
    event_types: Nullable(
      Type.Array(Type.String(), { description: "The event types sent to this endpoint; null = all" }),
    ),
    enabled: Type.Boolean(),
    disabled_reason: Type.Optional(
      Nullable(
        Type.String({
          description: "`failing` (switched off after persistent failure) or `disabled_by_user`",
        }),
      ),
    ),
    disabled_at: Type.Optional(nullableDateTime),
    consecutive_failures: Type.Optional(Type.Integer()),
    failing_since: Type.Optional(nullableDateTime),
    last_success_at: Type.Optional(nullableDateTime),
    secret_rotation_ends_at: Type.Optional(
      Nullable(
        Type.String({ format: "date-time", description: "Until then the previous secret also signs" }),
      ),
    ),
    created_at: dateTime,
    updated_at: Type.Optional(dateTime),
  },
  { $id: "WebhookEndpoint" },
);

export const EventSchema = Type.Object(
  {
    id: Type.String({ examples: ["evt_01JC0000000000000000000000"] }),
    type: Type.Enum(EVENT_TYPES, { type: "string" }),
    created_at: dateTime,
    tenant_id: Type.String(),
    ordering_key: Type.Optional(Nullable(Type.String())),
    data: OpenObject(),
  },
  { $id: "Event" },
);

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String({ examples: ["whd_01JC0000000000000000000000"] }),
    event_id: Type.String(),
    event_type: Type.Optional(Type.String()),
    endpoint_id: Type.String(),
    status: Type.Enum(["pending", "retrying", "succeeded", "failed"], { type: "string" }),
    replay: Type.Optional(Type.Boolean()),
    ordering_key: Type.Optional(Nullable(Type.String())),
    attempts: Type.Integer(),
    next_attempt_at: Type.Optional(nullableDateTime),
    last_attempt_at: Type.Optional(nullableDateTime),
    last_status_code: Type.Optional(Nullable(Type.Integer())),
    last_latency_ms: Type.Optional(Nullable(Type.Integer())),
    last_error: Type.Optional(Nullable(Type.String())),
    waiting_for: Type.Optional(
      Nullable(Type.String({ description: "An earlier delivery with the same ordering key" })),
    ),
    created_at: Type.Optional(dateTime),
    completed_at: Type.Optional(nullableDateTime),
    attempt_log: Type.Optional(
      Type.Array(
        Type.Object({
          attempt: Type.Optional(Type.Integer()),
          started_at: Type.Optional(dateTime),
          status_code: Type.Optional(Nullable(Type.Integer())),
          latency_ms: Type.Optional(Type.Integer()),
          error: Type.Optional(Nullable(Type.String())),
          response_excerpt: Type.Optional(Nullable(Type.String())),
        }),
      ),
    ),
  },
  { $id: "WebhookDelivery" },
);

export const EVENT_SCHEMAS = [WebhookEndpointSchema, EventSchema, WebhookDeliverySchema];

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function endpointView(e: EndpointRow, now: Date) {
  return {
    id: e.id,
    tenant_id: e.tenant_id,
    url: e.url,
    description: e.description,
    event_types: e.event_types,
    enabled: e.enabled,
    disabled_reason: e.disabled_reason,
    disabled_at: iso(e.disabled_at),
    consecutive_failures: e.consecutive_failures,
    failing_since: iso(e.failing_since),
    last_success_at: iso(e.last_success_at),
    secret_rotation_ends_at:
      e.previous_secret_expires_at && e.previous_secret_expires_at > now
        ? iso(e.previous_secret_expires_at)
        : null,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}

export function eventView(e: EventRow) {
  return {
    id: e.id,
    type: e.type,
    created_at: e.created_at.toISOString(),
    tenant_id: e.tenant_id,
    ordering_key: e.ordering_key,
    data: e.data,
  };
}

export function deliveryView(d: DeliveryLogRow) {
  return {
    id: d.id,
    event_id: d.event_id,
    event_type: d.event_type,
    endpoint_id: d.endpoint_id,
    status: d.status,
    replay: d.replay,
    ordering_key: d.ordering_key,
    attempts: d.attempts,
    next_attempt_at: iso(d.next_attempt_at),
    last_attempt_at: iso(d.last_attempt_at),
    last_status_code: d.last_status_code,
    last_latency_ms: d.last_latency_ms,
    last_error: d.last_error,
    waiting_for: d.blocked_by,
    created_at: d.created_at.toISOString(),
    completed_at: iso(d.completed_at),
    attempt_log: d.attempt_log.map((a) => ({ ...a, started_at: new Date(a.started_at).toISOString() })),
  };
}
