/**
 * Partition maintenance for messages (with their attempts and timelines) and events: months
 * are created ahead of need, rows that fell into a default partition get their month, and,
 * when the operator sets SUBTEXT_MESSAGE_RETENTION_MONTHS, whole months older than that are
 * dropped (no DELETE of the rows). Runs at start-up and then as a recurring job, with the
 * platform clock. Per-tenant body redaction is retention.ts; this is the operator's maximum age.
 */
import type { Db, Queryable } from "../db/db.js";
import {
  type MonthPartitioned,
  dropMonth,
  ensureMonth,
  monthBound,
  monthStart,
  monthsInDefault,
  partitionMonths,
} from "../db/partitions.js";
import { EVENT_TABLES, deleteDeliveriesOfEvents } from "../events/retention.js";

/** Attempts and timeline entries live in their message's month (partitioned by message id). */
export const MESSAGE_TABLES: MonthPartitioned[] = [
  { parent: "messages", key: "id", prefix: "msg_" },
  { parent: "message_attempts", key: "message_id", prefix: "msg_" },
  { parent: "message_events", key: "message_id", prefix: "msg_" },
];

/** Months created ahead of the current one. */
export const MONTHS_AHEAD = 3;

export interface MaintenanceReport {
  created: string[];
  dropped: string[];
}

export async function maintainPartitions(
  db: Db,
  now: Date,
  retentionMonths?: number,
): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { created: [], dropped: [] };
  const families = [MESSAGE_TABLES, EVENT_TABLES];
  await locked(db, async (tx) => {
    for (const t of families.flat()) {
      const wanted = [];
      for (let i = 0; i <= MONTHS_AHEAD; i++) wanted.push(monthStart(now, i));
      // The rows in the default partition: their months get partitions (the rows move there).
      wanted.push(...(await monthsInDefault(tx, t)));
      for (const month of wanted) {
        if (await ensureMonth(tx, t, month)) report.created.push(`${t.parent}:${label(month)}`);
      }
    }
  });
  if (retentionMonths === undefined) return report;
  // Kept: the current month and the `retentionMonths` before it; a month goes whole.
  const cutoff = monthStart(now, -retentionMonths);
  for (const family of families) {
    for (const month of await partitionMonths(db, family[0].parent)) {
      if (month >= cutoff) break;
      await locked(db, (tx) => dropFamilyMonth(tx, family, month));
      report.dropped.push(`${family[0].parent}:${label(month)}`);
    }
  }
  return report;
}

const label = (month: Date) => month.toISOString().slice(0, 7);

/**
 * One month of a family, in one transaction: what refers to its rows from outside goes first
 * (idempotency keys and SIDs of its messages; webhook deliveries of its events), then its
 * partitions. Idempotency keys therefore answer for as long as their message is kept.
 */
async function dropFamilyMonth(tx: Queryable, family: MonthPartitioned[], month: Date): Promise<void> {
  const head = family[0];
  const range = [monthBound(head.prefix, month), monthBound(head.prefix, monthStart(month, 1))];
  if (head.parent === "messages") {
    await tx.query("DELETE FROM message_idempotency_keys WHERE message_id >= $1 AND message_id < $2", range);
    await tx.query("DELETE FROM message_sids WHERE message_id >= $1 AND message_id < $2", range);
  } else {
    await deleteDeliveriesOfEvents(tx, range);
  }
  for (const t of family.toReversed()) await dropMonth(tx, t.parent, month);
}

/**
 * One maintainer at a time (several processes run the job), and a bounded wait for the
 * parent's lock: creating or dropping a partition needs it exclusively, and queueing behind
 * a long query would stall every send behind us. A round that times out is retried next time.
 */
async function locked<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.tx(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('subtext.partitions.' || current_schema()))");
    if (db.engine === "postgres") await tx.query("SET LOCAL lock_timeout = '5s'");
    return fn(tx);
  });
}
