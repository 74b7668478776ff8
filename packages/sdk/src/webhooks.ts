/**
 * Verifying the webhooks Subtext sends. They follow Standard Webhooks (standardwebhooks.com):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, an HMAC-SHA256 over
 * `id.timestamp.body` with the endpoint's whsec_… secret, and a 5-minute window against replays.
 */
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { WebhookEvent } from "./types.js";

export { WebhookVerificationError };

/** Fetch's Headers, or Node's `req.headers` (IncomingHttpHeaders), or any plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const REQUIRED = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/**
 * Checks a webhook's signature and returns its parsed event, or throws WebhookVerificationError.
 *
 * Pass the body exactly as received (the raw string or bytes): a body parsed and serialised
 * again no longer matches its signature. `secret` may list several secrets (e.g. the old and
 * the new one while you roll out a rotation); any one of them verifying is enough.
 */
export function verifyWebhook(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
): WebhookEvent {
  const body = typeof payload === "string" ? payload : new TextDecoder().decode(payload);
  const wanted = pickHeaders(headers);
  const secrets = typeof secret === "string" ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError("verifyWebhook: no secret given");
  let failure: unknown;
  for (const s of secrets) {
    try {
      return new Webhook(s).verify(body, wanted) as WebhookEvent;
    } catch (err) {
      failure = err;
    }
  }
  throw failure;
}

function pickHeaders(headers: WebhookHeaders): Record<string, string> {
  const read = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value.join(" ") : value;
  };
  const out: Record<string, string> = {};
  for (const name of REQUIRED) {
    const value = read(name);
    if (value === undefined) throw new WebhookVerificationError(`Missing required header: ${name}`);
    out[name] = value;
  }
  return out;
}
