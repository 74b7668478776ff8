/**
 * Branded keyword replies: derived from the tenant's data at registration and registered with
 * Twilio, edited later, and sent by Subtext wherever Twilio leaves a keyword unanswered ("STOP!",
 * "help?"), or for every keyword once Twilio's keyword handling is off for the subaccount. Each
 * person gets one reply, never two, and ours are metered.
 */
import { emulatorHttpClient, twilioSignature } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToSend } from "../support/messaging.js";
import { driveRegistrations, sampleRegistration, submitRegistration } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: Awaited<ReturnType<typeof readyToSend>>;
let ourNumber: string;
let serviceSid: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await readyToSend(stack);
  ourNumber = a.profile.senders[0].phoneNumber;
  serviceSid = a.profile.messagingServiceSid!;
}, 120_000);
afterAll(() => stack?.close());

let n = 0;
const handset = () => `+1415631${String(1000 + n++).padStart(4, "0")}`;
const text = (from: string, body: string, to = ourNumber) =>
  stack.emulator.control("POST", `handsets/${encodeURIComponent(from)}/messages`, { to, body });
const optOuts = async (key: string, phone: string) =>
  (await stack.api("GET", `/v1/opt-outs?phone=${encodeURIComponent(phone)}`, { token: key })).body.data;
const inForce = (key: string, query = "") =>
  stack.api("GET", `/v1/keyword-replies/in-force${query}`, { token: key });

async function subaccount(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((x: any) => x.sid === subaccountSid);
  return {
    token: account.auth_token as string,
    client: twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) }),
  };
}

/** Outbound SMS messages metered for the tenant. */
async function outboundMetered(tenantId: string): Promise<number> {
  const { rows } = await stack.db.query<{ n: string | null }>(
    `SELECT sum(messages)::text AS n FROM usage_daily
     WHERE tenant_id = $1 AND channel = 'sms' AND direction = 'outbound'`,
    [tenantId],
  );
  return Number(rows[0].n ?? 0);
}

async function receivedEvent(phone: string, body: string) {
  const { rows } = await stack.db.query<{ keyword: any }>(
    `SELECT data->'keyword' AS keyword FROM events WHERE type = 'message.received'
       AND data->'message'->>'from' = $1 AND data->'message'->>'body' = $2 ORDER BY id DESC LIMIT 1`,
    [phone, body],
  );
  return rows[0]?.keyword;
}

const BRANDED = {
  opt_out:
    "Jane's Bakery: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
  opt_in:
    "Jane's Bakery: You are subscribed to messages. Msg frequency varies. Msg&data rates may apply. Reply HELP for help, STOP to opt out.",
};

