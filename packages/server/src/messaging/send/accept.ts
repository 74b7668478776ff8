/**
 * Storing accepted messages: many at once, in the caller's transaction (a group commit or a
 * batch). Per message: an idempotent replay or conflict, the suppression check, the tenant's
 * budget (when it has one), then one multi-row INSERT for all the new ones, their lanes marked
 * due, and `message.queued` emitted.
 */
import type { Queryable } from "../../db/db.js";
import { emitEvents } from "../../events/emit.js";
import { enqueue } from "../../jobs/queue.js";
import { LOOKUP_JOB } from "../lookup.js";
import { SubtextError } from "../../kernel/errors.js";
import {
  type MessageRow,
  type NewMessage,
  findByIdempotencyKeys,
  insertMessages,
  markLanesDue,
} from "../store/messages.js";
import { suppressedAmong, suppressionKey } from "../optouts/store.js";
import { refundBudget, reserveBudget } from "../../usage/budget/reserve.js";
import { messageView } from "../view.js";
import type { Route } from "./gate.js";
import type { ValidSend } from "./validate.js";

export interface Submission {
  id: string;
  tenantId: string;
  send: ValidSend;
  route: Route;
  laneId: string;
  priceEstimate: string | null;
  now: Date;
  /** The tenant wants recipients' carriers looked up (T-Mobile cap). */
  lookupCarrier?: boolean;
  /** The tenant has a budget: the message is counted against it (`withBudgets` in send.ts). */
  budgeted?: boolean;
}

export type Outcome = { ok: true; row: MessageRow; replayed: boolean } | { ok: false; error: SubtextError };

export async function acceptMany(q: Queryable, subs: Submission[]): Promise<Outcome[]> {
  const outcomes: (Outcome | null)[] = subs.map(() => null);
  const firstByKey = new Map<string, number>();

  // 1. Idempotency: a key seen before answers as it did then (or 409 for a different request).
  const keyed = subs.flatMap((s) =>
    s.send.idempotencyKey ? [{ tenantId: s.tenantId, key: s.send.idempotencyKey }] : [],
  );
  const existing = new Map(
    (await findByIdempotencyKeys(q, keyed)).map((r) => [`${r.tenant_id}|${r.idempotency_key}`, r]),
  );
  subs.forEach((s, i) => {
    if (!s.send.idempotencyKey) return;
    const k = `${s.tenantId}|${s.send.idempotencyKey}`;
    const before = existing.get(k);
    if (before) outcomes[i] = replay(before, s);
    else if (firstByKey.has(k))
      outcomes[i] = null; // a twin in this group: answered after the insert
    else firstByKey.set(k, i);
  });

  // 2. Suppression: an opted-out recipient is refused before anything is stored.
  const fresh = subs
    .map((s, i) => ({ s, i }))
    .filter(({ s, i }) => outcomes[i] === null && isFirst(firstByKey, s, i));
  const suppressed = await suppressedAmong(
    q,
    fresh.map(({ s }) => ({ tenantId: s.tenantId, phone: recipientNumber(s.send.to) })),
  );
  const candidates: Candidate[] = [];
  for (const { s, i } of fresh) {
    const scope = s.route.scopes.find((sc) =>
      suppressed.has(suppressionKey(s.tenantId, sc, recipientNumber(s.send.to))),
    );
    if (scope) outcomes[i] = { ok: false, error: optedOut(s.send.to, scope) };
    else candidates.push({ s, i, row: newRow(s) });
  }

  // 2b. Budgets: what a tenant's limits leave room for, the rest refused message by message.
  const toInsert = await withinBudgets(q, candidates, outcomes);

  // 3. One INSERT for all; a key that raced in from another transaction is skipped, then replayed.
  const inserted = await insertMessages(
    q,
    toInsert.map((t) => t.row),
  );
  const raced = toInsert.filter((t) => !inserted.has(t.row.id));
  await refund(
    q,
    raced.filter((t) => t.s.budgeted),
  );
  const racedRows = new Map(
    (
      await findByIdempotencyKeys(
        q,
        raced.map((t) => ({ tenantId: t.s.tenantId, key: t.s.send.idempotencyKey! })),
      )
    ).map((r) => [`${r.tenant_id}|${r.idempotency_key}`, r]),
  );
  const byKey = new Map<string, MessageRow>();
  for (const t of toInsert) {
    const k = `${t.s.tenantId}|${t.s.send.idempotencyKey}`;
    if (inserted.has(t.row.id)) {
      const row = rowOf(t.row);
      outcomes[t.i] = { ok: true, row, replayed: false };
      if (t.s.send.idempotencyKey) byKey.set(k, row);
    } else {
      const winner = racedRows.get(k)!;
      outcomes[t.i] = replay(winner, t.s);
      byKey.set(k, winner);
    }
  }
  subs.forEach((s, i) => {
    if (outcomes[i] !== null) return;
    const first = byKey.get(`${s.tenantId}|${s.send.idempotencyKey}`);
    const firstOutcome = outcomes[firstByKey.get(`${s.tenantId}|${s.send.idempotencyKey}`)!];
    outcomes[i] = first ? replay(first, s) : firstOutcome!;
  });

  const accepted = toInsert.filter((t) => inserted.has(t.row.id));
  await markLanesDue(
    q,
    accepted.map((t) => ({ laneId: t.row.laneId, at: t.row.notBefore })),
  );
  for (const t of accepted) {
    if (t.s.lookupCarrier) {
      await enqueue(
        q,
        LOOKUP_JOB,
        { tenant_id: t.s.tenantId, phone: t.row.to },
        { key: `${LOOKUP_JOB}:${t.row.to}` },
      );
    }
  }
  // A batch or a group commit emits its events in a fixed number of statements.
  await emitEvents(
    q,
    accepted.map((t) => ({
      tenantId: t.row.tenantId,
      type: "message.queued",
      data: { message: messageView(rowOf(t.row)) },
      orderingKey: t.row.id,
    })),
  );
  return outcomes as Outcome[];
}

