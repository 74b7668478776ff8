import { EmulatorRequestClient } from "../../src/recipe.js";
import type { Exchange } from "./oai.js";

type RequestOptions = Parameters<EmulatorRequestClient["request"]>[0];

/**
 * The emulator recipe's httpClient that also keeps every exchange the SDK makes, under the
 * Twilio URL the SDK asked for (before the recipe maps it to the emulator), so any test can hand
 * what it saw to the conformance check:
 *
 *   const recorder = new RecordingRequestClient(em.url);
 *   const client = twilio(sid, token, { httpClient: recorder });
 *   …
 *   expect(oai.findings(recorder.take())).toEqual([]);
 */
export class RecordingRequestClient extends EmulatorRequestClient {
  readonly exchanges: Exchange[] = [];

  override async request<TData>(opts: RequestOptions) {
    const response = await super.request<TData>(opts);
    this.exchanges.push({
      method: String(opts.method).toUpperCase(),
      url: withQuery(opts.uri, opts.params),
      status: response.statusCode,
      body: parse(response.body),
    });
    return response;
  }

  /** The exchanges recorded so far, emptying the record. */
  take(): Exchange[] {
    return this.exchanges.splice(0);
  }
}

function withQuery(uri: string, params: unknown): string {
  if (!params || typeof params !== "object" || Object.keys(params).length === 0) return uri;
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    for (const one of [v].flat()) if (one !== undefined) url.searchParams.append(k, String(one));
  }
  return url.toString();
}

/** The SDK's axios parses JSON bodies already; a 204 arrives as "" (no body). */
function parse(body: unknown): unknown {
  if (body === "" || body === undefined || body === null) return undefined;
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
