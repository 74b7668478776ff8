/**
 * Proof of tenant isolation, driven by the live OpenAPI document: for every /v1 route with a
 * path parameter, tenant A's callers (its sk_ key, and a dashboard session of its customer
 * user) aim at tenant B's real resources — and get 404, exactly as for an id that does not
 * exist (or 403 on operator-only routes), see nothing of B, and change nothing anywhere.
 * A route added later is covered by iterating the document; one whose parameter has no
 * fixture fails here with the line to add (test/proof/isolation-params.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changedTables, tableDigests, tenantDigests } from "../proof/db-state.js";
import { BODIES, fixtureFor } from "../proof/isolation-params.js";
import { type Operation, collectionOf, fillPath, operationsOf, pathParams } from "../proof/openapi.js";
import { sample } from "../proof/schema-sample.js";
import { customerSession } from "../proof/staff-session.js";
import { type TenantWorld, buildTenantWorld, ivrFlow } from "../proof/tenant-world.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: TenantWorld;
let b: TenantWorld;
let ops: Operation[];
let callers: { name: string; token: string }[];

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await buildTenantWorld(stack, 1, "http://127.0.0.1:9/a");
  b = await buildTenantWorld(stack, 2, "http://127.0.0.1:9/b");
  callers = [
    { name: "A's API key", token: a.key },
    { name: "A's customer user session", token: await customerSession(stack, a.tenantId) },
  ];
  ops = operationsOf((await stack.api("GET", "/openapi.json", { token: null })).body).filter(
    (op) => op.path.startsWith("/v1/") && pathParams(op).length > 0,
  );
}, 120_000);
afterAll(() => stack?.close());

const OPERATOR_ONLY = new Set(["admin_required", "role_forbidden"]);

/** The request of `op` aimed at `owner`'s resources (or at ids that exist nowhere). */
function request(op: Operation, owner: TenantWorld | "missing", override: Record<string, string> = {}) {
  const values: Record<string, string> = {};
  for (const p of pathParams(op)) {
    const fixture = fixtureFor(op.path, p.name)!;
    values[p.name] = owner === "missing" ? fixture.missing : fixture.of(owner);
  }
  Object.assign(values, override);
  const world = owner === "missing" ? b : owner;
  const body = BODIES[op.key]?.(world) ?? (op.body ? sample(op.body) : undefined);
  return { path: fillPath(op.path, values), body, values };
}

/** B's strings that appear in an answer, leaving out those the caller itself sent (echoed in errors). */
function leaked(res: { body: unknown }, sent: unknown): string[] {
  const text = JSON.stringify(res.body ?? "");
  const own = JSON.stringify(sent ?? "");
  return b.secrets.filter((s) => s && !own.includes(s) && text.includes(s));
}

