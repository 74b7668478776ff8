import type { Queryable } from "../db/db.js";
import { newId } from "../db/ids.js";
import { enqueue, enqueueMany } from "../jobs/queue.js";
import { type EventType, isEventType } from "./types.js";

export type { EventType } from "./types.js";

export const DELIVER_WEBHOOK = "webhook.deliver";
/** A delivery job's payload, built in SQL by the bulk insert below (from `j.delivery_id`). */

/**
 * A delivery job is due at once under any clock. emitEvent only gets a Queryable (it runs in
 * the caller's transaction), so it cannot read the platform clock; the epoch is "now" for the
 * system clock and for a test's ManualClock alike, and sorts before other due work.
 */
export const DUE_NOW = new Date(0);

export interface NewEvent {
  tenantId: string;
  type: EventType;
  data: Record<string, unknown>;
  /** Deliveries with the same ordering key go out in order per endpoint (e.g. the message id). */
  orderingKey?: string;
}

/**
 * Records an event and, for each of the tenant's enabled endpoints subscribed to its type, a
 * delivery and its job. Call it in the transaction that changes the state the event reports:
 * the event exists if and only if that change committed, and delivery starts after commit.
 */
export async function emitEvent(q: Queryable, e: NewEvent): Promise<{ id: string }> {
  if (!isEventType(e.type)) throw new Error(`emitEvent: unknown event type ${JSON.stringify(e.type)}`);
  const id = newId("evt");
  // One round trip when the tenant has no endpoints (the common case on the hot path).
  const { rows: endpoints } = await q.query<{ id: string }>(
    `WITH ev AS (
       INSERT INTO events (id, tenant_id, type, ordering_key, data) VALUES ($1, $2, $3, $4, $5::jsonb)
       RETURNING id)
     SELECT w.id FROM webhook_endpoints w
     WHERE w.tenant_id = $2 AND w.enabled AND w.deleted_at IS NULL
       AND (w.event_types IS NULL OR $3 = ANY (w.event_types))
     ORDER BY w.id`,
    [id, e.tenantId, e.type, e.orderingKey ?? null, JSON.stringify(e.data)],
  );
  for (const endpoint of endpoints) {
    await createDelivery(q, {
      eventId: id,
      endpointId: endpoint.id,
      tenantId: e.tenantId,
      orderingKey: e.orderingKey,
    });
  }
  return { id };
}

/**
 * emitEvent for many events at once (a batch send): the same effect as calling emitEvent for
 * each in order, in a fixed number of statements instead of one or more per event.
 */
export async function emitEvents(q: Queryable, events: readonly NewEvent[]): Promise<{ id: string }[]> {
  if (events.length === 0) return [];
  for (const e of events) {
    if (!isEventType(e.type)) throw new Error(`emitEvents: unknown event type ${JSON.stringify(e.type)}`);
  }
  const ids = events.map(() => newId("evt"));
  await q.query(
    `INSERT INTO events (id, tenant_id, type, ordering_key, data)
     SELECT e.id, e.tenant_id, e.type, e.ordering_key, d.value
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e (id, tenant_id, type, ordering_key, n)
     JOIN jsonb_array_elements($5::jsonb) WITH ORDINALITY AS d (value, n) ON d.n = e.n
     ORDER BY e.n`,
    [
      ids,
      events.map((e) => e.tenantId),
      events.map((e) => e.type),
      events.map((e) => e.orderingKey ?? null),
      JSON.stringify(events.map((e) => e.data)),
    ],
  );
  const { rows: endpoints } = await q.query<{ id: string; tenant_id: string; event_types: string[] | null }>(
    `SELECT id, tenant_id, event_types FROM webhook_endpoints
     WHERE tenant_id = ANY ($1::text[]) AND enabled AND deleted_at IS NULL ORDER BY id`,
    [[...new Set(events.map((e) => e.tenantId))]],
  );
  if (endpoints.length === 0) return ids.map((id) => ({ id }));
  const deliveries: {
    id: string;
    eventId: string;
    endpointId: string;
    tenantId: string;
    orderingKey: string | null;
  }[] = [];
  events.forEach((e, i) => {
    for (const w of endpoints) {
      if (w.tenant_id !== e.tenantId || (w.event_types && !w.event_types.includes(e.type))) continue;
      deliveries.push({
        id: newId("whd"),
        eventId: ids[i],
        endpointId: w.id,
        tenantId: e.tenantId,
        orderingKey: e.orderingKey ?? null,
      });
    }
  });
  if (deliveries.length > 0) {
    await q.query(
      `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, tenant_id, ordering_key)
       SELECT d.id, d.event_id, d.endpoint_id, d.tenant_id, d.ordering_key
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
         AS d (id, event_id, endpoint_id, tenant_id, ordering_key, n)
       ORDER BY d.n`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.tenantId),
        deliveries.map((d) => d.orderingKey),
      ],
    );
    // One keyed job per delivery, due at once, as enqueue() would.
    await enqueueMany(
      q,
      DELIVER_WEBHOOK,
      deliveries.map((d) => ({ delivery_id: d.id })),
      { keyOf: (p) => deliveryJobKey(p.delivery_id), runAt: DUE_NOW },
    );
  }
  return ids.map((id) => ({ id }));
}

/** A delivery row and the job that sends it (also used by replays). */
export async function createDelivery(
  q: Queryable,
  d: { eventId: string; endpointId: string; tenantId: string; orderingKey?: string | null; replay?: boolean },
): Promise<string> {
  const id = newId("whd");
  await q.query(
    `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, tenant_id, ordering_key, replay)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, d.eventId, d.endpointId, d.tenantId, d.orderingKey ?? null, d.replay ?? false],
  );
  await enqueue(q, DELIVER_WEBHOOK, { delivery_id: id }, { key: deliveryJobKey(id), runAt: DUE_NOW });
  return id;
}

export function deliveryJobKey(deliveryId: string): string {
  return `${DELIVER_WEBHOOK}:${deliveryId}`;
}
