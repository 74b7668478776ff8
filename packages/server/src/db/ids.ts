import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();
let timed = monotonicFactory();
let lastTimed = 0;

/**
 * Sortable, readable ids: `ten_01J9Z3…` — a ULID (time-ordered, monotonic within a process)
 * after a prefix naming the kind (ten_, key_, reg_, msg_, evt_, job_, sec_…).
 *
 * `at` stamps the id with that instant instead of the wall clock: messages take the platform
 * clock's time, because their month partition is chosen by the id (db/partitions.ts).
 */
export function newId(prefix: string, at?: Date): string {
  const p = prefix.endsWith("_") ? prefix.slice(0, -1) : prefix;
  if (!/^[a-z][a-z0-9]{1,7}$/.test(p)) throw new Error(`invalid id prefix ${JSON.stringify(prefix)}`);
  return `${p}_${at === undefined ? ulid() : timedUlid(at.getTime())}`;
}

/** Monotonic while the given clock moves forward; a clock set back (a new test clock) starts over. */
function timedUlid(ms: number): string {
  if (ms < lastTimed) timed = monotonicFactory();
  lastTimed = ms;
  return timed(ms);
}

/** Whether `id` looks like an id made by `newId(prefix)`; cheap input validation. */
export function isId(prefix: string, id: string): boolean {
  const p = prefix.endsWith("_") ? prefix.slice(0, -1) : prefix;
  return id.startsWith(`${p}_`) && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id.slice(p.length + 1));
}
