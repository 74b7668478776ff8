import { buyNumber } from "./numbers.js";
import type { Walk } from "./walk.js";

export const channelWalks: Walk[] = [
  {
    name: "Verify: a service, a verification sent, fetched and checked, another canceled",
    operations: [
      "CreateService",
      "ListService",
      "FetchService",
      "UpdateService",
      "DeleteService",
      "CreateVerification",
      "FetchVerification",
      "UpdateVerification",
      "CreateVerificationCheck",
    ],
    async run({ tenant, em }) {
      const verify = tenant.verify.v2;
      const service = await verify.services.create({ friendlyName: "Jane's Bakery", codeLength: 6 });
      await verify.services.list({ limit: 20 });
      await verify.services(service.sid).fetch();
      await verify.services(service.sid).update({ friendlyName: "Jane's Bakery login" });
      const verification = await verify.services(service.sid).verifications.create({
        to: "+14155550130",
        channel: "sms",
      });
      await verify.services(service.sid).verifications(verification.sid).fetch();
      const { verifications } = await em.control(
        "GET",
        `verify/verifications?to=${encodeURIComponent("+14155550130")}`,
      );
      const code: string = verifications[0].code;
      const wrong = code.replace(/^./, (d) => String((Number(d) + 1) % 10));
      const checks = verify.services(service.sid).verificationChecks;
      await checks.create({ to: "+14155550130", code: wrong });
      await checks.create({ to: "+14155550130", code });
      const other = await verify
        .services(service.sid)
        .verifications.create({ to: "+14155550131", channel: "sms" });
      await verify.services(service.sid).verifications(other.sid).update({ status: "canceled" });
      await verify.services(service.sid).remove();
    },
  },
  {
    name: "Content: a template created, listed, fetched, approved for WhatsApp, sent and deleted",
    operations: [
      "CreateContent",
      "ListContent",
      "FetchContent",
      "DeleteContent",
      "CreateApprovalCreate",
      "FetchApprovalFetch",
      "CreateMessage",
      "FetchMessage",
    ],
    async run({ tenant, em }) {
      const content = tenant.content.v1;
      // The SDK posts the object verbatim as JSON: the wire format is snake_case (docs/twilio-facts.md).
      const template = await content.contents.create({
        friendly_name: "order_ready",
        language: "en",
        variables: { "1": "customer" },
        types: { "twilio/text": { body: "Hi {{1}}, your order from Jane's Bakery is ready." } },
      } as any);
      await content.contents.list({ limit: 20 });
      await content.contents(template.sid).fetch();
      await content
        .contents(template.sid)
        .approvalCreate.create({ name: "order_ready", category: "UTILITY" });
      await content.contents(template.sid).approvalFetch().fetch();
      await em.advance(86_400);
      await content.contents(template.sid).approvalFetch().fetch();
      // The approved template goes out over WhatsApp, as the product sends it.
      const number = await buyNumber(tenant);
      const sent = await tenant.api.v2010.account.messages.create({
        from: `whatsapp:${number.phoneNumber}`,
        to: "whatsapp:+14155550150",
        contentSid: template.sid,
        contentVariables: JSON.stringify({ 1: "Ann" }),
      });
      await em.advance(60);
      await tenant.api.v2010.account.messages(sent.sid).fetch();
      await content.contents(template.sid).remove();
    },
  },
  {
    name: "Lookups: a number's line type intelligence",
    operations: ["FetchPhoneNumber"],
    async run({ tenant }) {
      await tenant.lookups.v2.phoneNumbers("+14155552671").fetch();
      await tenant.lookups.v2.phoneNumbers("+14155552671").fetch({ fields: "line_type_intelligence" });
    },
  },
];
