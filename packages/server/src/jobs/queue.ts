import { newId } from "../db/ids.js";
import type { Queryable } from "../db/db.js";
import type { JobKindName, JobPayloads } from "./kinds.js";

/** One row of `jobs`: work of some kind due at run_at. */
export interface JobRow<P = unknown> {
  id: string;
  kind: string;
  key: string | null;
  run_at: Date;
  attempts: number;
  locked_by: string | null;
  locked_until: Date | null;
  payload: P;
  last_error: string | null;
  failed_at: Date | null;
  created_at: Date;
}

export interface EnqueueOptions {
  /** When the job becomes due; default now (the database's clock). */
  runAt?: Date;
  /** Idempotency: at most one job with this key exists at a time. */
  key?: string;
  /**
   * With a key that already exists: "ignore" (default) keeps the existing job; "replace"
   * moves it to the new runAt/payload and resets its attempts, unless it is running right now.
   */
  onConflict?: "ignore" | "replace";
}

export interface Enqueued {
  id: string;
  /** false when a job with the same key already existed (and was kept or replaced). */
  created: boolean;
}

/**
 * Records work to do, in the caller's transaction: the job exists if and only if the state
 * change that needs it committed.
 */
export async function enqueue<K extends JobKindName>(
  q: Queryable,
  kind: K,
  payload: JobPayloads[K],
  options: EnqueueOptions = {},
): Promise<Enqueued> {
  const id = newId("job");
  const conflict =
    options.key === undefined
      ? ""
      : options.onConflict === "replace"
        ? `ON CONFLICT (key) DO UPDATE SET run_at = EXCLUDED.run_at, payload = EXCLUDED.payload,
             attempts = 0, last_error = NULL, failed_at = NULL WHERE jobs.locked_by IS NULL`
        : "ON CONFLICT (key) DO NOTHING";
  const inserted = await q.maybeOne<{ id: string }>(
    `INSERT INTO jobs (id, kind, key, run_at, payload)
     VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()), $5::jsonb) ${conflict} RETURNING id`,
    [id, kind, options.key ?? null, options.runAt ?? null, JSON.stringify(payload ?? {})],
  );
  if (inserted?.id === id) return { id, created: true };
  const existing = await q.one<{ id: string }>("SELECT id FROM jobs WHERE key = $1", [options.key]);
  return { id: existing.id, created: false };
}

/**
 * The bulk form of enqueue() with keys: one job per payload in one statement, keyed
 * `keyOf(payload)`; a key that already has a job keeps it. Due at `runAt` (default: now).
 */
export async function enqueueMany<K extends JobKindName>(
  q: Queryable,
  kind: K,
  payloads: JobPayloads[K][],
  options: { keyOf: (payload: JobPayloads[K]) => string; runAt?: Date },
): Promise<void> {
  if (payloads.length === 0) return;
  await q.query(
    `INSERT INTO jobs (id, kind, key, run_at, payload)
     SELECT j.id, $2, j.key, COALESCE($3::timestamptz, now()), j.payload::jsonb
     FROM unnest($1::text[], $4::text[], $5::text[]) AS j (id, key, payload)
     ON CONFLICT (key) DO NOTHING`,
    [
      payloads.map(() => newId("job")),
      kind,
      options.runAt ?? null,
      payloads.map(options.keyOf),
      payloads.map((p) => JSON.stringify(p)),
    ],
  );
}

/** Removes the pending jobs of a kind whose keys start with `prefix`. Running jobs stay. */
export async function cancelJobsByPrefix(q: Queryable, kind: JobKindName, prefix: string): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM jobs WHERE kind = $1 AND key LIKE $2 AND locked_by IS NULL",
    [kind, `${prefix.replace(/[\\%_]/g, "\\$&")}%`],
  );
  return rowCount;
}

/** Removes a pending job by key (e.g. a timer that is no longer needed). Running jobs stay. */
export async function cancelJob(q: Queryable, key: string): Promise<boolean> {
  const { rowCount } = await q.query("DELETE FROM jobs WHERE key = $1 AND locked_by IS NULL", [key]);
  return rowCount > 0;
}

export function findJob<P = unknown>(q: Queryable, id: string): Promise<JobRow<P> | null> {
  return q.maybeOne<JobRow<P>>("SELECT * FROM jobs WHERE id = $1", [id]);
}

export function findJobByKey<P = unknown>(q: Queryable, key: string): Promise<JobRow<P> | null> {
  return q.maybeOne<JobRow<P>>("SELECT * FROM jobs WHERE key = $1", [key]);
}

