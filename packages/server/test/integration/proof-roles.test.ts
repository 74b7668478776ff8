/**
 * Proof of the staff roles, route by route: every route that needs credentials is called by a
 * dashboard session of every role — as the operator's staff and as a tenant's customer user —
 * and answers `role_forbidden` exactly when the route's allow-list leaves that role out. Reads
 * that a role may make really answer (200, or `admin_required` for a customer user on an
 * operator route), so the refusals are the allow-list's and not an error. Changes are tried
 * with ids that exist nowhere and a body that fails validation: the role decision comes first,
 * and nothing changes whichever way it goes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteAccess } from "../../src/http/access.js";
import { ROUTE_ROLES, STAFF_ROLES, type StaffRole, rolesFor } from "../../src/staff/roles.js";
import { QUERIES, fixtureFor } from "../proof/isolation-params.js";
import { customerSession, operatorSession } from "../proof/staff-session.js";
import { type TenantWorld, buildTenantWorld } from "../proof/tenant-world.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let world: TenantWorld;
let guarded: RouteAccess[];
const sessions: { role: StaffRole; scope: "operator" | "customer"; token: string }[] = [];

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  world = await buildTenantWorld(stack, 1, "http://127.0.0.1:9/hooks");
  guarded = stack.server.app!.routeAccess.filter(
    (r) => r.method !== "HEAD" && r.auth !== "public" && r.auth !== "twilio",
  );
  for (const role of STAFF_ROLES) {
    sessions.push({ role, scope: "operator", token: await operatorSession(stack, role) });
    // Owners run the platform: a customer user cannot be one.
    if (role !== "owner")
      sessions.push({ role, scope: "customer", token: await customerSession(stack, world.tenantId, role) });
  }
}, 180_000);
afterAll(() => stack?.close());

/** `/v1/tenants/:id/…` with the world's ids (or ids that exist nowhere). */
function fill(route: string, existing: boolean): string {
  return route.replace(/:(\w+)/g, (_, name: string) => {
    const fixture = fixtureFor(route.replace(/:(\w+)/g, "{$1}"), name);
    if (!fixture) throw new Error(`no fixture for :${name} in ${route}`);
    return encodeURIComponent(existing ? fixture.of(world) : fixture.missing);
  });
}

describe("staff roles, route by route", () => {
  it("give every route that needs credentials an allow-list, and list no route that does not exist", () => {
    const keys = new Set(guarded.map((r) => `${r.method} ${r.url}`));
    const missing = [...keys].filter((k) => !ROUTE_ROLES[k]);
    expect(missing, "routes without a role rule (add them to ROUTE_ROLES in staff/roles.ts)").toEqual([]);
    const stale = Object.keys(ROUTE_ROLES).filter((k) => !keys.has(k));
    expect(stale, "role rules for routes that do not exist").toEqual([]);
  });

  it("refuse each role exactly the routes its allow-list leaves out, and serve the reads it allows", async () => {
    const failures: string[] = [];
    for (const route of guarded) {
      const read = route.method === "GET";
      const query = read ? QUERIES[`${route.method} ${route.url}`] : undefined;
      const path = fill(route.url, read) + (query ? `?${query}` : "");
      for (const s of sessions) {
        const res = await stack.api(route.method, path, {
          token: s.token,
          // The operator acts for one tenant on tenant-level routes by naming it.
          headers: s.scope === "operator" ? { "subtext-tenant": world.tenantId } : {},
          // A JSON array: no route takes one, so a change that passes the role check stops at validation.
          ...(read ? {} : { raw: "[]" }),
        });
        const code = res.body?.error?.code;
        const allowed = rolesFor(route.method, route.url)?.includes(s.role) ?? false;
        const where = `${s.scope} ${s.role} → ${route.method} ${path}`;
        if (res.status >= 500) failures.push(`${where}: ${res.status} ${code}`);
        else if (!allowed && code !== "role_forbidden")
          failures.push(`${where}: the role is not allowed but got ${res.status} ${code}`);
        else if (allowed && code === "role_forbidden")
          failures.push(`${where}: the role is allowed but refused`);
        else if (allowed && read && res.status !== 200 && code !== "admin_required")
          failures.push(`${where}: an allowed read answered ${res.status} ${code}`);
        else if (allowed && !read && res.status < 300)
          failures.push(`${where}: a change with an invalid body answered ${res.status}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("keep message bodies, numbers and business data from the billing role", async () => {
    const billing = sessions.filter((s) => s.role === "billing");
    for (const path of [
      `/v1/messages/${world.ids.messages}`,
      "/v1/verify/verifications",
      `/v1/calls/${world.ids.calls}`,
      `/v1/tenants/${world.tenantId}/registrations`,
      "/v1/ivr-flows",
      "/v1/webhook-endpoints",
      "/v1/events",
      "/v1/opt-outs",
    ]) {
      for (const s of billing) {
        const res = await stack.api("GET", path, { token: s.token });
        expect(`${res.status} ${res.body?.error?.code}`, `${s.scope} billing GET ${path}`).toBe(
          "403 role_forbidden",
        );
      }
    }
    const usage = await stack.api("GET", "/v1/usage", { token: billing[0].token });
    expect(usage.status).toBe(200);
  });
});
