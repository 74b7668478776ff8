import { buyNumber } from "./numbers.js";
import type { Walk } from "./walk.js";

export const usageWalks: Walk[] = [
  {
    name: "Usage Records: a tenant's usage by day, month, year and fixed period; the parent's with its subaccounts",
    operations: [
      "ListUsageRecord",
      "ListUsageRecordAllTime",
      "ListUsageRecordDaily",
      "ListUsageRecordMonthly",
      "ListUsageRecordYearly",
      "ListUsageRecordToday",
      "ListUsageRecordYesterday",
      "ListUsageRecordThisMonth",
      "ListUsageRecordLastMonth",
    ],
    async run({ parent, tenant, tenantSid, em }) {
      await em.control("PUT", "compliance", { account_sid: tenantSid, enforce: false });
      const number = await buyNumber(tenant);
      await tenant.api.v2010.account.messages.create({
        from: number.phoneNumber,
        to: "+14155550100",
        body: "Your table is ready. Reply STOP to opt out.",
      });
      await em.advance(60);
      const records = tenant.api.v2010.account.usage.records;
      const { now } = await em.control("GET", "clock");
      const today = new Date(now);
      const monthAgo = new Date(Date.parse(now) - 30 * 86_400_000);
      await records.list({ category: "sms-outbound-longcode" });
      await records.allTime.list({ category: "sms", startDate: monthAgo, endDate: today });
      await records.daily.list({ category: "sms-outbound-longcode", startDate: monthAgo, endDate: today });
      await records.daily.list({ startDate: today, endDate: today, pageSize: 5, limit: 12 });
      await records.monthly.list({ startDate: monthAgo, endDate: today, limit: 20 });
      await records.yearly.list({ category: "sms" });
      await records.today.list({ category: "sms" });
      await records.yesterday.list({ category: "sms" });
      await records.thisMonth.list({ category: "sms-outbound" });
      await records.lastMonth.list({ category: "sms-outbound" });
      // The ISV's view: its own usage and its tenants' (IncludeSubaccounts is true by default).
      await parent.api.v2010.account.usage.records.today.list({ category: "sms" });
      await parent.api.v2010.account.usage.records.daily.list({
        category: "sms",
        startDate: today,
        endDate: today,
        includeSubaccounts: false,
      });
      await parent.api.v2010.accounts(tenantSid).usage.records.daily.list({
        category: "sms",
        startDate: today,
        endDate: today,
      });
    },
  },
];
