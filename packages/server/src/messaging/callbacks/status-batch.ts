/**
 * Status callbacks applied in groups: Twilio sends several callbacks per message, so intake is
 * the busiest path after sending. Callbacks that arrive together share one transaction (the
 * route answers each after that commit, so none is acknowledged and then lost): one query
 * locks every message concerned, the statuses are worked out in memory (forward only, in
 * arrival order), then one statement writes the timeline, one the messages, one the adopted
 * attempts; events are emitted per change and usage is metered per tenant and channel.
 */
import type { Queryable } from "../../db/db.js";
import { recordWhatsAppDeliveryError } from "../whatsapp/session.js";
import { type NewEvent, emitEvents } from "../../events/emit.js";
import { recordUsage } from "../../usage/record.js";
import { ALL_SENDERS, optOut } from "../optouts/store.js";
import { type MessageStatus, eventTypeFor, isBillable, isFinal, isForward } from "../status.js";
import type { MessageRow } from "../store/messages.js";
import { meteredChannel } from "../store/transitions.js";
import { type TimelineEntry, addTimeline } from "../store/timeline.js";
import { TWILIO_CODES } from "@subtext/telecom/twilio-codes";
import { messageView } from "../view.js";

export interface StatusReport {
  tenantId: string;
  /** Our message id from the callback URL (`?m=`), when present. */
  marker: string | undefined;
  sid: string;
  status: MessageStatus;
  twilioStatus: string;
  errorCode: number | null;
  errorMessage: string | null;
  at: Date;
  /**
   * The callback's From and To ("" when absent): From names the sender Twilio chose for a
   * Messaging Service send; the WhatsApp channel closes its session on 63016.
   */
  from: string;
  to: string;
}

export type StatusIntake = "applied" | "unknown_message" | "ignored";

interface Change {
  row: MessageRow;
  before: MessageRow;
  moves: MessageStatus[];
  adopted: boolean;
  /** A Messaging Service send whose sender this callback names first. */
  senderLearned: boolean;
}

