/**
 * Proof that Twilio's webhooks (`POST /twilio/…`, read from the router, hidden ones included)
 * accept only what Twilio really signed, and that what it signed cannot be replayed into a
 * change: forged, missing or re-used signatures, tampered parameters, other tenants' ids and
 * tokens are refused with a 4xx and change no row; genuine callbacks replayed later (duplicate
 * or stale) and a genuine callback re-signed for another tenant change nothing either.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUT_OF_RANGE, nastyString } from "../proof/bad-requests.js";
import { changedTables, tableDigests } from "../proof/db-state.js";
import { type TenantWorld, buildTenantWorld } from "../proof/tenant-world.js";
import { type Params, fillRoute, matches, postForm, sign, twilioWebhooks } from "../proof/twilio-routes.js";
import { type Stack, startStack } from "./harness.js";

const RUNS = Number(process.env.SUBTEXT_PROOF_RUNS ?? 10);
const CODE = /^[a-z][a-z0-9_]*$/;

let stack: Stack;
let t: TenantWorld;
let u: TenantWorld;
let routes: string[];
let tokens: { t: string; u: string; parent: string };
/** The callbacks Twilio (the emulator) really sent us, oldest first. */
let genuine: { url: string; params: Params }[];

async function authToken(tenantId: string): Promise<string> {
  const tenant = (await stack.api("GET", `/v1/tenants/${tenantId}`)).body;
  const { accounts } = await stack.emulator.control("GET", "accounts");
  return accounts.find((a: { sid: string }) => a.sid === tenant.subaccount_sid).auth_token;
}

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await buildTenantWorld(stack, 4, "http://127.0.0.1:9/t");
  u = await buildTenantWorld(stack, 5, "http://127.0.0.1:9/u");
  // A customer writes in, so the inbound webhook has a genuine request too.
  await stack.emulator.control("POST", "handsets/%2B14155550777/messages", {
    to: t.number,
    body: "Hello there",
  });
  await stack.emulator.running.world.callbacks.settle();
  tokens = {
    t: await authToken(t.tenantId),
    u: await authToken(u.tenantId),
    parent: stack.emulator.parent.authToken,
  };
  routes = twilioWebhooks(stack.server.app!);
  genuine = stack.emulator.running.world.callbacks.log
    .filter(
      (c) => c.method === "POST" && c.url.startsWith(`${stack.url}/twilio/`) && c.url.includes(t.tenantId),
    )
    .map((c) => ({ url: c.url, params: c.params }));
}, 120_000);
afterAll(() => stack?.close());

/** A concrete URL of `route` for tenant `w` (ids of w's call and flow where the route has them). */
function urlOf(route: string, w: TenantWorld, tenantId = w.tenantId): string {
  const seen = genuine.find((g) => matches(route, g.url));
  if (seen && tenantId === t.tenantId && w === t) return seen.url;
  const path = fillRoute(route, {
    tenantId,
    kind: "brand",
    callId: w.ids.calls,
    flowId: w.ids["ivr-flows"],
    nodeId: "welcome",
  });
  return `${stack.url}${path}`;
}

const paramsFor = (route: string): Params =>
  genuine.find((g) => matches(route, g.url))?.params ?? { AccountSid: "AC00000000000000000000000000000000" };

type Forgery = {
  name: string;
  make(route: string): { url: string; params: Params; signature: string | null };
};

const forgeries: Forgery[] = [
  { name: "no signature", make: (r) => ({ url: urlOf(r, t), params: paramsFor(r), signature: null }) },
  {
    name: "the signature of another request",
    make: (r) => {
      const url = urlOf(r, t);
      return { url, params: paramsFor(r), signature: sign(tokens.t, url, { Other: "request" }) };
    },
  },
  {
    name: "signed with the parent account's token",
    make: (r) => {
      const url = urlOf(r, t);
      return { url, params: paramsFor(r), signature: sign(tokens.parent, url, paramsFor(r)) };
    },
  },
  {
    name: "signed with another tenant's token",
    make: (r) => {
      const url = urlOf(r, t);
      return { url, params: paramsFor(r), signature: sign(tokens.u, url, paramsFor(r)) };
    },
  },
  {
    name: "signed for tenant T, sent to tenant U's URL",
    make: (r) => ({
      url: urlOf(r, u, u.tenantId),
      params: paramsFor(r),
      signature: sign(tokens.t, urlOf(r, t), paramsFor(r)),
    }),
  },
  {
    name: "signed, then a parameter changed",
    make: (r) => {
      const url = urlOf(r, t);
      const params = paramsFor(r);
      return {
        url,
        params: { ...params, MessageStatus: "failed", CallStatus: "failed" },
        signature: sign(tokens.t, url, params),
      };
    },
  },
  {
    name: "signed with T's token for an unknown tenant id",
    make: (r) => {
      const url = urlOf(r, t, "ten_01JC0000000000000000000000");
      return { url, params: paramsFor(r), signature: sign(tokens.t, url, paramsFor(r)) };
    },
  },
];

