import { tenantTwilio } from "../../tenancy/credentials.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import type { Services } from "../../kernel/services.js";
import { twilioCall } from "../../twilio/errors.js";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "log">;

/**
 * The name Verify puts in its messages ("Your <name> verification code is…"). Verify refuses
 * names over 30 characters, with more than 4 digits or with links (60200), so the tenant's
 * name is cleaned rather than passed as is.
 */
export function verifyFriendlyName(tenantName: string): string {
  let digits = 0;
  const cleaned = tenantName
    .replace(/https?:\/\/\S+|www\.\S+/gi, "")
    .replace(/\d/g, (d) => (++digits <= 4 ? d : ""))
    .replace(/\s+/g, " ")
    .trim();
  const name = cleaned.length > 30 ? cleaned.slice(0, 30).trim() : cleaned;
  return name || "Verify";
}

/**
 * The tenant's Verify service, created in its subaccount the first time it is needed. Two
 * first requests at once may both create one: the unique row decides, and the loser's
 * service is deleted again.
 */
export async function verifyServiceSid(deps: Deps, tenant: TenantRow): Promise<string> {
  const stored = await deps.db.maybeOne<{ service_sid: string }>(
    "SELECT service_sid FROM verify_services WHERE tenant_id = $1",
    [tenant.id],
  );
  if (stored) return stored.service_sid;
  const client = await tenantTwilio(deps, tenant);
  const friendlyName = verifyFriendlyName(tenant.name);
  const created = await twilioCall("create a Verify service", () =>
    client.verify.v2.services.create({ friendlyName }),
  );
  const kept = await deps.db.one<{ service_sid: string }>(
    `WITH ins AS (
       INSERT INTO verify_services (tenant_id, service_sid, friendly_name) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO NOTHING RETURNING service_sid)
     SELECT service_sid FROM ins UNION ALL SELECT service_sid FROM verify_services WHERE tenant_id = $1 LIMIT 1`,
    [tenant.id, created.sid, friendlyName],
  );
  if (kept.service_sid !== created.sid) {
    await client.verify.v2
      .services(created.sid)
      .remove()
      .catch((err: unknown) =>
        deps.log.warn(
          { event: "verify.service_cleanup_failed", service_sid: created.sid, err },
          "could not delete",
        ),
      );
  }
  deps.log.info({ event: "verify.service_created", tenant_id: tenant.id, service_sid: kept.service_sid });
  return kept.service_sid;
}
