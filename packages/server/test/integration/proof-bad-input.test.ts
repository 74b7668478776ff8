/**
 * Proof that bad input is refused cleanly, over every endpoint of the live OpenAPI document:
 * fast-check builds requests that break one thing of a valid request (a wrong type, a missing
 * field, an unknown field, junk or malformed JSON, a wrong Content-Type, odd Unicode, SQL-ish
 * and 1 MB strings, numbers past what a column holds, odd path and query values). The server never answers 5xx; what it refuses
 * gets a 4xx with a stable snake_case `error.code` and changes no table's row count; what the
 * schema itself forbids is always refused. Twilio's webhooks: proof-bad-webhooks.test.ts.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BadRequest,
  HUGE,
  OUT_OF_RANGE,
  badRequests,
  outOfRangeRequests,
  validates,
} from "../proof/bad-requests.js";
import { changedTables, rowCounts, tableNames } from "../proof/db-state.js";
import { fixtureFor } from "../proof/isolation-params.js";
import { type Operation, fillPath, operationsOf, pathParams, typesOf } from "../proof/openapi.js";
import { readyToSend } from "../support/messaging.js";
import { sample } from "../proof/schema-sample.js";
import { type TenantWorld, buildTenantWorld } from "../proof/tenant-world.js";
import { type Stack, startStack } from "./harness.js";

const RUNS = Number(process.env.SUBTEXT_PROOF_RUNS ?? 10);
const CODE = /^[a-z][a-z0-9_]*$/;

let stack: Stack;
let t: TenantWorld;
let ops: Operation[];
let tables: string[];
const tokens = new Map<string, string | null>();

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await buildTenantWorld(stack, 3, "http://127.0.0.1:9/t");
  const doc = (await stack.api("GET", "/openapi.json", { token: null })).body;
  ops = operationsOf(doc).filter((op) => !op.path.startsWith("/twilio/"));
  tables = await tableNames(stack.db);
  for (const op of ops) tokens.set(op.key, await tokenFor(op));
  // One valid read of each GET route first: lazy, idempotent set-up some reads do on first use
  // (e.g. scheduling a recurring job) is not a change that bad input caused.
  for (const op of ops.filter((o) => o.method === "GET")) {
    await stack.api("GET", concrete(op, "real"), { token: tokens.get(op.key) });
  }
}, 120_000);
afterAll(() => stack?.close());

/**
 * Who calls: nobody for public routes; the tenant's key, or the admin token on operator-only
 * routes (found by asking with the key: authorization runs before validation, so a junk query
 * tells without touching anything).
 */
async function tokenFor(op: Operation): Promise<string | null> {
  if (!op.authenticated) return null;
  const raw = op.method === "GET" || op.method === "DELETE" ? undefined : "{";
  const res = await stack.api(op.method, `${concrete(op, "missing")}?zz_probe=1`, { token: t.key, raw });
  return res.status === 403 && res.body?.error?.code === "admin_required" ? stack.adminToken : t.key;
}

/**
 * The path with real ids, except where acting on a real resource could destroy the fixtures
 * (deletes and body-less actions): those aim at ids that exist nowhere.
 */
function concrete(op: Operation, which: "real" | "missing", override: Record<string, string> = {}): string {
  const values: Record<string, string> = {};
  for (const p of pathParams(op)) {
    const f = fixtureFor(op.path, p.name);
    const v = f ? (which === "real" ? f.of(t) : f.missing) : "x";
    values[p.name] = override[p.name] ?? encodeURIComponent(v);
  }
  return fillPath(op.path, values, true);
}

function aimFor(op: Operation): "real" | "missing" {
  return op.method === "GET" || (op.body && op.method !== "DELETE") ? "real" : "missing";
}

async function send(op: Operation, bad: BadRequest) {
  const path = concrete(op, aimFor(op), bad.pathOverride) + (bad.query ? `?${bad.query}` : "");
  const withBody = op.method !== "GET" && op.method !== "DELETE";
  const raw =
    withBody && bad.raw === undefined && bad.body !== undefined ? JSON.stringify(bad.body) : bad.raw;
  return stack.api(op.method, path, {
    token: tokens.get(op.key),
    raw: withBody ? raw : undefined,
    headers: bad.contentType ? { "content-type": bad.contentType } : undefined,
  });
}

/**
 * An accepted request may have started something at Twilio (a call rings, a message is
 * delivered): let the emulator finish it, so its callbacks do not land during the next check.
 */
async function quiesce(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await stack.emulator.running.world.callbacks.settle();
    const { jobs } = await stack.emulator.control<{ jobs: unknown[] }>("GET", "jobs");
    if (jobs.length === 0) return;
    await stack.emulator.control("POST", "clock/advance", { seconds: 120 });
  }
}