export async function applyStatusReports(q: Queryable, reports: StatusReport[]): Promise<StatusIntake[]> {
  const rows = await lockTargets(q, reports);
  for (const r of reports) {
    await recordWhatsAppDeliveryError(q, {
      tenantId: r.tenantId,
      from: r.from,
      to: r.to,
      errorCode: r.errorCode,
      at: r.at,
    });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bySid = new Map(rows.filter((r) => r.twilio_sid).map((r) => [`${r.tenant_id}|${r.twilio_sid}`, r]));
  const changes = new Map<string, Change>();
  const timeline: TimelineEntry[] = [];
  const results: StatusIntake[] = [];

  for (const r of reports) {
    const target =
      (r.marker && byId.get(r.marker)?.tenant_id === r.tenantId ? byId.get(r.marker) : undefined) ??
      bySid.get(`${r.tenantId}|${r.sid}`);
    if (!target) {
      results.push("unknown_message");
      continue;
    }
    const change = changes.get(target.id) ?? {
      row: { ...target },
      before: target,
      moves: [],
      adopted: false,
      senderLearned: false,
    };
    changes.set(target.id, change);
    const row = change.row;
    if (row.twilio_sid && row.twilio_sid !== r.sid) {
      // Twilio has two messages for one of ours: never silently; the timeline says so.
      timeline.push({
        messageId: row.id,
        kind: "note",
        name: "duplicate_at_twilio",
        at: r.at,
        data: { twilio_sid: r.sid },
      });
      results.push("ignored");
      continue;
    }
    if (!row.twilio_sid) {
      // The create answer was lost (timeout) but Twilio has the message: this settles the attempt.
      row.twilio_sid = r.sid;
      change.adopted = true;
    }
    if (!row.from_number && r.from) {
      // Twilio picks a Messaging Service's sender after its create answer (from: null there);
      // the callbacks name it. The first one wins: a known sender is never replaced.
      row.from_number = r.from;
      change.senderLearned = true;
    }
    const data: Record<string, unknown> = { source: "callback", twilio_status: r.twilioStatus };
    if (r.errorCode) data.error_code = r.errorCode;
    timeline.push({ messageId: row.id, kind: "status", name: r.status, at: r.at, data });
    if (isForward(row.status, r.status)) {
      const errorCode =
        r.errorCode ?? (r.status === "failed" || r.status === "undelivered" ? row.error_code : null);
      Object.assign(row, {
        status: r.status,
        updated_at: r.at,
        twilio_status: r.twilioStatus,
        error_code: errorCode,
        error_message: r.errorMessage ?? (errorCode ? (TWILIO_CODES[errorCode]?.explanation ?? null) : null),
        sent_at: isBillable(r.status) ? (row.sent_at ?? r.at) : row.sent_at,
        completed_at: isFinal(r.status) ? r.at : row.completed_at,
      });
      change.moves.push(r.status);
    }
    results.push("applied");
  }

  const adopted = [...changes.values()].filter((c) => c.adopted);
  for (const c of adopted) {
    timeline.push({
      messageId: c.row.id,
      kind: "note",
      name: "adopted_from_callback",
      at: c.row.updated_at,
      data: { twilio_sid: c.row.twilio_sid },
    });
  }
  await addTimeline(q, timeline);
  if (adopted.length > 0) {
    await q.query(
      `UPDATE message_attempts a SET outcome = 'found', finished_at = v.at, twilio_sid = v.sid
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(message_id, sid, at)
       WHERE a.message_id = v.message_id AND a.message_id = ANY($1::text[]) AND a.outcome IN ('pending', 'ambiguous')`,
      [
        adopted.map((c) => c.row.id),
        adopted.map((c) => c.row.twilio_sid),
        adopted.map((c) => c.row.updated_at.toISOString()),
      ],
    );
  }
  const moved = [...changes.values()].filter((c) => c.moves.length > 0 || c.adopted || c.senderLearned);
  await writeMessages(q, moved);
  await afterChanges(
    q,
    moved.filter((c) => c.moves.length > 0),
  );
  return results;
}

/**
 * Every message the reports name, locked in id order (no deadlock between concurrent groups).
 * The open attempts of the messages named by marker first: a callback may settle one (adopting
 * its SID), and the dispatcher's recordAccepted locks attempt before message, in message order.
 */
async function lockTargets(q: Queryable, reports: StatusReport[]): Promise<MessageRow[]> {
  const markers = reports.flatMap((r) => (r.marker ? [r.marker] : []));
  if (markers.length > 0) {
    await q.query(
      `SELECT id FROM message_attempts WHERE message_id = ANY($1::text[]) AND outcome IN ('pending', 'ambiguous')
       ORDER BY message_id, id FOR UPDATE`,
      [markers],
    );
  }
  // The candidates by marker and by SID (message_sids), then read by id: that prunes to their
  // months. A report names a message only of its own tenant.
  const { rows: named } = await q.query<{ id: string; tenant_id: string }>(
    `SELECT r.marker AS id, r.tenant_id FROM unnest($1::text[], $2::text[]) AS r(tenant_id, marker)
     WHERE r.marker IS NOT NULL
     UNION
     SELECT s.message_id, r.tenant_id FROM unnest($1::text[], $3::text[]) AS r(tenant_id, sid)
     JOIN message_sids s ON s.twilio_sid = r.sid`,
    [reports.map((r) => r.tenantId), reports.map((r) => r.marker ?? null), reports.map((r) => r.sid)],
  );
  if (named.length === 0) return [];
  const { rows } = await q.query<MessageRow>(
    `SELECT * FROM messages m
     WHERE m.id = ANY($1::text[])
       AND (m.id, m.tenant_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY m.id FOR UPDATE`,
    [named.map((n) => n.id), named.map((n) => n.tenant_id)],
  );
  return rows;
}

async function writeMessages(q: Queryable, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({
    ...c.row,
    usage_recorded: c.before.usage_recorded || c.moves.some(isBillable),
  }));
  const col = <T>(f: (r: MessageRow) => T) => rows.map(f);
  await q.query(
    `UPDATE messages m SET status = v.status, updated_at = v.updated_at, twilio_sid = COALESCE(m.twilio_sid, v.sid),
       from_number = COALESCE(m.from_number, v.from_number), twilio_status = v.twilio_status, error_code = v.error_code, error_message = v.error_message,
       sent_at = v.sent_at, completed_at = v.completed_at, usage_recorded = v.usage_recorded
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::int[], $7::text[],
       $8::timestamptz[], $9::timestamptz[], $10::boolean[], $11::text[])
       AS v(id, status, updated_at, sid, twilio_status, error_code, error_message, sent_at, completed_at, usage_recorded,
         from_number)
     WHERE m.id = v.id AND m.id = ANY($1::text[])`,
    [
      col((r) => r.id),
      col((r) => r.status),
      col((r) => r.updated_at.toISOString()),
      col((r) => r.twilio_sid),
      col((r) => r.twilio_status),
      col((r) => r.error_code),
      col((r) => r.error_message),
      col((r) => r.sent_at?.toISOString() ?? null),
      col((r) => r.completed_at?.toISOString() ?? null),
      col((r) => r.usage_recorded),
      col((r) => r.from_number),
    ],
  );
}

/** Webhooks per status reached, usage per tenant and channel, and 21610's opt-out. */
async function afterChanges(q: Queryable, changes: Change[]): Promise<void> {
  const usage = new Map<
    string,
    { tenantId: string; channel: "sms" | "mms" | "whatsapp"; messages: number; segments: number; at: Date }
  >();
  const events: NewEvent[] = [];
  for (const c of changes) {
    for (const status of c.moves) {
      const type = eventTypeFor(status);
      if (type) {
        events.push({
          tenantId: c.row.tenant_id,
          type,
          data: { message: messageView({ ...c.row, status }) },
          orderingKey: c.row.id,
        });
      }
    }
    if (!c.before.usage_recorded && c.moves.some(isBillable)) {
      const channel = meteredChannel(c.row.channel);
      const key = `${c.row.tenant_id}|${channel}`;
      const u = usage.get(key) ?? {
        tenantId: c.row.tenant_id,
        channel,
        messages: 0,
        segments: 0,
        at: c.row.updated_at,
      };
      u.messages++;
      u.segments += c.row.segments;
      usage.set(key, u);
    }
    if (c.row.error_code === 21610 && c.moves.length > 0) {
      // Twilio refused because the recipient opted out (perhaps with a STOP we never saw).
      await optOut(q, {
        tenantId: c.row.tenant_id,
        phone: c.row.to_number.replace(/^whatsapp:/, ""),
        scope: c.row.messaging_service_sid ?? c.row.from_number ?? ALL_SENDERS,
        source: "twilio_21610",
        actor: "twilio",
        reason: "Twilio error 21610: the recipient has unsubscribed from this sender",
        at: c.row.updated_at,
      });
    }
  }
  await emitEvents(q, events);
  for (const u of usage.values()) {
    await recordUsage(q, {
      tenantId: u.tenantId,
      channel: u.channel,
      direction: "outbound",
      messages: u.messages,
      segments: u.segments,
      at: u.at,
    });
  }
}
