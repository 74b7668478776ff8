import type { Db, Queryable } from "../db/db.js";
import { enqueue } from "../jobs/queue.js";
import type { Snooze } from "../jobs/runner.js";
import type { Services } from "../kernel/services.js";
import { DELIVER_WEBHOOK, DUE_NOW, emitEvent } from "./emit.js";
import { type EndpointRow, abandonOpenDeliveries, signingSecrets } from "./endpoints.js";
import { nextRetryDelay, shouldDisableEndpoint } from "./schedule.js";
import { type AttemptResult, sendWebhook } from "./sender.js";
import { webhookUrlPolicy } from "./url-policy.js";

export type DeliveryDeps = Pick<
  Services,
  "db" | "vault" | "caches" | "clock" | "config" | "log" | "version" | "urls"
> & {
  random?: () => number;
};

export interface DeliveryRow {
  id: string;
  seq: number;
  event_id: string;
  endpoint_id: string;
  tenant_id: string;
  ordering_key: string | null;
  status: "pending" | "retrying" | "succeeded" | "failed";
  attempts: number;
  next_attempt_at: Date | null;
  blocked_by: string | null;
}

export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  ordering_key: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

/** The body every receiver gets (Standard Webhooks: a JSON object with type and data). */
export function webhookPayload(e: EventRow) {
  return {
    id: e.id,
    type: e.type,
    created_at: e.created_at.toISOString(),
    tenant_id: e.tenant_id,
    data: e.data,
  };
}

/**
 * The `webhook.deliver` job: one attempt of one delivery. Sends outside any transaction, then
 * records the outcome, the endpoint's failure streak and the next attempt in one. Returns a
 * snooze (not a failure: the schedule is ours, not the job runner's) when a retry is due.
 */
export async function deliverWebhook(deps: DeliveryDeps, deliveryId: string): Promise<Snooze | undefined> {
  const { db, clock } = deps;
  // The delivery, its endpoint and its event in one round trip: this runs once per webhook.
  const found = await db.maybeOne<Record<"d" | "endpoint" | "event", Record<string, unknown>>>(
    `SELECT to_jsonb(d.*) AS d, to_jsonb(e.*) AS endpoint, to_jsonb(v.*) AS event
     FROM webhook_deliveries d
     JOIN webhook_endpoints e ON e.id = d.endpoint_id
     JOIN events v ON v.id = d.event_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  if (!found) return;
  const d = revive<DeliveryRow>(found.d, ["next_attempt_at"]);
  const endpoint = revive<EndpointRow>(found.endpoint, ENDPOINT_DATES);
  const event = revive<EventRow>(found.event, ["created_at"]);
  if (d.status === "succeeded" || d.status === "failed" || d.blocked_by) return;
  if (d.next_attempt_at && d.next_attempt_at > clock.now()) return { retryAt: d.next_attempt_at };
  if (!endpoint.enabled || endpoint.deleted_at) {
    await db.tx((tx) =>
      finish(tx, d, "failed", endpoint.deleted_at ? "endpoint deleted" : "endpoint disabled", clock.now()),
    );
    return;
  }
  if (d.ordering_key && (await parkBehindEarlier(db, d))) return;

  const startedAt = clock.now();
  const result = await sendWebhook({
    url: endpoint.url,
    messageId: event.id,
    body: JSON.stringify(webhookPayload(event)),
    secrets: await signingSecrets(deps, endpoint, startedAt),
    timestamp: new Date(), // wall time: receivers check it against their own clock
    userAgent: `Subtext-Webhooks/${deps.version}`,
    policy: webhookUrlPolicy(deps),
  });
  const outcome = await db.tx((tx) => recordAttempt(tx, deps, d, endpoint, event, result, startedAt));
  deps.log.info(
    {
      event: result.ok ? "webhook.delivered" : "webhook.attempt_failed",
      delivery_id: d.id,
      event_id: event.id,
      endpoint_id: endpoint.id,
      attempt: d.attempts + 1,
      status_code: result.statusCode,
      latency_ms: result.latencyMs,
      next_attempt_at: outcome.retryAt?.toISOString(),
      endpoint_disabled: outcome.disabled || undefined,
    },
    result.ok ? "webhook delivered" : "webhook attempt failed",
  );
  if (outcome.retryAt) return { retryAt: outcome.retryAt };
}

/**
 * Per-key ordering: if an earlier delivery with the same key to the same endpoint is still
 * open, this one waits behind the nearest such (blocked_by, no job) and is woken when that
 * finishes. The earlier row is locked so its completion cannot slip between our look and
 * our parking; a locked read with LIMIT can miss rows that changed while it waited, hence
 * the unlocked re-check.
 */
async function parkBehindEarlier(db: Db, d: DeliveryRow): Promise<boolean> {
  const earlier = `SELECT id FROM webhook_deliveries
     WHERE endpoint_id = $1 AND ordering_key = $2 AND seq < $3 AND status IN ('pending', 'retrying')
     ORDER BY seq DESC LIMIT 1`;
  const args = [d.endpoint_id, d.ordering_key, d.seq];
  // Usually nothing earlier is open, and an open delivery only ever closes: then no lock is needed.
  if (!(await db.maybeOne(earlier, args))) return false;
  return db.tx(async (tx) => {
    for (let i = 0; i < 5; i++) {
      const head = await tx.maybeOne<{ id: string }>(`${earlier} FOR UPDATE`, args);
      if (head) {
        await tx.query("UPDATE webhook_deliveries SET blocked_by = $2 WHERE id = $1", [d.id, head.id]);
        return true;
      }
      if (!(await tx.maybeOne(earlier, args))) return false;
    }
    return false;
  });
}

async function recordAttempt(
  tx: Queryable,
  deps: DeliveryDeps,
  d: DeliveryRow,
  endpoint: EndpointRow,
  event: EventRow,
  result: AttemptResult,
  startedAt: Date,
): Promise<{ retryAt: Date | null; disabled: boolean }> {
  const now = deps.clock.now();
  const attempt = d.attempts + 1;
  await tx.query(
    `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error, response_excerpt)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [d.id, attempt, startedAt, result.statusCode, result.latencyMs, result.error, result.excerpt],
  );
  if (result.ok) {
    await tx.query(
      `UPDATE webhook_deliveries SET attempts = $2, last_attempt_at = $3, last_status_code = $4,
         last_latency_ms = $5, last_error = NULL, status = 'succeeded', next_attempt_at = NULL,
         completed_at = $6
       WHERE id = $1`,
      [d.id, attempt, startedAt, result.statusCode, result.latencyMs, now],
    );
    if (d.ordering_key) await wakeWaiting(tx, d.id);
    // Every delivery to an endpoint would otherwise update its one row: deliveries in flight
    // together queue on that row's lock. Its health changes rarely; its last success is kept
    // to the second.
    await tx.query(
      `UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, last_success_at = $2
       WHERE id = $1 AND (consecutive_failures <> 0 OR failing_since IS NOT NULL
                          OR last_success_at IS NULL OR last_success_at < $2::timestamptz - interval '1 second')`,
      [endpoint.id, startedAt],
    );
    return { retryAt: null, disabled: false };
  }
  await tx.query(
    `UPDATE webhook_deliveries SET attempts = $2, last_attempt_at = $3, last_status_code = $4,
       last_latency_ms = $5, last_error = $6 WHERE id = $1`,
    [d.id, attempt, startedAt, result.statusCode, result.latencyMs, result.error],
  );
  const streak = await tx.one<{ consecutive_failures: number; failing_since: Date }>(
    `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
       failing_since = COALESCE(failing_since, $2) WHERE id = $1
     RETURNING consecutive_failures, failing_since`,
    [endpoint.id, startedAt],
  );
  if (
    shouldDisableEndpoint({
      consecutiveFailures: streak.consecutive_failures,
      failingSince: streak.failing_since,
      now,
    })
  ) {
    await disableFailingEndpoint(tx, endpoint, event, streak, now);
    return { retryAt: null, disabled: true };
  }
  const delay = nextRetryDelay(attempt, deps.random);
  if (delay === null) {
    await finish(tx, d, "failed", result.error, now);
    return { retryAt: null, disabled: false };
  }
  const retryAt = new Date(now.getTime() + delay);
  await tx.query("UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = $2 WHERE id = $1", [
    d.id,
    retryAt,
  ]);
  return { retryAt, disabled: false };
}

