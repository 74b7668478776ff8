/**
 * The event types a tenant's webhook endpoints can subscribe to, as docs/messaging.md lists them
 * for tenants ("Webhooks to your application"); `emitEvent` refuses any other. `endpoint.disabled`
 * is ours: the notice sent to a tenant's other endpoints when one is switched off after
 * persistent failure.
 */
export const EVENT_TYPES = [
  "message.queued",
  "message.sent",
  "message.delivered",
  "message.undelivered",
  "message.failed",
  "message.canceled",
  "message.received",
  "optout.changed",
  "registration.updated",
  "bundle.updated",
  "verification.approved",
  "verification.failed",
  "call.completed",
  "recording.completed",
  "transcription.completed",
  "alert.triggered",
  "usage.budget_reached",
  "usage.drift",
  "endpoint.disabled",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN = new Set<string>(EVENT_TYPES);

export function isEventType(value: string): value is EventType {
  return KNOWN.has(value);
}
