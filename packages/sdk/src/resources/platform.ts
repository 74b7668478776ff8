import { type RawClient, call } from "../http.js";
import type { QueryOf, RequestBody } from "../types.js";

/** Outbound webhooks (tenant key; the admin token names the tenant with `tenant_id`). */
export function webhookEndpointsResource(raw: RawClient) {
  const byId = (id: string) => ({ path: { id } });
  return {
    /** The answer carries the `secret` (whsec_…) once: keep it for `verifyWebhook`. */
    create: (input: RequestBody<"/v1/webhook-endpoints", "post">) =>
      call(raw.POST("/v1/webhook-endpoints", { body: input })),
    list: (query: QueryOf<"/v1/webhook-endpoints", "get"> = {}) =>
      call(raw.GET("/v1/webhook-endpoints", { params: { query } })),
    get: (id: string) => call(raw.GET("/v1/webhook-endpoints/{id}", { params: byId(id) })),
    /** Changes the URL or event types, enables/disables, or rotates the secret. */
    update: (id: string, patch: RequestBody<"/v1/webhook-endpoints/{id}", "patch">) =>
      call(raw.PATCH("/v1/webhook-endpoints/{id}", { params: byId(id), body: patch })),
    delete: (id: string) => call(raw.DELETE("/v1/webhook-endpoints/{id}", { params: byId(id) })),
    /** The delivery log: attempts, status codes, latencies, next retry. */
    deliveries: (id: string, query: QueryOf<"/v1/webhook-endpoints/{id}/deliveries", "get"> = {}) =>
      call(raw.GET("/v1/webhook-endpoints/{id}/deliveries", { params: { ...byId(id), query } })),
  };
}

export function eventsResource(raw: RawClient) {
  return {
    /** Sends an event again (to one endpoint, or every subscribed one). */
    replay: (id: string, input: RequestBody<"/v1/events/{id}/replay", "post"> = {}) =>
      call(raw.POST("/v1/events/{id}/replay", { params: { path: { id } }, body: input })),
  };
}

export function usageResource(raw: RawClient) {
  return {
    /** Metered messages, segments, minutes and cost, grouped (`group_by`, default `day`). */
    get: (query: Omit<QueryOf<"/v1/usage", "get">, "format"> = {}) =>
      call(raw.GET("/v1/usage", { params: { query } })),
    /** A tenant's budget: its limits and what it sent this UTC day and month (its key or the admin). */
    budget: (tenantId: string) =>
      call(raw.GET("/v1/tenants/{id}/budget", { params: { path: { id: tenantId } } })),
    /**
     * Sets a tenant's limits (admin token); a limit left out or null is no limit. Past a limit,
     * sends are refused with 403 `budget_exceeded` until the period starts over.
     */
    setBudget: (tenantId: string, limits: RequestBody<"/v1/tenants/{id}/budget", "put">) =>
      call(raw.PUT("/v1/tenants/{id}/budget", { params: { path: { id: tenantId } }, body: limits })),
  };
}

/** One-time passcodes (tenant key). */
export function verifyResource(raw: RawClient) {
  return {
    /** Sends a code (sms, call, whatsapp, …). */
    start: (input: RequestBody<"/v1/verify/verifications", "post">) =>
      call(raw.POST("/v1/verify/verifications", { body: input })),
    /** Checks the code the user typed: `valid` says whether it matched. */
    check: (input: RequestBody<"/v1/verify/checks", "post">) =>
      call(raw.POST("/v1/verify/checks", { body: input })),
  };
}

export function systemResource(raw: RawClient) {
  return {
    /**
     * How the deployment runs: `mode` (sandbox/live), `engine`, `version`, `emulator_url` and,
     * for the admin in sandbox mode, `emulator_control_token`.
     */
    get: () => call(raw.GET("/v1/system")),
  };
}
