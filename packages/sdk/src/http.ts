/**
 * The typed transport: openapi-fetch over the generated `paths`, with the bearer token on every
 * request, and `call()`, which turns any non-2xx answer into a thrown SubtextApiError.
 */
import createClient, { type Client } from "openapi-fetch";
import { SubtextApiError } from "./errors.js";
import type { Page } from "./types.js";
import type { paths } from "./schema.js";

export interface SubtextOptions {
  /** The API's base URL, e.g. `http://localhost:3000` (no `/v1`). */
  baseUrl: string;
  /** The admin token (every route, any tenant) or a tenant's `sk_…` key (that tenant only). */
  token: string;
  /** A fetch implementation (tests, proxies, edge runtimes); default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** The typed openapi-fetch client: every route of the OpenAPI document, by path and method. */
export type RawClient = Client<paths>;

export function createRawClient(options: SubtextOptions): RawClient {
  if (!options.baseUrl) throw new TypeError("createSubtext: baseUrl is required");
  if (!options.token) throw new TypeError("createSubtext: token is required (admin token or sk_… key)");
  const fetchImpl = options.fetch;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { ...options.headers, authorization: `Bearer ${options.token}` },
    // Looked up per request so that a fetch patched after creation (test interceptors) is used.
    fetch: (request) => (fetchImpl ?? globalThis.fetch)(request),
  });
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call: its data on 2xx, otherwise a thrown SubtextApiError. */
export async function call<T>(request: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw SubtextApiError.fromResponse(response, error);
  return data as T;
}

/** Every item of a cursor-paged list, fetching pages as the caller iterates. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (!page.has_more || !page.next_cursor) return;
    cursor = page.next_cursor;
  }
}