/** Checks one answer; returns what is wrong with it, or null. */
async function judge(op: Operation, bad: BadRequest, before: Record<string, number>) {
  const res = await send(op, bad);
  const where = `${op.key} with ${bad.what}`;
  if (res.status >= 500) return `${where}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
  if (bad.mustRefuse && res.status < 400) return `${where}: accepted (${res.status}) what the schema forbids`;
  if (res.status < 400) {
    await quiesce();
    return null;
  }
  const code = res.body?.error?.code;
  if (typeof code !== "string" || !CODE.test(code))
    return `${where}: ${res.status} without a stable error.code: ${JSON.stringify(res.body).slice(0, 200)}`;
  const changed = changedTables(before, await rowCounts(stack.db, tables));
  if (changed.length) return `${where}: refused with ${res.status} ${code} but changed ${changed.join(", ")}`;
  return null;
}

describe("bad input on every public endpoint", () => {
  it("never answers 5xx, refuses with a stable code, and a refusal changes no table", {
    timeout: 120_000,
  }, async () => {
    const failures: string[] = [];
    for (const op of ops) {
      let before = await rowCounts(stack.db, tables);
      const result = await fc.check(
        fc.asyncProperty(badRequests(op), async (bad) => {
          const problem = await judge(op, bad, before);
          before = await rowCounts(stack.db, tables);
          if (problem) throw new Error(problem);
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      if (result.failed) {
        const error = result.errorInstance as Error | undefined;
        const example = JSON.stringify(result.counterexample?.[0] ?? null).slice(0, 300);
        failures.push(
          `${error?.message ?? "failed"}\n  request: ${example}\n  (seed ${result.seed}, path ${result.counterexamplePath})`,
        );
      }
    }
    expect(failures, failures.join("\n\n")).toEqual([]);
  });

  it("copes with 1 MB, NUL and lone surrogates in every string field of every body", {
    timeout: 120_000,
  }, async () => {
    const failures: string[] = [];
    const values: [string, string][] = [
      ["1 MB", HUGE[0]],
      ["a NUL character", "x\u0000y"],
      ["a lone surrogate", "a\uD800b"],
    ];
    for (const op of ops.filter((o) => o.body?.properties && o.method !== "DELETE")) {
      const base = sample(op.body!) as Record<string, unknown>;
      for (const [name, prop] of Object.entries<any>(op.body!.properties)) {
        if (!typesOf(prop).includes("string")) continue;
        for (const [label, value] of values) {
          const bad = {
            what: `${label} in /${name}`,
            mustRefuse: !validates(prop, value),
            body: { ...base, [name]: value },
          };
          const problem = await judge(op, bad, await rowCounts(stack.db, tables));
          if (problem) failures.push(problem);
        }
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it(`copes with ${OUT_OF_RANGE.join(", ")} in every numeric field of every body and query`, {
    timeout: 300_000,
  }, async () => {
    const failures: string[] = [];
    for (const op of ops) {
      for (const bad of outOfRangeRequests(op)) {
        const problem = await judge(op, bad, await rowCounts(stack.db, tables));
        if (problem) failures.push(problem);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("refuses a body over the 1 MiB limit with 413 payload_too_large", async () => {
    const res = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: "+14155550100", body: HUGE[1] },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("answers unknown routes and methods with a stable 404, not a crash", async () => {
    for (const [method, path] of [
      ["GET", "/v1/%ED%A0%80"],
      ["DELETE", "/v1/messages"],
      ["PUT", "/v1/tenants"],
      ["GET", `/v1/messages/${"a".repeat(5_000)}`],
      ["GET", "/v1/messages/..%2F..%2Fetc%2Fpasswd"],
    ]) {
      const res = await stack.api(method, path, { token: t.key });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.body.error.code, `${method} ${path}`).toMatch(CODE);
    }
  });

  it("never lets one tenant's unstorable text fail another tenant's sends in the same group commit", async () => {
    const other = await readyToSend(stack as never);
    const hostile = [
      { body: "a\uD800b" },
      { body: "hi", metadata: { note: "\uD800" } },
      { body: "x\u0000y" },
    ];
    for (const [round, bad] of hostile.entries()) {
      const good = Array.from({ length: 20 }, (_, i) =>
        stack.api("POST", "/v1/messages", {
          token: t.key,
          body: { to: `+1415556${round}${String(i).padStart(3, "0")}`, body: "Your order is ready" },
        }),
      );
      const evil = stack.api("POST", "/v1/messages", {
        token: other.key,
        body: { to: "+14155560999", ...bad },
      });
      const [answer, ...answers] = await Promise.all([evil, ...good]);
      expect(
        answers.map((r) => r.status),
        `beside ${JSON.stringify(bad)}`,
      ).toEqual(answers.map(() => 202));
      expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
    }
  });
});