type Candidate = { s: Submission; i: number; row: NewMessage };

/**
 * Reserves each budgeted tenant's candidates against its limits (tenants in a fixed order, so two
 * transactions never wait on each other's budget rows); answers the refused ones in `outcomes`
 * and returns the others.
 */
async function withinBudgets(
  q: Queryable,
  candidates: Candidate[],
  outcomes: (Outcome | null)[],
): Promise<Candidate[]> {
  const byTenant = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.s.budgeted) byTenant.set(c.s.tenantId, [...(byTenant.get(c.s.tenantId) ?? []), c]);
  }
  if (byTenant.size === 0) return candidates;
  const refused = new Set<Candidate>();
  for (const tenantId of [...byTenant.keys()].sort()) {
    const mine = byTenant.get(tenantId)!;
    const errors = await reserveBudget(
      q,
      tenantId,
      mine.map((c) => c.s.priceEstimate ?? "0"),
      mine[mine.length - 1].s.now,
    );
    errors.forEach((error, j) => {
      if (!error) return;
      outcomes[mine[j].i] = { ok: false, error };
      refused.add(mine[j]);
    });
  }
  return candidates.filter((c) => !refused.has(c));
}

/** A budgeted message whose idempotency key another transaction stored first was reserved twice. */
async function refund(q: Queryable, raced: Candidate[]): Promise<void> {
  const byTenant = new Map<string, Candidate[]>();
  for (const c of raced) byTenant.set(c.s.tenantId, [...(byTenant.get(c.s.tenantId) ?? []), c]);
  for (const [tenantId, mine] of byTenant) {
    await refundBudget(
      q,
      tenantId,
      mine.map((c) => c.s.priceEstimate ?? "0"),
      mine[mine.length - 1].s.now,
    );
  }
}

function isFirst(firstByKey: Map<string, number>, s: Submission, i: number): boolean {
  return !s.send.idempotencyKey || firstByKey.get(`${s.tenantId}|${s.send.idempotencyKey}`) === i;
}

function replay(row: MessageRow, s: Submission): Outcome {
  if (row.request_hash !== s.send.requestHash) {
    return {
      ok: false,
      error: new SubtextError(
        "idempotency_conflict",
        409,
        `The idempotency key ${s.send.idempotencyKey} was already used for a different request (message ${row.id}).`,
        { hint: "Use a new key for a new message; retry with the same body to get the original answer." },
      ),
    };
  }
  return { ok: true, row, replayed: true };
}

function optedOut(phone: string, scope: string): SubtextError {
  return new SubtextError(
    "recipient_opted_out",
    409,
    `${phone} has opted out of messages from this sender.`,
    {
      hint:
        scope === "all"
          ? "The number is on the tenant's suppression list; it can opt back in by replying START."
          : `The number opted out of ${scope}; it can opt back in by replying START.`,
      twilio_code: 21610,
      details: [{ path: "/to", code: "recipient_opted_out", scope, twilio_code: 21610 }],
    },
  );
}

/** Opt-outs are kept per number: a `whatsapp:` recipient is that number too. */
const recipientNumber = (to: string) => to.replace(/^whatsapp:/, "");

function newRow(s: Submission): NewMessage {
  return {
    id: s.id,
    tenantId: s.tenantId,
    laneId: s.laneId,
    channel: s.send.channel,
    status: s.send.sendAt ? "scheduled" : "queued",
    to: s.send.to,
    from: s.route.from,
    messagingServiceSid: s.route.messagingServiceSid,
    body: s.send.body,
    mediaUrls: s.send.mediaUrls,
    contentSid: s.send.contentSid,
    contentVariables: s.send.contentVariables,
    segments: s.send.segments,
    encoding: s.send.encoding,
    smartEncoded: s.send.smartEncoded,
    segmentsSaved: s.send.segmentsSaved,
    validityPeriod: s.send.validityPeriod,
    priceEstimate: s.priceEstimate,
    metadata: s.send.metadata,
    idempotencyKey: s.send.idempotencyKey,
    requestHash: s.send.requestHash,
    sendAt: s.send.sendAt,
    notBefore: s.send.sendAt ?? s.now,
    createdAt: s.now,
  };
}

/** The row as stored, without reading it back. */
function rowOf(n: NewMessage): MessageRow {
  return {
    id: n.id,
    tenant_id: n.tenantId,
    direction: "outbound",
    channel: n.channel,
    status: n.status,
    lane_id: n.laneId,
    to_number: n.to,
    from_number: n.from,
    messaging_service_sid: n.messagingServiceSid,
    body: n.body,
    media_urls: n.mediaUrls,
    content_sid: n.contentSid,
    content_variables: n.contentVariables,
    segments: n.segments,
    encoding: n.encoding,
    smart_encoded: n.smartEncoded,
    segments_saved: n.segmentsSaved,
    validity_period: n.validityPeriod,
    price_estimate: n.priceEstimate,
    metadata: n.metadata,
    idempotency_key: n.idempotencyKey,
    request_hash: n.requestHash,
    send_at: n.sendAt,
    not_before: n.notBefore,
    held_reason: null,
    attempts: 0,
    twilio_sid: null,
    twilio_status: null,
    error_code: null,
    error_message: null,
    usage_recorded: false,
    status_checked_at: null,
    created_at: n.createdAt,
    updated_at: n.createdAt,
    sent_at: null,
    completed_at: null,
    body_redacted_at: null,
  };
}
