/**
 * The dashboard's only way to the server: same-origin fetch with the session cookie, the CSRF
 * header on changes, the tenant being looked at in `Subtext-Tenant`, and errors in the API's
 * one shape (`{error:{code,message,hint,details}}`) turned into ApiError.
 */
export interface Finding {
  path: string;
  code: string;
  severity: "error" | "warning";
  message: string;
  fix: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let actingTenant: string | null = null;
let onSignedOut: (() => void) | null = null;

/** The tenant tenant-level routes act for (admins pick one; customer users have theirs). */
export function setActingTenant(id: string | null): void {
  actingTenant = id;
}

export function onSessionEnded(fn: () => void): void {
  onSignedOut = fn;
}

export interface RequestOptions {
  body?: unknown;
  /** Do not send Subtext-Tenant even when a tenant is selected. */
  noTenant?: boolean;
  signal?: AbortSignal;
}

export async function api<T = any>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-requested-with"] = "subtext";
  if (o.body !== undefined) headers["content-type"] = "application/json";
  if (actingTenant && !o.noTenant) headers["subtext-tenant"] = actingTenant;
  const res = await fetch(path, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    credentials: "same-origin",
    signal: o.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string; hint?: string; details?: unknown[] } })
      ?.error;
    if (res.status === 401 && e?.code === "session_expired") onSignedOut?.();
    throw new ApiError(
      res.status,
      e?.code ?? "http_error",
      e?.message ?? `HTTP ${res.status}`,
      e?.hint,
      e?.details,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = <T = any>(path: string, o?: RequestOptions) => api<T>("GET", path, o);
export const post = <T = any>(path: string, body?: unknown, o?: RequestOptions) =>
  api<T>("POST", path, { ...o, body });
export const patch = <T = any>(path: string, body?: unknown, o?: RequestOptions) =>
  api<T>("PATCH", path, { ...o, body });
export const put = <T = any>(path: string, body?: unknown, o?: RequestOptions) =>
  api<T>("PUT", path, { ...o, body });
export const del = <T = any>(path: string, o?: RequestOptions) => api<T>("DELETE", path, o);

/** A query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : "";
}

/** One entry of an error's `details`: a JSON pointer into the request, a stable code, a message. */
export interface Problem {
  path: string;
  code: string;
  message: string;
  severity?: "error" | "warning";
}

/**
 * The field-level problems of a refused request: the schema's (400 invalid_request) and a use
 * case's (422 with details). Ajv's `if` entries only say a node's type-specific rules failed;
 * the entries naming the failing field come with them, so they are dropped.
 */
export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return [];
  return (e.details as Partial<Problem>[])
    .filter((d) => typeof d?.path === "string" && typeof d.code === "string" && d.code !== "if")
    .map((d) => ({
      path: d.path as string,
      code: d.code as string,
      message: d.message ?? d.code ?? "",
      severity: d.severity ?? "error",
    }));
}

/** Problems at `path` or inside it (a JSON pointer prefix). */
export function problemsAt(problems: Problem[], path: string): Problem[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}/`));
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
