import type { Walk } from "./walk.js";

/** Senders beyond phone numbers: alphanumeric sender IDs and short codes (provisioned by the control API). */
export const senderWalks: Walk[] = [
  {
    name: "Messaging Services: an alphanumeric sender ID, created, listed, fetched and deleted",
    operations: ["CreateAlphaSender", "ListAlphaSender", "FetchAlphaSender", "DeleteAlphaSender"],
    async run({ tenant }) {
      const service = await tenant.messaging.v1.services.create({ friendlyName: "Abroad" });
      const alpha = await tenant.messaging.v1
        .services(service.sid)
        .alphaSenders.create({ alphaSender: "Sleepwell" });
      await tenant.messaging.v1.services(service.sid).alphaSenders.list();
      await tenant.messaging.v1.services(service.sid).alphaSenders(alpha.sid).fetch();
      await tenant.messaging.v1.services(service.sid).alphaSenders(alpha.sid).remove();
    },
  },
  {
    name: "Short codes: the account's list, fetch and update, and a service's short codes",
    operations: ["ListShortCode", "FetchShortCode", "UpdateShortCode", "CreateShortCode", "DeleteShortCode"],
    async run({ tenant, tenantSid, em }) {
      const provisioned = await em.control("POST", "short-codes", {
        account_sid: tenantSid,
        short_code: "24680",
      });
      await tenant.api.v2010.account.shortCodes.list();
      await tenant.api.v2010.account.shortCodes(provisioned.sid).fetch();
      await tenant.api.v2010.account.shortCodes(provisioned.sid).update({
        smsUrl: "https://subtext.example/twilio/inbound",
        friendlyName: "Sleepwell alerts",
      });
      const service = await tenant.messaging.v1.services.create({ friendlyName: "Short code lane" });
      const entry = await tenant.messaging.v1
        .services(service.sid)
        .shortCodes.create({ shortCodeSid: provisioned.sid });
      await tenant.messaging.v1.services(service.sid).shortCodes.list();
      await tenant.messaging.v1.services(service.sid).shortCodes(entry.sid).fetch();
      await tenant.messaging.v1.services(service.sid).shortCodes(entry.sid).remove();
    },
  },
];
