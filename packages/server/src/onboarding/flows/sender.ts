/**
 * The sender: the registration's Messaging Service (its status callback and inbound URL point
 * at our /twilio/messages/* routes), one number bought in the tenant's subaccount, and the
 * number attached to the service. A sole proprietor campaign takes exactly one 10DLC number
 * (sole proprietor walkthrough, part 4); toll-free verification is per number.
 */
import { capabilitiesOf } from "../numbers/twilio.js";
import { SubtextError } from "../../kernel/errors.js";
import { twilioCall, twilioError } from "../../twilio/errors.js";
import type { TollFreeDetails } from "@subtext/telecom/registration/document";
import { type StepContext, type StepDef, done, friendlyName, mayHaveRun, sidOf } from "./step.js";

const call = twilioCall;

export const serviceStep: StepDef = {
  name: "service.create",
  stage: "sender",
  async run(ctx) {
    if (ctx.step.sid) return done();
    const services = (await ctx.client()).messaging.v1.services;
    const name = friendlyName(ctx.reg, "messaging-service");
    const found = mayHaveRun(ctx)
      ? (await call("list messaging services", () => services.list({ limit: 1000 }))).find(
          (s) => s.friendlyName === name,
        )
      : undefined;
    const base = ctx.deps.urls.public;
    if (!base) {
      throw new SubtextError("public_url_unknown", 503, "The URL Twilio should call back is not known.", {
        hint: "Set SUBTEXT_PUBLIC_URL on worker-only processes (--role worker); the step is retried.",
        retryable: true,
      });
    }
    const sid =
      found?.sid ??
      (
        await call("create a messaging service", () =>
          services.create({
            friendlyName: name,
            statusCallback: `${base}/twilio/messages/status/${ctx.tenant.id}`,
            inboundRequestUrl: `${base}/twilio/messages/inbound/${ctx.tenant.id}`,
            inboundMethod: "POST",
          }),
        )
      ).sid;
    return done({ sid, set: { messaging_service_sid: sid } });
  },
};

/** Candidate numbers to buy: the customer's choice, or what is for sale (near them for 10DLC). */
async function candidates(ctx: StepContext): Promise<string[]> {
  const client = await ctx.client();
  const us = client.availablePhoneNumbers("US");
  if (ctx.reg.kind === "toll_free") {
    const chosen = (ctx.reg.document as { toll_free: TollFreeDetails }).toll_free.phone_number;
    if (chosen) return [chosen];
    const found = await call("search toll-free numbers", () =>
      us.tollFree.list({ smsEnabled: true, limit: 20 }),
    );
    return found.map((n) => n.phoneNumber);
  }
  const business = ctx.reg.document.business as {
    phone_number?: string;
    contact?: { phone_number?: string };
  };
  const phone = business.phone_number ?? business.contact?.phone_number;
  const areaCode = /^\+1([2-9]\d{2})/.exec(String(phone ?? ""))?.[1];
  if (areaCode) {
    const near = await call("search local numbers", () =>
      us.local.list({ areaCode: Number(areaCode), smsEnabled: true, limit: 20 }),
    );
    if (near.length) return near.map((n) => n.phoneNumber);
  }
  const any = await call("search local numbers", () => us.local.list({ smsEnabled: true, limit: 20 }));
  return any.map((n) => n.phoneNumber);
}

export const numberBuyStep: StepDef = {
  name: "number.buy",
  stage: "sender",
  async run(ctx) {
    if (ctx.step.sid) return done();
    const client = await ctx.client();
    const name = friendlyName(ctx.reg, "sender");
    if (mayHaveRun(ctx)) {
      const [found] = await call("find the bought number", () =>
        client.incomingPhoneNumbers.list({ friendlyName: name, limit: 5 }),
      );
      if (found)
        return done({
          sid: found.sid,
          set: { phone_number_sid: found.sid, phone_number: found.phoneNumber },
          capabilities: capabilitiesOf(found.capabilities),
        });
    }
    // Tenants onboarding at once see the same numbers for sale: start at a random one, and
    // take the next when another tenant bought it first (21422).
    const list = await candidates(ctx);
    if (list.length === 0) {
      throw new SubtextError("no_numbers_available", 503, "Twilio has no number for sale that fits.", {
        retryable: true,
      });
    }
    const start = Math.floor(Math.random() * list.length);
    for (let i = 0; i < Math.min(list.length, 5); i++) {
      const phoneNumber = list[(start + i) % list.length];
      try {
        const bought = await client.incomingPhoneNumbers.create({ phoneNumber, friendlyName: name });
        return done({
          sid: bought.sid,
          twilioStatus: "in-use",
          set: { phone_number_sid: bought.sid, phone_number: bought.phoneNumber },
          capabilities: capabilitiesOf(bought.capabilities),
        });
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== 21422 && code !== 21421) throw twilioError(err, "buy a phone number");
        if (ctx.reg.kind === "toll_free" && list.length === 1) throw twilioError(err, `buy ${phoneNumber}`);
      }
    }
    throw new SubtextError("number_taken", 503, "The numbers found were bought by someone else first.", {
      retryable: true,
    });
  },
};

export const numberAttachStep: StepDef = {
  name: "number.attach",
  stage: "sender",
  async run(ctx) {
    const client = await ctx.client();
    const service = sidOf(ctx, "service.create");
    const number = sidOf(ctx, "number.buy");
    try {
      await client.messaging.v1.services(service).phoneNumbers.create({ phoneNumberSid: number });
    } catch (err) {
      // 21710: already in this service (a retried attempt got there first).
      if ((err as { code?: number }).code !== 21710)
        throw twilioError(err, "add the number to the messaging service");
    }
    return done({ sid: number, set: { sender_attached: true } });
  },
};