/**
 * Leases up to `limit` due jobs of the given kinds, each for its kind's lease time; expired
 * leases count as free. `perKind` caps how many of one kind this claim may take (a kind at its
 * concurrency limit is simply left out): each kind is looked up on its own, so a deep backlog of
 * one kind (webhook deliveries are due at the epoch) never hides another kind's due work.
 */
export async function claimDueJobs(
  q: Queryable,
  args: {
    workerId: string;
    leases: ReadonlyMap<string, number>;
    now: Date;
    limit: number;
    perKind?: ReadonlyMap<string, number>;
    /** Jobs this process is running already: never a second run beside the first. */
    running?: readonly string[];
  },
): Promise<JobRow[]> {
  const kinds = [...args.leases.keys()].filter((k) => (args.perKind?.get(k) ?? args.limit) > 0);
  if (kinds.length === 0 || args.limit <= 0) return [];
  const { rows } = await q.query<JobRow>(
    `WITH kinds AS (SELECT * FROM unnest($3::text[], $4::int[], $6::int[]) AS k(kind, ms, lim)),
     due AS (
       SELECT c.id, c.run_at, k.ms FROM kinds k
       CROSS JOIN LATERAL (
         SELECT id, run_at FROM jobs
         WHERE kind = k.kind AND failed_at IS NULL AND run_at <= $2
           AND (locked_until IS NULL OR locked_until <= $2)
           AND NOT (id = ANY($7::text[]))
         ORDER BY run_at, id
         LIMIT k.lim
         FOR UPDATE SKIP LOCKED) c
       ORDER BY c.run_at, c.id
       LIMIT $5)
     UPDATE jobs j SET locked_by = $1, attempts = j.attempts + 1,
       locked_until = $2::timestamptz + due.ms * interval '1 millisecond'
     FROM due WHERE j.id = due.id
     RETURNING j.*`,
    [
      args.workerId,
      args.now,
      kinds,
      kinds.map((k) => args.leases.get(k)!),
      args.limit,
      kinds.map((k) => Math.min(args.limit, args.perKind?.get(k) ?? args.limit)),
      args.running ?? [],
    ],
  );
  return rows.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : 1));
}

/** Leases one specific job if nobody holds it (inline execution right after enqueueing). */
export function claimJob(
  q: Queryable,
  args: {
    id: string;
    workerId: string;
    now: Date;
    leases: ReadonlyMap<string, number>;
    defaultLeaseMs: number;
  },
): Promise<JobRow | null> {
  return q.maybeOne<JobRow>(
    `UPDATE jobs j SET locked_by = $2, attempts = j.attempts + 1,
       locked_until = $3::timestamptz + COALESCE(
         (SELECT l.ms FROM unnest($4::text[], $5::int[]) AS l(kind, ms) WHERE l.kind = j.kind), $6
       ) * interval '1 millisecond'
     WHERE j.id = $1 AND j.failed_at IS NULL AND (j.locked_until IS NULL OR j.locked_until <= $3)
     RETURNING j.*`,
    [
      args.id,
      args.workerId,
      args.now,
      [...args.leases.keys()],
      [...args.leases.values()],
      args.defaultLeaseMs,
    ],
  );
}

/** Extends a lease the worker still holds (a job that runs long); false when it was lost. */
export async function renewJob(
  q: Queryable,
  args: { id: string; workerId: string; until: Date },
): Promise<boolean> {
  const { rowCount } = await q.query("UPDATE jobs SET locked_until = $3 WHERE id = $1 AND locked_by = $2", [
    args.id,
    args.workerId,
    args.until,
  ]);
  return rowCount > 0;
}

/** Success: the job is done; only the lease holder may delete it. */
export async function completeJob(q: Queryable, id: string, workerId: string): Promise<boolean> {
  const { rowCount } = await q.query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2", [id, workerId]);
  return rowCount > 0;
}

/** Releases the lease and sets the next run (retry, snooze) or marks the job dead. */
export async function releaseJob(
  q: Queryable,
  args: {
    id: string;
    workerId: string;
    runAt: Date;
    error: string | null;
    dead: boolean;
    now: Date;
    /** A snooze is not a failed attempt. */
    refundAttempt?: boolean;
  },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE jobs SET locked_by = NULL, locked_until = NULL, run_at = $3, last_error = $4,
       failed_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE NULL END,
       attempts = attempts - CASE WHEN $7::boolean THEN 1 ELSE 0 END
     WHERE id = $1 AND locked_by = $2`,
    [args.id, args.workerId, args.runAt, args.error, args.dead, args.now, args.refundAttempt ?? false],
  );
  return rowCount > 0;
}
