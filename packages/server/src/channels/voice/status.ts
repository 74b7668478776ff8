/**
 * Call statuses as Twilio reports them, and the only moves between them: callbacks can arrive
 * late or twice, so a status applies only when it ranks above the current one, and a final
 * status never changes (the same rule as messages: docs/twilio-facts.md, "Message statuses").
 */
export const FINAL_CALL_STATUSES = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

const RANK: Record<string, number> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  "in-progress": 3,
  completed: 4,
  busy: 4,
  "no-answer": 4,
  failed: 4,
  canceled: 4,
};

export function isCallStatus(value: string): boolean {
  return Object.hasOwn(RANK, value);
}

export function isCallForward(current: string, next: string): boolean {
  if (FINAL_CALL_STATUSES.has(current)) return false;
  const to = RANK[next];
  return to !== undefined && to > (RANK[current] ?? -1);
}

/** The same rank as a SQL expression over `expr` (unknown statuses rank lowest). */
export function RANK_SQL(expr: string): string {
  const cases = Object.entries(RANK)
    .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
    .join(" ");
  return `(CASE ${expr} ${cases} ELSE -1 END)`;
}
