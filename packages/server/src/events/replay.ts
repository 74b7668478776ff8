import type { Queryable } from "../db/db.js";
import { SubtextError, notFound } from "../kernel/errors.js";
import type { EventRow } from "./deliver.js";
import { createDelivery } from "./emit.js";
import type { EndpointRow } from "./endpoints.js";

/**
 * Delivers an event again: to one endpoint (subscribed or not, as long as it is enabled), or
 * to every enabled endpoint of the tenant subscribed to its type. A replay is a new delivery
 * with the same webhook-id (receivers dedupe by it) and no ordering key: it was asked for
 * explicitly and should not wait behind live traffic.
 */
export async function replayEvent(q: Queryable, event: EventRow, endpointId?: string): Promise<string[]> {
  let endpoints: EndpointRow[];
  if (endpointId) {
    const endpoint = await q.maybeOne<EndpointRow>(
      "SELECT * FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL",
      [endpointId, event.tenant_id],
    );
    if (!endpoint) throw notFound("webhook endpoint", endpointId);
    if (!endpoint.enabled) {
      throw new SubtextError("endpoint_disabled", 409, "The webhook endpoint is disabled.", {
        hint: 'Enable it first: PATCH /v1/webhook-endpoints/{id} with {"enabled": true}.',
      });
    }
    endpoints = [endpoint];
  } else {
    const { rows } = await q.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND enabled AND deleted_at IS NULL
         AND (event_types IS NULL OR $2 = ANY (event_types)) ORDER BY id`,
      [event.tenant_id, event.type],
    );
    endpoints = rows;
  }
  const ids: string[] = [];
  for (const endpoint of endpoints) {
    ids.push(
      await createDelivery(q, {
        eventId: event.id,
        endpointId: endpoint.id,
        tenantId: event.tenant_id,
        replay: true,
      }),
    );
  }
  return ids;
}
