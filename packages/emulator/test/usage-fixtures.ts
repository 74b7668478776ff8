import type twilio from "twilio";
import type { useEmulator } from "./setup.js";

/** Days as Usage Records write them (YYYY-MM-DD, GMT) and as the SDK sends and returns them. */
export const DAY = 86_400_000;
export const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const date = (d: string) => new Date(`${d}T00:00:00Z`);
/** The records' dates as the SDK gives them (Dates at UTC midnight), back to YYYY-MM-DD. */
export const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** What the usage tests share: tenants that may send, days of their own, a day's records. */
export function usageFixtures(em: ReturnType<typeof useEmulator>) {
  return {
    /** A subaccount with a local number, out of the compliance gate. */
    async tenant(name: string) {
      const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
      await em.control("PUT", "compliance", { account_sid: sub.sid, enforce: false });
      const client = em.client(sub.sid, sub.authToken);
      const local = await client.incomingPhoneNumbers.create({ areaCode: "415" });
      return { sid: sub.sid, client, local: local.phoneNumber };
    },

    /** Moves the emulated clock to 01:00 UTC of the next day, so each test has its days to itself. */
    async freshDay(): Promise<string> {
      const now = Date.parse((await em.control("GET", "clock")).now);
      const next = Math.floor(now / DAY) * DAY + DAY + 3_600_000;
      await em.advance(Math.ceil((next - now) / 1000));
      return day(next);
    },

    /** One day's records of a client's account (its own, or with its subaccounts), by category. */
    async dayOf(client: twilio.Twilio, d: string, includeSubaccounts?: boolean) {
      const records = await client.usage.records.daily.list({
        startDate: date(d),
        endDate: date(d),
        ...(includeSubaccounts === undefined ? {} : { includeSubaccounts }),
      });
      return Object.fromEntries(records.map((r) => [r.category, { count: r.count, price: String(r.price) }]));
    },
  };
}