describe("Twilio webhooks refuse what Twilio did not sign", () => {
  it("finds the webhook routes, including those hidden from /openapi.json", () => {
    expect(routes).toEqual(
      expect.arrayContaining(["/twilio/messages/status/:tenantId", "/twilio/messages/inbound/:tenantId"]),
    );
    expect(routes.some((r) => r.startsWith("/twilio/voice/"))).toBe(true);
    expect(routes.some((r) => r.startsWith("/twilio/onboarding/"))).toBe(true);
    expect(genuine.length).toBeGreaterThan(5);
  });

  it("answers every forgery on every webhook with a 4xx and changes no row", async () => {
    const before = await tableDigests(stack.db);
    const failures: string[] = [];
    for (const route of routes) {
      for (const forgery of forgeries) {
        const { url, params, signature } = forgery.make(route);
        const res = await postForm(url, params, signature);
        const code = res.json?.error?.code;
        if (res.status < 400 || res.status >= 500 || (res.json && !CODE.test(code ?? "")))
          failures.push(`${route} with ${forgery.name}: ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
    expect(changedTables(before, await tableDigests(stack.db))).toEqual([]);
  });

  it("refuses random parameters and signatures (fast-check) with a 4xx and no change", async () => {
    const before = await tableDigests(stack.db);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), nastyString(false), { maxKeys: 6 }),
        // Header values are bytes (Latin-1, no line breaks): what an HTTP client can send at all.
        fc.oneof(
          fc.base64String({ minLength: 28, maxLength: 28 }),
          fc.string({ unit: "binary-ascii", maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
          fc.constant(""),
        ),
        fc.oneof(
          fc.constant(t.tenantId),
          fc.constant(u.tenantId),
          nastyString(false).filter((s) => s.length > 0),
        ),
        async (route, params, signature, tenantId) => {
          const res = await postForm(urlOf(route, t, tenantId), params, signature);
          expect(res.status, `${route} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${route} ${res.text.slice(0, 200)}`).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS * 10 },
    );
    expect(changedTables(before, await tableDigests(stack.db))).toEqual([]);
  });
});

describe("genuine callbacks cannot be replayed into a change", () => {
  it("accepts a duplicate or stale callback, correctly signed, without changing anything", async () => {
    const before = await tableDigests(stack.db);
    const failures: string[] = [];
    // Oldest first: by now each message and call is final, so every one of these is stale.
    for (const g of genuine) {
      const res = await postForm(g.url, g.params, sign(tokens.t, g.url, g.params));
      if (res.status >= 500) failures.push(`${g.url}: ${res.status} ${res.text.slice(0, 160)}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
    expect(changedTables(before, await tableDigests(stack.db)), "tables changed by replays").toEqual([]);
  });

  it("never answers 5xx to a signed callback whose numbers are past what a column holds", {
    timeout: 300_000,
  }, async () => {
    const failures: string[] = [];
    for (const g of genuine) {
      // Its numeric parameters (durations, counts), and ErrorCode even where Twilio sent none.
      const numeric = Object.keys(g.params).filter((k) => /^-?\d+$/.test(String(g.params[k])));
      for (const name of new Set([...numeric, "ErrorCode"])) {
        for (const value of OUT_OF_RANGE) {
          const params = { ...g.params, [name]: String(value) };
          const res = await postForm(g.url, params, sign(tokens.t, g.url, params));
          if (res.status >= 500)
            failures.push(
              `${new URL(g.url).pathname} with ${name}=${value}: ${res.status} ${res.text.slice(0, 120)}`,
            );
        }
      }
    }
    expect([...new Set(failures)], failures.join("\n")).toEqual([]);
  });

  it("does not let T's callback, re-signed for tenant U, touch T's or U's records", async () => {
    const before = await tableDigests(stack.db);
    const failures: string[] = [];
    for (const g of genuine) {
      const url = g.url.replace(t.tenantId, u.tenantId);
      const res = await postForm(url, g.params, sign(tokens.u, url, g.params));
      if (res.status >= 500)
        failures.push(`${new URL(url).pathname}: ${res.status} ${res.text.slice(0, 120)}`);
    }
    expect([...new Set(failures)], failures.join("\n")).toEqual([]);
    expect(changedTables(before, await tableDigests(stack.db))).toEqual([]);
  });
});
