import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import type { TenantCredentials, TwilioClient } from "../twilio/gateway.js";
import { cachedSecret } from "../vault/cached.js";
import type { TenantRow } from "./tenants.js";

/** A tenant's Twilio credentials, decrypted on demand (and cached: vault/cached.ts). */
type Deps = Pick<Services, "db" | "vault" | "caches">;

function requireProvisioned(tenant: TenantRow): void {
  if (!tenant.subaccount_sid || !tenant.twilio_key_sid) {
    throw new SubtextError("tenant_provisioning", 409, `Tenant ${tenant.id} has no Twilio subaccount yet.`, {
      hint: "Provisioning is retried automatically; GET the tenant to see its progress.",
      retryable: true,
    });
  }
}

export async function tenantCredentials(deps: Deps, tenant: TenantRow): Promise<TenantCredentials> {
  requireProvisioned(tenant);
  return {
    subaccountSid: tenant.subaccount_sid!,
    keySid: tenant.twilio_key_sid!,
    keySecret: await cachedSecret(deps, tenant.twilio_key_secret_id!),
  };
}

/** The SDK client for everything a tenant does in Twilio: its own key, its own subaccount. */
export async function tenantTwilio(
  deps: Deps & Pick<Services, "twilio">,
  tenant: TenantRow,
): Promise<TwilioClient> {
  return deps.twilio.tenantClient(await tenantCredentials(deps, tenant));
}

/** The subaccount's auth token: Twilio signs the tenant's callbacks with it. */
export async function subaccountAuthToken(deps: Deps, tenant: TenantRow): Promise<string> {
  requireProvisioned(tenant);
  return cachedSecret(deps, tenant.subaccount_auth_token_secret_id!);
}
