import type { Services } from "../kernel/services.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { findTenant } from "../tenancy/tenants.js";
import { recordUsage } from "../usage/record.js";

export const LOOKUP_JOB = "messaging.lookup";
const FRESH_MS = 30 * 86_400_000;

export interface LookupPayload {
  tenant_id: string;
  phone: string;
}

export async function lookUpCarrier(
  deps: Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock">,
  p: LookupPayload,
) {
  const now = deps.clock.now();
  const cached = await deps.db.maybeOne<{ looked_up_at: Date }>(
    "SELECT looked_up_at FROM phone_lookups WHERE phone = $1",
    [p.phone],
  );
  if (cached && now.getTime() - cached.looked_up_at.getTime() < FRESH_MS) return;
  const tenant = await findTenant(deps.db, p.tenant_id);
  if (!tenant) return;
  const client = await tenantTwilio(deps, tenant);
  const result = await client.lookups.v2.phoneNumbers(p.phone).fetch({ fields: "line_type_intelligence" });
  // The SDK hands back a LineTypeIntelligenceInfo (camelCase).
  const lti = (result.lineTypeIntelligence ?? {}) as { carrierName?: string | null; type?: string | null };
  await deps.db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO phone_lookups (phone, carrier, line_type, looked_up_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (phone) DO UPDATE SET carrier = EXCLUDED.carrier, line_type = EXCLUDED.line_type,
         looked_up_at = EXCLUDED.looked_up_at`,
      [p.phone, lti.carrierName ?? null, lti.type ?? null, now],
    );
    await recordUsage(tx, { tenantId: p.tenant_id, channel: "lookup", direction: "outbound", at: now });
  });
}
