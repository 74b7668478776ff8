import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { Queryable } from "../db/db.js";
import { normalizeEmail } from "./users.js";

/**
 * Sign-in throttling, after OWASP's "Blocking Brute Force Attacks": no account is ever locked,
 * failures buy waits instead. Three counters, each a score that grows by one per failure and
 * halves over a half-life of quiet; past `free` failures each further one doubles the wait,
 * up to `cap`. A request that arrives during a wait is answered 429 with Retry-After and is not
 * evaluated (no password hash, nothing counted). Attempts are counted before they are evaluated
 * (see claimAttempt) and a success hands its count back, so parallel bursts gain nothing.
 *
 * - `source` — the client's address (an IPv6 /64 counts as one address, since anyone holding
 *   one has all of it). Every failure counts: wrong password, wrong code, unknown account.
 *   Strict, and nothing bypasses it: one address hammering one account or many is slowed hard.
 * - `account` — the email as typed, known or not (hashed, so unknown addresses are not stored),
 *   counting wrong passwords from anywhere: the brake on a botnet spreading guesses over many
 *   addresses. Gentler, and while it holds a password *alone* is refused but a password together
 *   with a current TOTP code is still evaluated (`code` on the login): a guesser without the
 *   second factor learns nothing from it, and the owner is never locked out by strangers.
 * - `totp` — wrong codes for one account from anyone who knows its password (a challenge, or
 *   password + code together). Strict and not bypassable: the password is compromised by then.
 *   Nobody without the password can move it, so it cannot be used to lock the owner out, and it
 *   is only visible to callers who already know the account exists.
 *
 * State is rows in staff_login_throttles, updated in one statement per attempt, so every API
 * process sees the same waits; time is the injected clock. A new password clears the `totp`
 * counter; the others only fade, since a success says nothing about who else is guessing.
 */
export interface ThrottlePolicy {
  /** Failures that cost nothing; each one past them makes the next try wait, twice as long each time. */
  free: number;
  /** The first wait in seconds. */
  baseSeconds: number;
  capSeconds: number;
  /** Failures fade: the score halves after this long without one. */
  halfLifeSeconds: number;
}

export const THROTTLE_POLICIES = {
  source: { free: 5, baseSeconds: 1, capSeconds: 15 * 60, halfLifeSeconds: 6 * 3600 },
  account: { free: 10, baseSeconds: 1, capSeconds: 5 * 60, halfLifeSeconds: 3600 },
  totp: { free: 5, baseSeconds: 1, capSeconds: 15 * 60, halfLifeSeconds: 6 * 3600 },
} as const satisfies Record<string, ThrottlePolicy>;

export type ThrottleKind = keyof typeof THROTTLE_POLICIES;

export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

export const sourceKey = (ip: string | undefined): ThrottleKey => ({
  kind: "source",
  key: `source:${addressBlock(ip ?? "unknown")}`,
});

export const accountKey = (email: string): ThrottleKey => ({
  kind: "account",
  key: `account:${createHash("sha256").update(normalizeEmail(email), "utf8").digest("hex")}`,
});

export const totpKey = (userId: string): ThrottleKey => ({ kind: "totp", key: `totp:${userId}` });

/** An attempt counted before it is looked at; `blockedUntil` is the wait that counting set. */
export interface Claim {
  key: ThrottleKey;
  blockedUntil: Date | null;
}

/**
 * Counts an attempt against `key` *before* it is evaluated, or returns the seconds to wait when
 * the key is waiting. Counting first is what stops a burst: of many parallel requests only
 * those that find no wait get through, each one moving the score, and the one past `free` sets
 * the wait for the rest. A success hands its count back with `refundAttempt`.
 */
export async function claimAttempt(
  q: Queryable,
  key: ThrottleKey,
  now: Date,
): Promise<Claim | { waitSeconds: number }> {
  const claimed = await q.maybeOne<{ blocked_until: Date | null }>(countSql(true), countParams(key, now));
  if (claimed) return { key, blockedUntil: claimed.blocked_until };
  const row = await q.maybeOne<{ blocked_until: Date }>(
    "SELECT blocked_until FROM staff_login_throttles WHERE key = $1",
    [key.key],
  );
  const ms = (row?.blocked_until.getTime() ?? 0) - now.getTime();
  return { waitSeconds: Math.max(1, Math.ceil(ms / 1000)) };
}

/** A claimed attempt succeeded: its count goes back, and the wait it alone set is lifted. */
export async function refundAttempt(q: Queryable, claim: Claim): Promise<void> {
  await q.query(
    `UPDATE staff_login_throttles SET score = greatest(score - 1, 0),
       blocked_until = CASE WHEN blocked_until IS NOT DISTINCT FROM $2::timestamptz THEN NULL ELSE blocked_until END
     WHERE key = $1`,
    [claim.key.key, claim.blockedUntil],
  );
}

/**
 * Counts a failure whether or not the key is waiting (the account counter, for a password and
 * code sent together: they are looked at even while it waits).
 */
export async function recordFailure(q: Queryable, key: ThrottleKey, now: Date): Promise<void> {
  await q.query(countSql(false), countParams(key, now));
  // Scores a week old have faded to nothing: forget them (a handful at a time keeps it cheap).
  await q.query(
    `DELETE FROM staff_login_throttles WHERE key IN (
       SELECT key FROM staff_login_throttles WHERE updated_at < $1::timestamptz - interval '7 days' LIMIT 20)`,
    [now],
  );
}

/**
 * One statement, so concurrent requests in any process serialize on the row. The wait is kept
 * to the millisecond so that `refundAttempt` can recognise its own.
 */
function countSql(onlyIfNotWaiting: boolean): string {
  const score = `(t.score * power(0.5::float8,
      greatest(0, extract(epoch from ($2::timestamptz - t.updated_at)))::float8 / $6::float8) + 1)`;
  return `INSERT INTO staff_login_throttles AS t (key, score, updated_at, blocked_until)
     VALUES ($1, 1, $2, NULL)
     ON CONFLICT (key) DO UPDATE SET
       score = ${score},
       updated_at = $2,
       blocked_until = CASE WHEN ${score} > $3 THEN date_trunc('milliseconds', $2::timestamptz
         + make_interval(secs => least($5::float8, $4::float8 * power(2::float8, ${score} - $3 - 1)))) END
     ${onlyIfNotWaiting ? "WHERE t.blocked_until IS NULL OR t.blocked_until <= $2" : ""}
     RETURNING blocked_until`;
}

function countParams(key: ThrottleKey, now: Date): unknown[] {
  const p: ThrottlePolicy = THROTTLE_POLICIES[key.kind];
  return [key.key, now, p.free, p.baseSeconds, p.capSeconds, p.halfLifeSeconds];
}

/**
 * Forgets an account's wrong codes: its password was just replaced, so whoever guessed codes
 * with the old one has to start over from the password.
 */
export async function clearTotpThrottle(q: Queryable, userId: string): Promise<void> {
  await q.query("DELETE FROM staff_login_throttles WHERE key = $1", [totpKey(userId).key]);
}

/** The address a client is counted under: IPv4 as is, IPv6 by its /64 network. */
export function addressBlock(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const [head, tail] = ip.toLowerCase().split("::");
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const before = groups(head);
  const after = groups(tail);
  // An embedded IPv4 tail (…:1.2.3.4) is two groups; only the first four matter here anyway.
  const width = before.length + after.length + (after.at(-1)?.includes(".") ? 1 : 0);
  const full = tail === undefined ? before : [...before, ...Array(8 - width).fill("0"), ...after];
  return `${full
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
