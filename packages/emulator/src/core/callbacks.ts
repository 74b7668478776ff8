import type { Faults } from "./faults.js";
import { twilioSignature } from "./signature.js";

export interface CallbackRecord {
  url: string;
  method: string;
  params: Record<string, string | string[]>;
  status: number | null;
  error?: string;
  at: number;
  dropped?: boolean;
}

export interface CallbackResponse {
  status: number;
  body: string;
  contentType: string;
}

/**
 * Sends webhooks the way Twilio does: form-encoded, signed with the owning account's auth token
 * (X-Twilio-Signature over the exact URL and parameters), with an idempotency token header.
 */
export class Callbacks {
  readonly log: CallbackRecord[] = [];
  private inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly faults: Faults,
    private readonly now: () => number,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Fire-and-forget delivery (status callbacks). Faults may drop, duplicate or delay it. */
  send(url: string, params: Record<string, string | string[]>, authToken: string, method = "POST") {
    const path = safePath(url);
    if (this.faults.pick(["drop_callbacks"], path, method)) {
      this.log.push({ url, method, params, status: null, at: this.now(), dropped: true });
      return;
    }
    const copies = this.faults.pick(["duplicate_callbacks"], path, method) ? 2 : 1;
    const delay = this.faults.pick(["delay_callbacks"], path, method)?.latency_ms ?? 0;
    for (let i = 0; i < copies; i++) {
      const p = new Promise((r) => setTimeout(r, delay))
        .then(() => this.request(url, params, authToken, method))
        .catch(() => undefined);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
  }

  /** A request whose answer matters (inbound SMS TwiML, voice TwiML). */
  async request(
    url: string,
    params: Record<string, string | string[]>,
    authToken: string,
    method = "POST",
  ): Promise<CallbackResponse | null> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const target = method === "GET" ? appendQuery(url, body) : url;
    const signature =
      method === "GET" ? twilioSignature(authToken, target) : twilioSignature(authToken, url, params);
    const record: CallbackRecord = { url, method, params, status: null, at: this.now() };
    this.log.push(record);
    try {
      const res = await fetch(target, {
        method,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": signature,
          "i-twilio-idempotency-token": crypto.randomUUID(),
          "user-agent": "TwilioProxy/1.1",
        },
        body: method === "GET" ? undefined : body.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      record.status = res.status;
      return {
        status: res.status,
        body: await res.text(),
        contentType: res.headers.get("content-type") ?? "",
      };
    } catch (err) {
      record.error = (err as Error).message;
      return null;
    }
  }

  /** Resolves when every callback sent so far has been answered (tests). */
  async settle() {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}

function appendQuery(url: string, q: URLSearchParams) {
  const s = q.toString();
  if (!s) return url;
  return url + (url.includes("?") ? "&" : "?") + s;
}

function safePath(url: string) {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