/** JSON rows (to_jsonb) carry dates as strings. */
function revive<T>(row: Record<string, unknown>, dates: readonly string[]): T {
  for (const k of dates) if (typeof row[k] === "string") row[k] = new Date(row[k] as string);
  return row as T;
}

const ENDPOINT_DATES = [
  "created_at",
  "updated_at",
  "deleted_at",
  "disabled_at",
  "failing_since",
  "last_success_at",
  "previous_secret_expires_at",
] as const;

/** Ends a delivery and wakes the deliveries that waited behind it. */
async function finish(
  tx: Queryable,
  d: DeliveryRow,
  status: "succeeded" | "failed",
  error: string | null,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE webhook_deliveries SET status = $2, next_attempt_at = NULL, completed_at = $3,
       last_error = COALESCE($4, CASE WHEN $2 = 'succeeded' THEN NULL ELSE last_error END)
     WHERE id = $1`,
    [d.id, status, now, error],
  );
  await wakeWaiting(tx, d.id);
}

async function wakeWaiting(tx: Queryable, finishedId: string): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    "UPDATE webhook_deliveries SET blocked_by = NULL WHERE blocked_by = $1 RETURNING id",
    [finishedId],
  );
  // No key: the parked delivery's first job may still be finishing (being deleted) right now.
  for (const r of rows) await enqueue(tx, DELIVER_WEBHOOK, { delivery_id: r.id }, { runAt: DUE_NOW });
}

/** Persistent failure: switch the endpoint off, drop what it had queued, tell the tenant. */
async function disableFailingEndpoint(
  tx: Queryable,
  endpoint: EndpointRow,
  event: EventRow,
  streak: { consecutive_failures: number; failing_since: Date },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'failing', disabled_at = $2, updated_at = $2
     WHERE id = $1`,
    [endpoint.id, now],
  );
  // Deliveries only wait behind deliveries to the same endpoint, so none is left parked.
  await abandonOpenDeliveries(tx, endpoint.id, "endpoint disabled after persistent failure", now);
  // Goes to the tenant's other endpoints (this one is no longer enabled).
  await emitEvent(tx, {
    tenantId: endpoint.tenant_id,
    type: "endpoint.disabled",
    data: {
      endpoint_id: endpoint.id,
      url: endpoint.url,
      reason: "failing",
      failing_since: streak.failing_since.toISOString(),
      consecutive_failures: streak.consecutive_failures,
      last_event_id: event.id,
    },
  });
}
