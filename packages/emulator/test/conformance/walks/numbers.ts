import type twilio from "twilio";
import type { Walk } from "./walk.js";

/** Buys a number the way the product does: search the inventory, then buy the first result. */
export async function buyNumber(tenant: twilio.Twilio, kind: "local" | "tollFree" = "local") {
  const inventory = tenant.api.v2010.account.availablePhoneNumbers("US");
  const [available] =
    kind === "local"
      ? await inventory.local.list({ areaCode: 415, smsEnabled: true, limit: 1 })
      : await inventory.tollFree.list({ smsEnabled: true, limit: 1 });
  return tenant.api.v2010.account.incomingPhoneNumbers.create({
    phoneNumber: available.phoneNumber,
    smsUrl: "https://subtext.example/twilio/inbound",
    smsMethod: "POST",
    statusCallback: "https://subtext.example/twilio/status",
  });
}

export const numberWalks: Walk[] = [
  {
    name: "AvailablePhoneNumbers: local numbers by area code and toll-free numbers",
    operations: ["ListAvailablePhoneNumberLocal", "ListAvailablePhoneNumberTollFree"],
    async run({ tenant }) {
      const inventory = tenant.api.v2010.account.availablePhoneNumbers("US");
      await inventory.local.list({ areaCode: 415, limit: 3 });
      await inventory.local.list({ areaCode: 212, smsEnabled: true, mmsEnabled: true, limit: 2 });
      await inventory.tollFree.list({ limit: 3 });
    },
  },
  {
    name: "IncomingPhoneNumbers: buy, list, fetch, update webhooks and release a number",
    operations: [
      "CreateIncomingPhoneNumber",
      "ListIncomingPhoneNumber",
      "FetchIncomingPhoneNumber",
      "UpdateIncomingPhoneNumber",
      "DeleteIncomingPhoneNumber",
    ],
    async run({ tenant }) {
      const numbers = tenant.api.v2010.account.incomingPhoneNumbers;
      const local = await buyNumber(tenant, "local");
      const tollFree = await buyNumber(tenant, "tollFree");
      await numbers.list({ limit: 10 });
      await numbers.list({ phoneNumber: local.phoneNumber });
      await numbers(local.sid).fetch();
      await numbers(local.sid).update({
        smsUrl: "https://subtext.example/twilio/inbound/v2",
        voiceUrl: "https://subtext.example/twilio/voice",
        voiceMethod: "POST",
      });
      await numbers(tollFree.sid).remove();
    },
  },
  {
    name: "Addresses: create, list, fetch, update and delete a business address",
    operations: ["CreateAddress", "ListAddress", "FetchAddress", "UpdateAddress", "DeleteAddress"],
    async run({ tenant }) {
      const addresses = tenant.api.v2010.account.addresses;
      const address = await addresses.create({
        customerName: "Jane's Bakery LLC",
        friendlyName: "Head office",
        street: "1 Main St",
        city: "Springfield",
        region: "IL",
        postalCode: "62701",
        isoCountry: "US",
      });
      await addresses.list({ limit: 10 });
      await addresses.list({ customerName: "Jane's Bakery LLC" });
      await addresses(address.sid).fetch();
      await addresses(address.sid).update({ streetSecondary: "Suite 2" });
      await addresses(address.sid).remove();
    },
  },
];
