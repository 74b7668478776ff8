import { lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { Webhook } from "standardwebhooks";
import { DELIVERY_TIMEOUT_MS } from "./schedule.js";
import { type UrlPolicy, checkAddress, portOf } from "./url-policy.js";

/** What one HTTP attempt came to. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the receiver's answer (for the delivery log). */
  excerpt: string | null;
}

export interface SignedRequest {
  url: string;
  /** webhook-id: the event id, the same on every attempt and replay (receivers dedupe by it). */
  messageId: string;
  body: string;
  /** whsec_… secrets; all of them sign (during a rotation, the old one still does). */
  secrets: string[];
  /** The signing time. Receivers compare it with their own clock, so it is wall time. */
  timestamp: Date;
  userAgent: string;
  /** Where the request may go (url-policy.ts), checked on the addresses actually connected to. */
  policy: UrlPolicy;
  timeoutMs?: number;
}

/** Standard Webhooks headers: one `v1,<base64 HMAC-SHA256>` per secret, space-separated. */
export function signatureHeaders(messageId: string, timestamp: Date, body: string, secrets: string[]) {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(messageId, timestamp, body)).join(" "),
  };
}

/**
 * The start of the receiver's answer kept for the delivery log (the tenant's own debugging).
 * It is only ever read from an address the policy accepted: refused targets get no request at
 * all, and redirects are not followed (a 3xx is a failed attempt).
 */
const EXCERPT_BYTES = 512;

/** POSTs one signed webhook. Never throws: every failure is an AttemptResult. */
export function sendWebhook(req: SignedRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string, statusCode: number | null = null): AttemptResult => ({
    ok: false,
    statusCode,
    latencyMs: elapsed(),
    error,
    excerpt: null,
  });
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve(fail("invalid URL"));
  }
  // Literal addresses skip DNS (and so the lookup guard): check them here.
  const port = portOf(url);
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  const refused = isIP(literal) ? checkAddress(literal, port, req.policy) : null;
  if (refused) return Promise.resolve(fail(`refused: ${refused.message}`));
  const client = url.protocol === "https:" ? https : http;
  const timeoutMs = req.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const headers = {
    "content-type": "application/json",
    "user-agent": req.userAgent,
    ...signatureHeaders(req.messageId, req.timestamp, req.body, req.secrets),
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: AttemptResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(req.body) },
        lookup: guardedLookup(req.policy, port),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8") || null;
          const ok = status >= 200 && status < 300;
          done({
            ok,
            statusCode: status,
            latencyMs: elapsed(),
            error: ok ? null : `HTTP ${status}`,
            excerpt,
          });
        });
        res.on("error", (err) => done(fail(describe(err, timeoutMs), res.statusCode ?? null)));
      },
    );
    request.on("error", (err) => done(fail(describe(err, timeoutMs))));
    request.end(req.body);
  });
}

/** DNS lookup that refuses answers the policy refuses, so the check holds at connect time. */
function guardedLookup(policy: UrlPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      for (const a of addresses) {
        const problem = checkAddress(a.address, port, policy, `${hostname} (${a.address})`);
        if (problem) {
          const refusal = Object.assign(new Error(`refused: ${problem.message}`), { code: "ENONPUBLIC" });
          return callback(refusal, "", 4);
        }
      }
      if (options.all)
        return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function describe(err: Error & { code?: string; name?: string }, timeoutMs: number): string {
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return `no answer within ${timeoutMs / 1000} s`;
  if (err.message.startsWith("refused:")) return err.message;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
