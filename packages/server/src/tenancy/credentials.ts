import { SubtextError } from "../system/errors.js";
import type { Services } from "../system/services.js";
import type { TenantCredentials, TwilioClient } from "../twilio/gateway.js";
import type { TenantRow } from "./tenants.js";

/**
 * A tenant's Twilio credentials, decrypted on demand. Secrets never change under an id
 * (rotation re-encrypts the same plaintext), so plaintexts are cached by secret id: the send
 * path and callback intake do not pay a query and a decryption per message.
 */
const cache = new Map<string, string>();
const CACHE_MAX = 10_000;

type Deps = Pick<Services, "db" | "vault">;

async function secret(deps: Deps, id: string): Promise<string> {
  let value = cache.get(id);
  if (value === undefined) {
    value = await deps.vault.read(deps.db, id);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(id, value);
  }
  return value;
}

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
    keySecret: await secret(deps, tenant.twilio_key_secret_id!),
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
  return secret(deps, tenant.subaccount_auth_token_secret_id!);
}
