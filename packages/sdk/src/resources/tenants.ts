import { type RawClient, call, paginate } from "../http.js";
import type { QueryOf, RequestBody } from "../types.js";

type ListQuery = QueryOf<"/v1/tenants", "get">;

/** Tenants (admin token): one per customer of yours, each with its own Twilio subaccount. */
export function tenantsResource(raw: RawClient) {
  const list = (query: ListQuery = {}) => call(raw.GET("/v1/tenants", { params: { query } }));
  return {
    /** Creates the tenant, its Twilio subaccount and key (201, `status: "active"` when done). */
    create: (input: RequestBody<"/v1/tenants", "post">) => call(raw.POST("/v1/tenants", { body: input })),
    /** One page; pass `starting_after: page.next_cursor` for the next. */
    list,
    /** Every tenant matching the query, page after page. */
    listAll: (query: Omit<ListQuery, "starting_after"> = {}) =>
      paginate((cursor) => list({ ...query, starting_after: cursor })),
    get: (id: string) => call(raw.GET("/v1/tenants/{id}", { params: { path: { id } } })),
    /** Renames, suspends (`status: "suspended"`) or closes a tenant. */
    update: (id: string, patch: RequestBody<"/v1/tenants/{id}", "patch">) =>
      call(raw.PATCH("/v1/tenants/{id}", { params: { path: { id } }, body: patch })),
  };
}

/** A tenant's API keys (admin token). The `key` is returned by `create` only: store it then. */
export function apiKeysResource(raw: RawClient) {
  return {
    create: (tenantId: string, input: RequestBody<"/v1/tenants/{id}/api-keys", "post"> = {}) =>
      call(raw.POST("/v1/tenants/{id}/api-keys", { params: { path: { id: tenantId } }, body: input })),
    list: (tenantId: string) =>
      call(raw.GET("/v1/tenants/{id}/api-keys", { params: { path: { id: tenantId } } })),
    revoke: (tenantId: string, keyId: string) =>
      call(
        raw.DELETE("/v1/tenants/{id}/api-keys/{key_id}", {
          params: { path: { id: tenantId, key_id: keyId } },
        }),
      ),
  };
}
