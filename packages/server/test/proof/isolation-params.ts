/**
 * What fills each path parameter of the API in the isolation proof, keyed by the collection
 * the parameter indexes (`messages/{id}`). A route added with a parameter not listed here makes
 * the proof fail with a message naming it: add its line (and create the resource in
 * tenant-world.ts), so no tenant-scoped route goes untested.
 *
 * Kinds:
 * - id: a resource id, unique across tenants. Another tenant's key gets 404, as for a missing id.
 * - value: a value in the tenant's own namespace (a phone number on its suppression list).
 *   Another tenant's call is about its own list: 404, or an answer that shows nothing of the owner's.
 * - free: not tenant data (a calendar month).
 */
import { collectionOf } from "./openapi.js";
import type { TenantWorld } from "./tenant-world.js";

export type ParamKind = "id" | "value" | "free";

export interface ParamFixture {
  kind: ParamKind;
  of(w: TenantWorld): string;
  /** A value of the same shape that names nothing. */
  missing: string;
}

const id = (collection: string, missing: string): ParamFixture => ({
  kind: "id",
  of: (w) => w.ids[collection],
  missing,
});
const value = (collection: string): ParamFixture => ({
  kind: "value",
  of: (w) => w.ids[collection],
  missing: "+14155559999",
});

export const PATH_PARAMS: Record<string, ParamFixture> = {
  "tenants/{id}": id("tenants", "ten_01JC0000000000000000000000"),
  "api-keys/{key_id}": id("api-keys", "key_01JC0000000000000000000000"),
  "registrations/{rid}": id("registrations", "reg_01JC0000000000000000000000"),
  "campaigns/{cid}": id("campaigns", "cmp_01JC0000000000000000000000"),
  "webhook-endpoints/{id}": id("webhook-endpoints", "whe_01JC0000000000000000000000"),
  "events/{id}": id("events", "evt_01JC0000000000000000000000"),
  "alert-rules/{id}": id("alert-rules", "alr_01JC0000000000000000000000"),
  "users/{id}": id("users", "stf_01JC0000000000000000000000"),
  "messages/{id}": id("messages", "msg_01JC0000000000000000000000"),
  "lanes/{id}": id("lanes", "lane_01JC0000000000000000000000"),
  "verifications/{id}": id("verifications", "vrf_01JC0000000000000000000000"),
  "senders/{id}": id("senders", "was_01JC0000000000000000000000"),
  "templates/{id}": id("templates", "wat_01JC0000000000000000000000"),
  "ivr-flows/{id}": id("ivr-flows", "ivr_01JC0000000000000000000000"),
  "calls/{id}": id("calls", "call_01JC0000000000000000000000"),
  "numbers/{id}": id("numbers", "num_01JC0000000000000000000000"),
  "alpha-senders/{id}": id("alpha-senders", "alpha_01JC0000000000000000000000"),
  "bundles/{bid}": id("bundles", "bnd_01JC0000000000000000000000"),
  "short-codes/{scid}": id("short-codes", "shc_01JC0000000000000000000000"),
  "messaging-services/{id}": id("messaging-services", `MG${"0".repeat(32)}`),
  "opt-outs/{phone}": value("opt-outs"),
  "opt-ins/{phone}": value("opt-ins"),
  "statements/{month}": { kind: "free", of: () => new Date().toISOString().slice(0, 7), missing: "2001-01" },
};

/** The fixture of `{param}` in `template`, or undefined when the proof does not know it yet. */
export function fixtureFor(template: string, param: string): ParamFixture | undefined {
  return PATH_PARAMS[`${collectionOf(template, param)}/{${param}}`];
}

/** Query strings for reads that need one (a required filter): the proofs' reads send it. */
export const QUERIES: Record<string, string> = {
  "GET /v1/regulations": "country=GB&number_type=mobile&end_user_type=individual",
};

/**
 * Request bodies for routes whose handler checks the body's meaning before it looks the
 * resource up: with a body that is valid for the owner, only ownership can refuse it.
 */
export const BODIES: Record<string, (owner: TenantWorld) => unknown> = {
  "PUT /v1/ivr-flows/{id}": () => ({
    name: "Replaced",
    start: "bye",
    nodes: { bye: { type: "hangup" } },
  }),
  "PATCH /v1/tenants/{id}/registrations/{rid}": () => ({ business: { brand_name: "Renamed" } }),
  "PATCH /v1/webhook-endpoints/{id}": () => ({ enabled: false }),
  "PATCH /v1/lanes/{id}": () => ({ mps: 1 }),
  "PATCH /v1/numbers/{id}": () => ({ messaging_service_id: null, force: true }),
  "POST /v1/alpha-senders/{id}/registrations": () => ({ country: "IN", status: "approved" }),
  "PUT /v1/tenants/{id}/countries": () => ({ countries: ["GB"] }),
  "PATCH /v1/messaging-services/{id}": () => ({ sticky_sender: false }),
  "PATCH /v1/tenants/{id}": () => ({ status: "suspended" }),
  "POST /v1/tenants/{id}/short-codes/{scid}/review": () => ({ state: "in_carrier_review" }),
  "PUT /v1/tenants/{id}/billing": () => ({ markup_percent: "99" }),
  "PATCH /v1/staff/users/{id}": () => ({ disabled: true }),
};