describe("tenant isolation over every route of the OpenAPI document", () => {
  it("knows what to put in every path parameter of every /v1 route", () => {
    const missing = ops.flatMap((op) =>
      pathParams(op)
        .filter((p) => !fixtureFor(op.path, p.name))
        .map(
          (p) =>
            `${op.key}: no fixture for {${p.name}} — add "${collectionOf(op.path, p.name)}/{${p.name}}" to PATH_PARAMS in test/proof/isolation-params.ts (and create such a resource in tenant-world.ts)`,
        ),
    );
    expect(missing, missing.join("\n")).toEqual([]);
    expect(ops.length).toBeGreaterThan(30);
  });

  it("answers A's callers with 404 for every resource of B, as for a missing id, and changes nothing", async () => {
    const before = await tableDigests(stack.db);
    const failures: string[] = [];
    let tried = 0;
    for (const caller of callers) {
      for (const op of ops) {
        const aimed = request(op, b);
        const res = await stack.api(op.method, aimed.path, { token: caller.token, body: aimed.body });
        const ghost = request(op, "missing");
        const control = await stack.api(op.method, ghost.path, { token: caller.token, body: ghost.body });
        tried++;
        const where = `${caller.name} → ${op.method} ${aimed.path}`;
        const code = res.body?.error?.code;
        const kinds = pathParams(op).map((p) => fixtureFor(op.path, p.name)!.kind);
        const operatorOnly = res.status === 403 && OPERATOR_ONLY.has(code);
        if (res.status >= 200 && res.status < 300 && kinds.includes("id")) {
          failures.push(`${where}: ${res.status} — B's resource answered to A`);
        } else if (!operatorOnly && kinds.includes("id") && (res.status !== 404 || code !== "not_found")) {
          failures.push(`${where}: expected 404 not_found, got ${res.status} ${code}`);
        } else if (!operatorOnly && res.status >= 300 && res.status !== 404) {
          failures.push(`${where}: expected 404 or an answer about A's own data, got ${res.status} ${code}`);
        }
        if (res.status !== control.status || code !== control.body?.error?.code) {
          failures.push(
            `${where}: answers ${res.status} ${code} but ${control.status} ${control.body?.error?.code} for ids that exist nowhere — the difference tells that B's id exists`,
          );
        }
        const seen = leaked(res, [aimed.values, aimed.body]);
        if (seen.length) failures.push(`${where}: the answer shows B's ${seen.join(", ")}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
    expect(tried).toBe(ops.length * callers.length);
    const after = await tableDigests(stack.db);
    expect(changedTables(before, after), "tables changed by refused cross-tenant requests").toEqual([]);
  });

  it("refuses B's ids under A's own tenant path too (no mixing of tenant and resource)", async () => {
    const mixed = ops.filter(
      (op) =>
        op.path.startsWith("/v1/tenants/{id}/") &&
        pathParams(op).some((p) => p.name !== "id" && fixtureFor(op.path, p.name)?.kind === "id"),
    );
    expect(mixed.length).toBeGreaterThan(0);
    for (const op of mixed) {
      const aimed = request(op, b, { id: a.tenantId });
      for (const token of [a.key, stack.adminToken]) {
        const res = await stack.api(op.method, aimed.path, { token, body: aimed.body });
        const operatorOnly = res.status === 403 && OPERATOR_ONLY.has(res.body?.error?.code);
        if (!operatorOnly) expect(res.status, `${op.method} ${aimed.path}`).toBe(404);
      }
    }
  });

  it("serves the same GET routes to their owner, so the 404s above come from isolation", async () => {
    for (const op of ops.filter((o) => o.method === "GET")) {
      for (const owner of [a, b]) {
        const aimed = request(op, owner);
        const res = await stack.api("GET", aimed.path, { token: owner.key });
        const asOperator = res.status === 403 && OPERATOR_ONLY.has(res.body?.error?.code);
        const final = asOperator ? await stack.api("GET", aimed.path) : res;
        expect(final.status, `${op.key} for its owner: ${JSON.stringify(final.body)}`).toBe(200);
      }
    }
  });

  it("lists nothing of B to A, even when A names B in a query or a Subtext-Tenant header", async () => {
    const doc = (await stack.api("GET", "/openapi.json", { token: null })).body;
    const lists = operationsOf(doc).filter(
      (op) => op.method === "GET" && op.path.startsWith("/v1/") && pathParams(op).length === 0,
    );
    for (const op of lists) {
      const takesTenant = op.params.some((p) => p.in === "query" && p.name === "tenant_id");
      const path = takesTenant ? `${op.path}?tenant_id=${b.tenantId}` : op.path;
      for (const caller of callers) {
        const res = await stack.api("GET", path, {
          token: caller.token,
          headers: { "subtext-tenant": b.tenantId },
        });
        expect(res.status, `${caller.name} GET ${path}`).toBeLessThan(500);
        expect(leaked(res, path), `${caller.name} GET ${path}`).toEqual([]);
      }
    }
  });

  it("treats B's resources named in A's request bodies as unknown, and leaves B's rows alone", async () => {
    const before = await tenantDigests(stack.db, b.tenantId);
    const ghostMg = `MG${"0".repeat(32)}`;
    // Each reference to B, and the same request naming something that exists nowhere.
    const attempts: [string, string, (ref: Record<string, string>) => unknown][] = [
      ["POST", "/v1/calls", (r) => ({ to: "+14155550999", flow_id: r.flow })],
      ["POST", "/v1/messages", (r) => ({ to: "+14155550998", body: "hi", from: r.number })],
      ["POST", "/v1/messages", (r) => ({ to: "+14155550997", body: "hi", messaging_service_id: r.mg })],
      ["POST", "/v1/whatsapp/senders", (r) => ({ phone_number: r.number })],
      ["POST", "/v1/ivr-flows", (r) => ({ ...ivrFlow("x"), phone_numbers: [r.number] })],
      ["POST", `/v1/events/${a.ids.events}/replay`, (r) => ({ endpoint_id: r.endpoint })],
      [
        "POST",
        "/v1/alert-rules",
        (r) => ({ tenant_id: r.tenant, kind: "delivery_rate_below", threshold: 50 }),
      ],
      ["PUT", "/v1/keyword-replies", (r) => ({ messaging_service_id: r.mg, brand_name: "Sneaky" })],
      ["POST", "/v1/opt-outs", (r) => ({ phone: "+14155550996", scope: r.mg })],
    ];
    const ofB = {
      flow: b.ids["ivr-flows"],
      number: b.number,
      mg: b.messagingServiceSid,
      endpoint: b.ids["webhook-endpoints"],
      tenant: b.tenantId,
    };
    const nowhere = {
      flow: "ivr_01JC0000000000000000000000",
      number: "+14155550100",
      mg: ghostMg,
      endpoint: "whe_01JC0000000000000000000000",
      tenant: "ten_01JC0000000000000000000000",
    };
    expect(ofB.mg).toMatch(/^MG/);
    for (const [method, path, body] of attempts) {
      const res = await stack.api(method, path, { token: a.key, body: body(ofB) });
      const control = await stack.api(method, path, { token: a.key, body: body(nowhere) });
      const where = `${method} ${path} naming B's resource`;
      expect(`${res.status} ${res.body?.error?.code}`, where).toBe(
        `${control.status} ${control.body?.error?.code}`,
      );
      if (res.status < 300) expect(JSON.stringify(res.body), where).not.toContain(b.tenantId);
      expect(leaked(res, body(ofB)), where).toEqual([]);
    }
    expect(changedTables(before, await tenantDigests(stack.db, b.tenantId))).toEqual([]);
  });
});
