/**
 * Reading Twilio's side (the emulator) to judge delivery: what each subaccount sent, to whom,
 * when (to the millisecond, from the emulator's store), and whether a lane's pace stayed within
 * its token bucket. Pure functions over the emulator's records, shared by proofs and benches.
 */
export interface SentRecord {
  sid: string;
  account_sid: string;
  to: string;
  body: string;
  /** Emulated epoch ms at which Twilio accepted the create request. */
  at: number;
}

/** Outbound-api messages Twilio holds, from an in-process emulator's store. */
export function sentMessages(
  world: { store: { list(c: string): unknown[] } },
  accountSid?: string,
): SentRecord[] {
  return (
    world.store.list("messages") as {
      sid: string;
      account_sid: string;
      to: string;
      body: string;
      direction: string;
      date_created: number;
    }[]
  )
    .filter((m) => m.direction === "outbound-api" && (!accountSid || m.account_sid === accountSid))
    .map((m) => ({ sid: m.sid, account_sid: m.account_sid, to: m.to, body: m.body, at: m.date_created }))
    .sort((a, b) => a.at - b.at);
}

/** How many times Twilio got a message for each recipient. */
export function perRecipient(sent: SentRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sent) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  return counts;
}

export interface PaceReport {
  count: number;
  /** The most messages Twilio accepted within any one-second window. */
  maxPerSecond: number;
  /** Messages per second between the first and last send. */
  average: number;
  /** The worst excess over the token bucket (burst + mps × elapsed), in messages; ≤ 0 is within. */
  worstExcess: number;
  worstAt: { from: number; to: number; n: number } | null;
}

/**
 * Checks send times against a GCRA/token bucket of `mps` with `burst`: over any interval
 * [t_i, t_j] at most burst + mps × (t_j − t_i) messages (single-segment) may go out.
 */
export function pace(times: number[], mps: number, burst: number): PaceReport {
  const t = [...times].sort((a, b) => a - b);
  let worstExcess = Number.NEGATIVE_INFINITY;
  let worstAt: PaceReport["worstAt"] = null;
  let maxPerSecond = 0;
  let lo = 0;
  // excess(i, j) = (j + 1 − r·t_j) − (i − r·t_i) − burst: keep the smallest (i − r·t_i) so far (linear).
  let best = { value: Number.POSITIVE_INFINITY, i: 0 };
  for (let j = 0; j < t.length; j++) {
    while (t[j] - t[lo] >= 1000) lo++;
    maxPerSecond = Math.max(maxPerSecond, j - lo + 1);
    const own = j - (mps * t[j]) / 1000;
    if (own < best.value) best = { value: own, i: j };
    const excess = j + 1 - (mps * t[j]) / 1000 - best.value - burst;
    if (excess > worstExcess) {
      worstExcess = excess;
      worstAt = { from: t[best.i], to: t[j], n: j - best.i + 1 };
    }
  }
  const span = t.length > 1 ? (t[t.length - 1] - t[0]) / 1000 : 0;
  return {
    count: t.length,
    maxPerSecond,
    average: span > 0 ? (t.length - 1) / span : 0,
    worstExcess: t.length > 1 ? worstExcess : 0,
    worstAt,
  };
}
