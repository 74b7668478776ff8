import type { FastifyInstance } from "fastify";
import { twilioSignature } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subtextApp } from "../../src/app/modules.js";
import { twilioTenant, twilioWebhooks } from "../../src/http/twilio-webhooks.js";
import { createTwilioGateway } from "../../src/twilio/gateway.js";
import { twilioCall } from "../../src/twilio/errors.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let app: FastifyInstance;
let tenant: { id: string; subaccount_sid: string };

beforeAll(async () => {
  stack = await startStack();
  ({ tenant } = await stack.newTenant({ name: "Callback Co" }));
  // A callback route as the messaging, onboarding and voice modules write them.
  app = await subtextApp(stack.services, {
    extraRoutes: [
      twilioWebhooks(stack.services, (twilio) => {
        twilio.post("/twilio/test/:tenantId", { config: { auth: "twilio" } }, async (req) => ({
          ok: true,
          tenant: twilioTenant(req).id,
          params: req.body,
        }));
      }),
    ],
  });
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

describe("Twilio callbacks", () => {
  const post = (path: string, params: Record<string, string>, signature: string) =>
    app.inject({
      method: "POST",
      url: path,
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      payload: new URLSearchParams(params).toString(),
    });

  it("accepts a request signed with the tenant's subaccount auth token over the public URL", async () => {
    const accounts = (await stack.emulator.control("GET", "accounts")).accounts as {
      sid: string;
      auth_token: string;
    }[];
    const token = accounts.find((a) => a.sid === tenant.subaccount_sid)!.auth_token;
    const path = `/twilio/test/${tenant.id}?attempt=1`;
    const params = { MessageSid: "SM123", MessageStatus: "delivered" };
    const res = await post(path, params, twilioSignature(token, `${stack.url}${path}`, params));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, tenant: tenant.id, params });

    const tampered = await post(
      path,
      { ...params, MessageStatus: "failed" },
      twilioSignature(token, `${stack.url}${path}`, params),
    );
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json().error.code).toBe("invalid_signature");
  });

  it("refuses a signature made with another account's token, or none", async () => {
    const path = `/twilio/test/${tenant.id}`;
    const params = { MessageSid: "SM123" };
    const forged = await post(
      path,
      params,
      twilioSignature(stack.emulator.parent.authToken, `${stack.url}${path}`, params),
    );
    expect(forged.statusCode).toBe(403);
    const unsigned = await post(path, params, "");
    expect(unsigned.statusCode).toBe(403);
  });

  it("keeps form bodies out of the JSON API", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/tenants",
      headers: {
        authorization: `Bearer ${stack.adminToken}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      payload: "name=Sneaky",
    });
    expect(res.statusCode).toBe(415);
  });
});

describe("Twilio errors through the gateway", () => {
  it("maps a 429 to twilio_rate_limited with Twilio's code, marked retryable", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 429,
      path: "/Accounts/",
      count: 1,
    });
    const parent = stack.services.twilio.parentClient();
    await expect(
      twilioCall("fetch the parent account", () =>
        parent.api.v2010.accounts(stack.emulator.parent.sid).fetch(),
      ),
    ).rejects.toMatchObject({
      code: "twilio_rate_limited",
      status: 503,
      twilio_code: 20429,
      retryable: true,
    });
    await stack.emulator.control("DELETE", "faults");
  });

  it("maps a refused request to twilio_error with Twilio's code, not retryable", async () => {
    const parent = stack.services.twilio.parentClient();
    await expect(
      twilioCall("fetch a missing key", () =>
        parent.api.v2010.accounts(tenant.subaccount_sid).keys("SK00000000000000000000000000000000").fetch(),
      ),
    ).rejects.toMatchObject({ code: "twilio_error", status: 502, twilio_code: 20404, retryable: false });
  });

  it("maps an unreachable Twilio to twilio_unreachable", async () => {
    const gateway = createTwilioGateway({
      mode: "sandbox",
      emulatorUrl: "http://127.0.0.1:9",
      parent: { accountSid: stack.emulator.parent.sid, authToken: stack.emulator.parent.authToken },
      timeoutMs: 2000,
    });
    await expect(
      twilioCall("fetch the parent account", () =>
        gateway.parentClient().api.v2010.accounts(stack.emulator.parent.sid).fetch(),
      ),
    ).rejects.toMatchObject({ code: "twilio_unreachable", status: 503, retryable: true });
  });
});
