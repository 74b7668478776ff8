import { dateTime, nullableDateTime } from "../../http/schemas.js";
import type { EventRow } from "../deliver.js";
import type { EndpointRow } from "../endpoints.js";
import type { DeliveryLogRow } from "../log.js";
import { EVENT_TYPES } from "../types.js";

/** Shared JSON schemas of the events module (referenced by $id, listed in /openapi.json). */
export const WebhookEndpointSchema = {
  $id: "WebhookEndpoint",
  type: "object",
  required: ["id", "tenant_id", "url", "event_types", "enabled", "created_at"],
  properties: {
    id: { type: "string", examples: ["whe_01JC0000000000000000000000"] },
    tenant_id: { type: "string" },
    url: { type: "string" },
    description: { type: ["string", "null"] },
    event_types: {
      type: ["array", "null"],
      items: { type: "string" },
      description: "The event types sent to this endpoint; null = all",
    },
    enabled: { type: "boolean" },
    disabled_reason: {
      type: ["string", "null"],
      description: "`failing` (switched off after persistent failure) or `disabled_by_user`",
    },
    disabled_at: nullableDateTime,
    consecutive_failures: { type: "integer" },
    failing_since: nullableDateTime,
    last_success_at: nullableDateTime,
    secret_rotation_ends_at: {
      ...nullableDateTime,
      description: "Until then the previous secret also signs",
    },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

export const EventSchema = {
  $id: "Event",
  type: "object",
  required: ["id", "type", "created_at", "tenant_id", "data"],
  properties: {
    id: { type: "string", examples: ["evt_01JC0000000000000000000000"] },
    type: { type: "string", enum: [...EVENT_TYPES] },
    created_at: dateTime,
    tenant_id: { type: "string" },
    ordering_key: { type: ["string", "null"] },
    data: { type: "object", additionalProperties: true },
  },
} as const;

export const WebhookDeliverySchema = {
  $id: "WebhookDelivery",
  type: "object",
  required: ["id", "event_id", "endpoint_id", "status", "attempts"],
  properties: {
    id: { type: "string", examples: ["whd_01JC0000000000000000000000"] },
    event_id: { type: "string" },
    event_type: { type: "string" },
    endpoint_id: { type: "string" },
    status: { type: "string", enum: ["pending", "retrying", "succeeded", "failed"] },
    replay: { type: "boolean" },
    ordering_key: { type: ["string", "null"] },
    attempts: { type: "integer" },
    next_attempt_at: nullableDateTime,
    last_attempt_at: nullableDateTime,
    last_status_code: { type: ["integer", "null"] },
    last_latency_ms: { type: ["integer", "null"] },
    last_error: { type: ["string", "null"] },
    waiting_for: { type: ["string", "null"], description: "An earlier delivery with the same ordering key" },
    created_at: dateTime,
    completed_at: nullableDateTime,
    attempt_log: {
      type: "array",
      items: {
        type: "object",
        properties: {
          attempt: { type: "integer" },
          started_at: dateTime,
          status_code: { type: ["integer", "null"] },
          latency_ms: { type: "integer" },
          error: { type: ["string", "null"] },
          response_excerpt: { type: ["string", "null"] },
        },
      },
    },
  },
} as const;

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
