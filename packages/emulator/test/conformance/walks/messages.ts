import { buyNumber } from "./numbers.js";
import type { Walk } from "./walk.js";

export const messageWalks: Walk[] = [
  {
    name: "Messages: send, fetch through delivery, list with filters and redact",
    operations: ["CreateMessage", "FetchMessage", "ListMessage", "UpdateMessage"],
    async run({ tenant, em }) {
      const number = await buyNumber(tenant);
      const messages = tenant.api.v2010.account.messages;
      const sent = await messages.create({
        from: number.phoneNumber,
        to: "+14155550100",
        body: "Jane's Bakery: your order is ready. Reply STOP to opt out.",
        statusCallback: "https://subtext.example/twilio/status",
      });
      await messages(sent.sid).fetch();
      await em.advance(60);
      await messages(sent.sid).fetch();
      // A reply from the handset arrives as an inbound message on the same number.
      await em.control("POST", `handsets/${encodeURIComponent("+14155550100")}/messages`, {
        to: number.phoneNumber,
        body: "Thanks, on my way",
      });
      await messages.list({ pageSize: 1, limit: 3 });
      await messages.list({ to: number.phoneNumber, limit: 5 });
      await messages.list({ to: "+14155550100", from: number.phoneNumber, limit: 5 });
      await messages.list({ dateSentAfter: new Date(Date.UTC(2020, 0, 1)), limit: 5 });
      await messages(sent.sid).update({ body: "" });
    },
  },
  {
    name: "Messages: a scheduled send through a Messaging Service, then its cancellation",
    operations: ["CreateMessage", "UpdateMessage"],
    async run({ tenant, em }) {
      const number = await buyNumber(tenant);
      const service = await tenant.messaging.v1.services.create({ friendlyName: "Scheduled sends" });
      await tenant.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
      const messages = tenant.api.v2010.account.messages;
      const { now } = await em.control("GET", "clock");
      const scheduled = await messages.create({
        messagingServiceSid: service.sid,
        to: "+14155550101",
        body: "Reminder: your appointment is tomorrow.",
        scheduleType: "fixed",
        sendAt: new Date(Date.parse(now) + 3_600_000),
      });
      await messages(scheduled.sid).update({ status: "canceled" });
    },
  },
  {
    name: "Media: an MMS's media list and one media item",
    operations: ["CreateMessage", "ListMedia", "FetchMedia"],
    async run({ tenant }) {
      const number = await buyNumber(tenant);
      const messages = tenant.api.v2010.account.messages;
      const mms = await messages.create({
        from: number.phoneNumber,
        to: "+14155550102",
        body: "Your receipt",
        mediaUrl: ["https://subtext.example/media/receipt.png"],
      });
      const [media] = await messages(mms.sid).media.list();
      await messages(mms.sid).media(media.sid).fetch();
    },
  },
];