describe("replies derived at registration", () => {
  it("brands the campaign's opt-in, opt-out and HELP replies from the tenant's data, with Twilio's keywords", async () => {
    const email = a.registration.document.business.email;
    const { client } = await subaccount(a.tenant.subaccount_sid);
    const [campaign] = await client.messaging.v1.services(serviceSid).usAppToPerson.list();
    expect(campaign).toMatchObject({
      optOutMessage: BRANDED.opt_out,
      optInMessage: BRANDED.opt_in,
      helpMessage: `Jane's Bakery: Help at ${email}. Msg&data rates may apply. Reply STOP to opt out.`,
      optOutKeywords: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"],
      optInKeywords: ["START", "UNSTOP", "YES"],
      helpKeywords: ["HELP", "INFO"],
    });
    // The document stays as given: an edit of the brand derives them again.
    expect(a.registration.document.campaign.help_message).toBeUndefined();
  });

  it("keeps the replies a document gives, and derives only the missing ones", async () => {
    const own = "Jane's Bakery: call 415-555-0100 or visit janesbakery.com. Reply STOP to opt out.";
    const { tenant, ref } = await submitRegistration(stack, "sole_proprietor", (doc) =>
      Object.assign(doc.campaign, { help_message: own, help_keywords: ["HELP", "AIDE"] }),
    );
    const [reg] = await driveRegistrations(stack, [ref]);
    const { client } = await subaccount(tenant.subaccount_sid);
    const [campaign] = await client.messaging.v1
      .services(reg.resources.messaging_service_sid)
      .usAppToPerson.list();
    expect(campaign).toMatchObject({
      helpMessage: own,
      helpKeywords: ["HELP", "AIDE"],
      optOutMessage: BRANDED.opt_out,
    });
  });

  it("fills a toll-free verification's opt-in confirmation, HELP sample and opt-in keywords", async () => {
    const { tenant, ref } = await submitRegistration(stack, "toll_free");
    await driveRegistrations(stack, [ref]);
    const { client } = await subaccount(tenant.subaccount_sid);
    const [verification] = await client.messaging.v1.tollfreeVerifications.list();
    expect(verification).toMatchObject({
      helpMessageSample:
        "Acme Sandwich Company: Help at acmesandwich.com. Msg&data rates may apply. Reply STOP to opt out.",
      optInConfirmationMessage: expect.stringMatching(/^Acme Sandwich Company: You are subscribed/),
      optInKeywords: ["START", "UNSTOP", "YES"],
    });
  });

  it("refuses a document whose own HELP reply is too short, and registers nothing", async () => {
    const { tenant, key } = await stack.newTenant();
    const doc = structuredClone(sampleRegistration("sole_proprietor")) as any;
    Object.assign(doc.campaign, { help_keywords: ["HELP"], help_message: "Reply STOP." });
    const res = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, { token: key, body: doc });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "campaign.help_message", code: "too_short", severity: "error" }),
        expect.objectContaining({ path: "campaign.help_message", code: "help_message_incomplete" }),
      ]),
    );
    expect(
      (await stack.api("GET", `/v1/tenants/${tenant.id}/registrations`, { token: key })).body.data,
    ).toEqual([]);
  });
});

