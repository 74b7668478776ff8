/**
 * Every Twilio webhook (each route the registry marks `auth: "twilio"`) answers one and the
 * same refusal to a request for an unknown tenant, an unsigned one and a badly signed one, so
 * the URL tells a prober nothing about which tenant ids exist; a request Twilio signed with
 * the tenant's subaccount auth token goes through.
 */
import { randomBytes } from "node:crypto";
import { twilioSignature } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./harness.js";

type Params = Record<string, string>;

let stack: Stack;
let tenant: { id: string; subaccount_sid: string };
let token: string;
let routes: string[];

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  ({ tenant } = await stack.newTenant({ name: "Intake Co" }));
  const { accounts } = await stack.emulator.control("GET", "accounts");
  token = accounts.find((a: { sid: string }) => a.sid === tenant.subaccount_sid).auth_token;
  routes = stack.server
    .app!.routeAccess.filter((r) => r.auth === "twilio")
    .map((r) => {
      expect(r.method, r.url).toBe("POST");
      return r.url;
    });
});
afterAll(() => stack?.close());

/** The route's URL for `tenantId`, its other path parameters filled with plausible values. */
function urlOf(route: string, tenantId: string): string {
  const values: Record<string, string> = {
    tenantId,
    kind: "brand",
    callId: "call_01JC0000000000000000000000",
    flowId: "ivr_01JC0000000000000000000000",
    nodeId: "welcome",
  };
  const path = route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`no value for :${name} in ${route}`);
    return values[name];
  });
  return `${stack.url}${path}`;
}

/** What Twilio sends to one or another of these routes (each reads the fields it knows). */
function paramsFor(): Params {
  const sid = randomBytes(16).toString("hex");
  return {
    AccountSid: tenant.subaccount_sid,
    MessageSid: `SM${sid}`,
    MessageStatus: "delivered",
    CallSid: `CA${sid}`,
    CallStatus: "ringing",
    Direction: "inbound",
    From: "+14155550100",
    To: "+14155550199",
    Body: "Hello",
  };
}

async function post(url: string, params: Params, signature: string | null) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

describe("the Twilio webhook intake", () => {
  it("finds the webhooks of messaging, onboarding and voice in the route registry", () => {
    for (const prefix of ["/twilio/messages/", "/twilio/onboarding/", "/twilio/voice/"])
      expect(
        routes.some((r) => r.startsWith(prefix)),
        prefix,
      ).toBe(true);
    expect(routes.every((r) => r.startsWith("/twilio/") && r.includes(":tenantId"))).toBe(true);
  });

  it("answers an unknown tenant, a missing and a wrong signature with one and the same 403", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const params = paramsFor();
      const url = urlOf(route, tenant.id);
      const unknownUrl = urlOf(route, "ten_01JC0000000000000000000000");
      const malformedUrl = urlOf(route, "ten_nope");
      // Past any schema's limit: the signature is checked before the parameters are validated.
      const oversizedUrl = urlOf(route, `ten_${"0".repeat(80)}`);
      const answers = {
        "unknown tenant": await post(unknownUrl, params, twilioSignature(token, unknownUrl, params)),
        "malformed tenant id": await post(malformedUrl, params, twilioSignature(token, malformedUrl, params)),
        "oversized tenant id": await post(oversizedUrl, params, twilioSignature(token, oversizedUrl, params)),
        "no signature": await post(url, params, null),
        "empty signature": await post(url, params, ""),
        "signed with the parent's token": await post(
          url,
          params,
          twilioSignature(stack.emulator.parent.authToken, url, params),
        ),
        "signed over other parameters": await post(
          url,
          params,
          twilioSignature(token, url, { ...params, Body: "other" }),
        ),
      };
      for (const [name, res] of Object.entries(answers)) {
        const body = JSON.parse(res.body || "null");
        if (res.status !== 403 || body?.error?.code !== "invalid_signature")
          failures.push(`${route}, ${name}: ${res.status} ${res.body.slice(0, 160)}`);
      }
      const bodies = new Set(Object.values(answers).map((a) => a.body));
      if (bodies.size !== 1) failures.push(`${route}: ${bodies.size} different refusals`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
    // Messaging still counts what it refused, by kind.
    const metrics = (await stack.api("GET", "/metrics")).body as string;
    for (const kind of ["status", "inbound"])
      expect(metrics).toMatch(
        new RegExp(`subtext_twilio_message_callbacks_total\\{kind="${kind}",result="refused"\\} 7\\b`),
      );
  });

  it("accepts what Twilio signed with the tenant's subaccount auth token", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const params = paramsFor();
      const url = urlOf(route, tenant.id);
      const res = await post(url, params, twilioSignature(token, url, params));
      if (res.status < 200 || res.status >= 300) failures.push(`${route}: ${res.status} ${res.body}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });
});
