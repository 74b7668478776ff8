/**
 * After a run, from the database and Twilio's (the emulator's) log: was anything lost, sent
 * twice, retried without bound, retried before its backoff, or sent on a lane Twilio had just
 * paused with a 429? Used by bench/faults.ts and bench/soak.ts (no vitest here).
 */
import type { Queryable } from "../../src/db/db.js";
import type { SentRecord } from "./twilio-log.js";

export interface Audit {
  accepted: number;
  atTwilio: number;
  lost: string[];
  sentTwice: string[];
  failed: { code: number | null; count: number }[];
  attempts: { n: number; messages: number }[];
  maxAttempts: number;
  retries: number;
  /** Retries that started before the retry_at their failure scheduled. */
  earlyRetries: number;
  ambiguous: number;
  /** Attempts after an ambiguous one that started before its reconciliation was due. */
  earlyAfterAmbiguous: number;
  rateLimited: number;
  /** 429s after which the same lane took a message within the pause. */
  pausesBroken: number;
  openAttempts: number;
  /** Messages at Twilio whose final status has not reached us (dropped callbacks). */
  statusLagging: number;
  duplicateTimeline: number;
  duplicateEvents: number;
}

export async function audit(
  db: Queryable,
  acceptedIds: Set<string>,
  sent: SentRecord[],
  pauseMs: number,
): Promise<Audit> {
  const { rows: msgs } = await db.query<{
    id: string;
    to_number: string;
    status: string;
    twilio_sid: string | null;
    error_code: number | null;
  }>("SELECT id, to_number, status, twilio_sid, error_code FROM messages");
  const byId = new Map(msgs.map((m) => [m.id, m]));
  const lost = [...acceptedIds].filter((id) => {
    const m = byId.get(id);
    return !m || (!m.twilio_sid && m.status !== "failed");
  });
  const perTo = new Map<string, number>();
  for (const s of sent) perTo.set(s.to, (perTo.get(s.to) ?? 0) + 1);
  const sentTwice = [...perTo].filter(([, n]) => n > 1).map(([to]) => to);
  const failedBy = new Map<number | null, number>();
  for (const m of msgs)
    if (m.status === "failed") failedBy.set(m.error_code, (failedBy.get(m.error_code) ?? 0) + 1);

  const one = async (sql: string) => Number((await db.one<{ n: number }>(sql)).n);
  const { rows: hist } = await db.query<{ n: number; messages: number }>(
    `SELECT n, count(*)::int AS messages FROM (SELECT message_id, max(n) AS n FROM message_attempts GROUP BY 1) x
     GROUP BY n ORDER BY n`,
  );
  return {
    accepted: acceptedIds.size,
    atTwilio: perTo.size,
    lost,
    sentTwice,
    failed: [...failedBy].map(([code, count]) => ({ code, count })),
    attempts: hist.map((h) => ({ n: Number(h.n), messages: Number(h.messages) })),
    maxAttempts: Math.max(0, ...hist.map((h) => Number(h.n))),
    retries: await one(
      "SELECT count(*)::int AS n FROM message_events WHERE kind = 'attempt' AND name = 'retry'",
    ),
    earlyRetries: await one(
      `SELECT count(*)::int AS n FROM message_events e
       JOIN message_attempts a ON a.message_id = e.message_id AND a.n = (e.data->>'n')::int + 1
       WHERE e.kind = 'attempt' AND e.name = 'retry'
         AND a.started_at < (e.data->>'retry_at')::timestamptz - interval '5 milliseconds'`,
    ),
    ambiguous: await one(
      "SELECT count(*)::int AS n FROM message_events WHERE kind = 'attempt' AND name = 'ambiguous'",
    ),
    earlyAfterAmbiguous: await one(
      `SELECT count(*)::int AS n FROM message_events e
       JOIN message_attempts a ON a.message_id = e.message_id AND a.n = (e.data->>'n')::int + 1
       WHERE e.kind = 'attempt' AND e.name = 'ambiguous'
         AND a.started_at < (e.data->>'reconcile_at')::timestamptz - interval '5 milliseconds'`,
    ),
    rateLimited: await one("SELECT count(*)::int AS n FROM message_attempts WHERE http_status = 429"),
    pausesBroken: await pausesBroken(db, pauseMs),
    openAttempts: await one(
      "SELECT count(*)::int AS n FROM message_attempts WHERE outcome IN ('pending', 'ambiguous')",
    ),
    statusLagging: await one(
      "SELECT count(*)::int AS n FROM messages WHERE status = 'sending' AND twilio_sid IS NOT NULL",
    ),
    duplicateTimeline: await one(
      `SELECT count(*)::int AS n FROM (SELECT message_id, name FROM message_events WHERE kind = 'status'
       GROUP BY 1, 2 HAVING count(*) > 1) x`,
    ),
    duplicateEvents: await one(
      `SELECT count(*)::int AS n FROM (SELECT type, data->'message'->>'id' FROM events
       WHERE type LIKE 'message.%' GROUP BY 1, 2 HAVING count(*) > 1) x`,
    ),
  };
}

/**
 * 429s after which the same lane started another attempt within the pause, leaving 200 ms for
 * claims already under way when the 429 came back. In memory: one sorted pass per lane.
 */
async function pausesBroken(db: Queryable, pauseMs: number): Promise<number> {
  const { rows } = await db.query<{
    lane: string;
    started: Date;
    finished: Date | null;
    http: number | null;
  }>(
    `SELECT m.lane_id AS lane, a.started_at AS started, a.finished_at AS finished, a.http_status AS http
     FROM message_attempts a JOIN messages m ON m.id = a.message_id ORDER BY m.lane_id, a.started_at`,
  );
  const starts = new Map<string, number[]>();
  for (const r of rows) {
    const list = starts.get(r.lane) ?? [];
    list.push(new Date(r.started).getTime());
    starts.set(r.lane, list);
  }
  let broken = 0;
  for (const r of rows) {
    if (r.http !== 429 || !r.finished) continue;
    const from = new Date(r.finished).getTime() + 200;
    const to = new Date(r.finished).getTime() + pauseMs - 50;
    const list = starts.get(r.lane)!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < list.length && list[lo] < to) broken++;
  }
  return broken;
}

/** The invariants, as lines that say what failed (empty = all hold). */
export function verdict(a: Audit, maxAttempts: number): string[] {
  const bad: string[] = [];
  if (a.lost.length)
    bad.push(`${a.lost.length} accepted messages never reached Twilio (e.g. ${a.lost.slice(0, 3)})`);
  if (a.sentTwice.length)
    bad.push(`${a.sentTwice.length} recipients got a message twice (e.g. ${a.sentTwice.slice(0, 3)})`);
  if (a.maxAttempts > maxAttempts)
    bad.push(`a message took ${a.maxAttempts} attempts (bound ${maxAttempts})`);
  if (a.earlyRetries) bad.push(`${a.earlyRetries} retries started before their backoff ended`);
  if (a.earlyAfterAmbiguous)
    bad.push(`${a.earlyAfterAmbiguous} retries after an ambiguous send came before reconciliation`);
  if (a.pausesBroken) bad.push(`${a.pausesBroken} lanes sent within their pause after a 429`);
  if (a.openAttempts) bad.push(`${a.openAttempts} attempts still open`);
  if (a.duplicateTimeline) bad.push(`${a.duplicateTimeline} statuses recorded twice (duplicated callbacks)`);
  if (a.duplicateEvents) bad.push(`${a.duplicateEvents} message events emitted twice`);
  return bad;
}
