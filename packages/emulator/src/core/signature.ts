import { createHash, createHmac } from "node:crypto";

/**
 * X-Twilio-Signature as Twilio computes it: the full URL, then for form posts each parameter
 * name (sorted) followed by its values (distinct, sorted), HMAC-SHA1 with the auth token, base64.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]> = {},
) {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const raw = params[name];
    const values = [...new Set(Array.isArray(raw) ? raw : [raw])].sort();
    for (const value of values) data += name + value;
  }
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/** JSON-body webhooks: bodySHA256 goes into the query string and only the URL is signed. */
export function bodySha256(body: string) {
  return createHash("sha256").update(body).digest("hex");
}
