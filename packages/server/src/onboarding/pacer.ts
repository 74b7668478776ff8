/**
 * Twilio asks ISVs to keep brand and campaign registration calls to at most one per second per
 * (parent) account (docs/twilio-facts.md, "Review times and pacing"). Slots are reserved in the
 * database, so every worker process shares one pace; a job whose slot is later snoozes until it (a
 * durable wait).
 */
import type { Queryable } from "../db/db.js";

export const REGISTRATION_PACE_MS = 1_000;

/** Reserves the next free slot for `key` at or after `now`; returns its time. */
export async function reserveSlot(q: Queryable, key: string, now: Date, intervalMs = REGISTRATION_PACE_MS) {
  const row = await q.one<{ slot: Date }>(
    `INSERT INTO onboarding_pacers (key, next_at) VALUES ($1, $2::timestamptz + $3 * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE
       SET next_at = GREATEST(onboarding_pacers.next_at, $2::timestamptz) + $3 * interval '1 millisecond'
     RETURNING next_at - $3 * interval '1 millisecond' AS slot`,
    [key, now, intervalMs],
  );
  return row.slot;
}

export function registrationPaceKey(parentAccountSid: string): string {
  return `twilio.a2p-registration:${parentAccountSid}`;
}
