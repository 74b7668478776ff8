/**
 * Messages whose Twilio SID this process has stored, remembered for a while: Twilio's
 * intermediate callbacks (accepted, queued, sending) for them need no database work at all.
 * Only an optimization: a miss costs one statement (callbacks/status.ts).
 */
const MAX = 200_000;
const known = new Set<string>();

export function rememberSid(messageId: string): void {
  if (known.size >= MAX) known.delete(known.values().next().value!);
  known.add(messageId);
}

export function sidIsKnown(messageId: string): boolean {
  return known.has(messageId);
}