describe("the replies in force, and editing them", () => {
  it("shows the registration's texts, then the tenant's edit, and what stays registered with Twilio", async () => {
    const before = await inForce(a.key, `?messaging_service_id=${serviceSid}`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      messaging_service_id: serviceSid,
      brand_name: "Jane's Bakery",
      default_keywords_answered_by: "twilio",
      replies: {
        opt_out: { text: BRANDED.opt_out, source: "registration" },
        help: { text: expect.stringMatching(/^Jane's Bakery: Help at /), source: "registration" },
      },
      registration: { id: a.registration.id, messaging_service_id: serviceSid },
      differs_from_registration: [],
    });
    expect(before.body.keywords.opt_out).toContain("STOP");
    const registered = before.body.registration.replies.help;

    const help = "Jane's Bakery: call 415-555-0100. Msg&data rates may apply. Reply STOP to opt out.";
    const put = await stack.api("PUT", "/v1/keyword-replies", {
      token: a.key,
      body: { messaging_service_id: serviceSid, replies: { help } },
    });
    expect(put.status).toBe(200);
    const after = (await inForce(a.key, `?messaging_service_id=${serviceSid}`)).body;
    expect(after.replies.help).toEqual({ text: help, source: "service" });
    expect(after.replies.opt_out.source).toBe("registration");
    expect(after.registration.replies.help).toBe(registered);
    expect(after.differs_from_registration).toEqual(["help"]);
    // Twilio's campaign cannot take new replies: it keeps the registered text.
    const { client } = await subaccount(a.tenant.subaccount_sid);
    const [campaign] = await client.messaging.v1.services(serviceSid).usAppToPerson.list();
    expect(campaign.helpMessage).toBe(registered);
    // Subtext answers with the edit where Twilio leaves a HELP unanswered.
    const phone = handset();
    expect((await text(phone, "Help?")).replies.map((r: any) => r.body)).toEqual([help]);

    expect(
      (await stack.api("DELETE", `/v1/keyword-replies?messaging_service_id=${serviceSid}`, { token: a.key }))
        .status,
    ).toBe(204);
    expect((await inForce(a.key, `?messaging_service_id=${serviceSid}`)).body.replies.help.text).toBe(
      registered,
    );
  });

  it("refuses a reply that is itself a keyword, and stores nothing", async () => {
    const res = await stack.api("PUT", "/v1/keyword-replies", {
      token: a.key,
      body: {
        replies: { help: "Jane's Bakery: reply STOP to opt out." },
        languages: { es: { replies: { opt_out: "Alto." }, keywords: { opt_out: ["ALTO"] } } },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: "reply_is_keyword",
      details: [{ path: "/languages/es/replies/opt_out", code: "reply_is_keyword" }],
    });
    const stored = (await stack.api("GET", "/v1/keyword-replies", { token: a.key })).body.data;
    expect(stored.filter((c: any) => c.messaging_service_id === null)).toEqual([]);
  });

  it.each([
    ["a malformed service id", "?messaging_service_id=MG123", 400],
    ["a service that is not the tenant's", `?messaging_service_id=MG${"0".repeat(32)}`, 404],
    ["an unknown parameter", "?scope=all", 400],
  ])("answers %s with %s", async (_name, query, status) => {
    const res = await inForce(a.key, query);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBeTruthy();
  });

  it("refuses an unknown answerer in the settings, and changes nothing", async () => {
    const res = await stack.api("PATCH", "/v1/messaging/settings", {
      token: a.key,
      body: { default_keywords_answered_by: "carrier" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(
      (await stack.api("GET", "/v1/messaging/settings", { token: a.key })).body.default_keywords_answered_by,
    ).toBe("twilio");
  });
});

describe("who answers", () => {
  it("leaves an exact STOP to Twilio: its reply only, and the number opted out in Subtext", async () => {
    const phone = handset();
    const res = await text(phone, " stop ");
    expect(res.opt_out_type).toBe("STOP");
    expect(res.replies.map((r: any) => r.body)).toEqual([
      expect.stringMatching(/^You have successfully been unsubscribed/),
    ]);
    expect(await optOuts(a.key, phone)).toEqual([
      expect.objectContaining({ scope: serviceSid, keyword: "STOP" }),
    ]);
    expect(await receivedEvent(phone, " stop ")).toEqual({
      kind: "opt_out",
      keyword: "STOP",
      answered_by: "twilio",
    });
  });

  it("leaves an exact HELP to Twilio: one reply, not two", async () => {
    const res = await text(handset(), "HELP");
    expect(res.opt_out_type).toBe("HELP");
    expect(res.replies).toHaveLength(1);
    expect(res.replies[0].body).toMatch(/Reply STOP to unsubscribe/);
  });

  it.each(["STOP!", " stop please", "Stop."])(
    "answers %j, which Twilio ignores, with the branded confirmation, once, metered, and opts the number out",
    async (body) => {
      const phone = handset();
      const metered = await outboundMetered(a.tenant.id);
      const res = await text(phone, body);
      expect(res.opt_out_type).toBeNull();
      expect(res.replies.map((r: any) => [r.body, r.from])).toEqual([[BRANDED.opt_out, ourNumber]]);
      expect(await optOuts(a.key, phone)).toEqual([
        expect.objectContaining({ scope: serviceSid, source: "keyword", keyword: "STOP" }),
      ]);
      const send = await stack.api("POST", "/v1/messages", {
        token: a.key,
        body: { to: phone, body: "Sale!" },
      });
      expect(send.status).toBe(409);
      expect(send.body.error.code).toBe("recipient_opted_out");
      expect(await receivedEvent(phone, body)).toEqual({
        kind: "opt_out",
        keyword: "STOP",
        answered_by: "subtext",
      });
      expect(await outboundMetered(a.tenant.id)).toBe(metered + 1);

      // Confirmed once: a second one changes nothing and gets nothing.
      const again = await text(phone, body);
      expect(again.replies).toEqual([]);
      expect(await receivedEvent(phone, body)).toEqual({
        kind: "opt_out",
        keyword: "STOP",
        answered_by: null,
      });
      expect(await outboundMetered(a.tenant.id)).toBe(metered + 1);
    },
  );

  it("answers an opt-in Twilio ignores when only Subtext held the number, and lifts it", async () => {
    const phone = handset();
    await text(phone, "STOP!");
    const start = await text(phone, "Start!");
    expect(start.opt_out_type).toBeNull();
    expect(start.replies.map((r: any) => r.body)).toEqual([BRANDED.opt_in]);
    expect(await optOuts(a.key, phone)).toEqual([]);
    const send = await stack.api("POST", "/v1/messages", {
      token: a.key,
      body: { to: phone, body: "Hi again" },
    });
    expect(send.status).toBe(202);
  });

  it("leaves Twilio's own block to an exact START: an opt-in Twilio ignores lifts nothing and gets no reply", async () => {
    const phone = handset();
    await text(phone, "STOP");
    const start = await text(phone, "Start!");
    expect(start.replies).toEqual([]);
    expect(await optOuts(a.key, phone)).toHaveLength(1);
    expect(await receivedEvent(phone, "Start!")).toEqual({
      kind: "opt_in",
      keyword: "START",
      answered_by: null,
    });
    const exact = await text(phone, "START");
    expect(exact.replies.map((r: any) => r.body)).toEqual([expect.stringMatching(/re-subscribed/)]);
    expect(await optOuts(a.key, phone)).toEqual([]);
  });

  it("gives a retried webhook (the same MessageSid) no second reply", async () => {
    const phone = handset();
    const first = await text(phone, "Stop!");
    expect(first.replies).toHaveLength(1);
    const { callbacks } = await stack.emulator.control("GET", "callbacks");
    const call = callbacks.findLast((c: any) => c.params.MessageSid === first.sid);
    const { token } = await subaccount(a.tenant.subaccount_sid);
    const metered = await outboundMetered(a.tenant.id);
    const res = await fetch(call.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(token, call.url, call.params),
      },
      body: new URLSearchParams(call.params).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain("<Message>");
    expect(await outboundMetered(a.tenant.id)).toBe(metered);
  });
});

describe("Subtext answering every keyword", () => {
  it("once Twilio's keyword handling is off: HELP and STOP get the branded replies, once, and the opt-out holds", async () => {
    const b = await readyToSend(stack);
    const number = b.profile.senders[0].phoneNumber;
    await stack.emulator.control("PUT", `accounts/${b.tenant.subaccount_sid}/keyword-handling`, {
      enabled: false,
    });
    const patched = await stack.api("PATCH", "/v1/messaging/settings", {
      token: b.key,
      body: { default_keywords_answered_by: "subtext" },
    });
    expect(patched.body.default_keywords_answered_by).toBe("subtext");
    const phone = handset();

    const help = await text(phone, "HELP", number);
    expect(help.opt_out_type).toBeNull();
    expect(help.replies.map((r: any) => r.body)).toEqual([
      `Jane's Bakery: Help at ${b.registration.document.business.email}. Msg&data rates may apply. Reply STOP to opt out.`,
    ]);

    const stop = await text(phone, "STOP", number);
    expect(stop.replies.map((r: any) => r.body)).toEqual([BRANDED.opt_out]);
    expect(await optOuts(b.key, phone)).toHaveLength(1);
    // Twilio no longer blocks the number: Subtext does.
    const send = await stack.api("POST", "/v1/messages", { token: b.key, body: { to: phone, body: "Hi" } });
    expect(send.body.error.code).toBe("recipient_opted_out");

    const start = await text(phone, "start", number);
    expect(start.replies.map((r: any) => r.body)).toEqual([BRANDED.opt_in]);
    expect(await optOuts(b.key, phone)).toEqual([]);
  });
});

describe("isolation", () => {
  it("never shows or uses another tenant's replies", async () => {
    const c = await readyToSend(stack);
    const cService = c.profile.messagingServiceSid!;
    await stack.api("PUT", "/v1/keyword-replies", {
      token: c.key,
      body: {
        brand_name: "Other Co",
        replies: { help: "Other Co: call 415-555-0199. Reply STOP to opt out." },
      },
    });
    const foreign = await inForce(a.key, `?messaging_service_id=${cService}`);
    expect(foreign.status).toBe(404);
    const own = (await inForce(a.key)).body;
    expect(own.brand_name).toBe("Jane's Bakery");
    expect(own.replies.help.source).toBe("registration");
    expect((await text(handset(), "help?")).replies.map((r: any) => r.body)).toEqual([own.replies.help.text]);
  });
});
