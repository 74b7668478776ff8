/**
 * The countries a tenant sends to (docs/international.md, "Geo permissions"): declared through
 * the API, kept in `tenant_countries`, and mirrored on the tenant's subaccount as Twilio's
 * Messaging Geo Permissions (https://www.twilio.com/docs/messaging/api/geo-permissions): exactly
 * those countries plus the US and Canada enabled, every other one disabled. A send to another
 * country is refused before Twilio (403 `country_not_permitted`), as Twilio would with 21408.
 * A tenant that declared nothing sends to the US and Canada only.
 */
import type { Queryable } from "../../db/db.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type JobRow, cancelJob } from "../../jobs/queue.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import { twilioCall } from "../../twilio/errors.js";
import { senderOptionsFor } from "@subtext/telecom/countries";

type Deps = Pick<Services, "db" | "clock" | "vault" | "caches" | "twilio" | "jobs">;

export const GEO_PERMISSIONS_JOB = "onboarding.geo_permissions";

export interface GeoPermissionsPayload {
  tenant_id: string;
}

const jobKey = (tenantId: string) => `${GEO_PERMISSIONS_JOB}:${tenantId}`;

/** Always enabled: Subtext's US registration paths send there. */
export const HOME_COUNTRIES = ["US", "CA"] as const;

export interface DeclaredCountries {
  countries: string[];
  synced: boolean;
  updated_at: Date | null;
}

export async function declaredCountries(q: Queryable, tenantId: string): Promise<DeclaredCountries> {
  const row = await q.maybeOne<{ countries: string[]; synced: boolean; updated_at: Date }>(
    "SELECT countries, synced, updated_at FROM tenant_countries WHERE tenant_id = $1",
    [tenantId],
  );
  return row ?? { countries: [], synced: true, updated_at: null };
}

/** The countries a send may go to: the declared ones and the US and Canada. */
export function permittedCountries(declared: readonly string[]): Set<string> {
  return new Set([...HOME_COUNTRIES, ...declared]);
}

export interface GeoPermissionResult {
  country: string;
  enabled: boolean;
  /** Twilio's answer for a country it would not change (30649: high-risk, set in the Console). */
  error_code: number | null;
}

function normalized(countries: string[]): string[] {
  const out = new Set<string>();
  countries.forEach((raw, i) => {
    const options = senderOptionsFor(raw);
    if (!options) {
      throw new SubtextError("country_invalid", 422, `"${raw}" is not an ISO 3166-1 alpha-2 country code.`, {
        hint: "Use two-letter ISO country codes (GB, DE…).",
        details: [{ path: `/countries/${i}`, code: "country_invalid" }],
      });
    }
    out.add(options.country);
  });
  return [...out].sort();
}

/**
 * Declares the tenant's countries and sets the subaccount's geo permissions to match. The
 * declaration is stored first (unsynced) with a job, so a Twilio failure (or a crash) leaves a
 * row that says so and the job, retried with backoff, finishes the sync.
 */
export async function setCountries(
  deps: Deps,
  tenant: TenantRow,
  countries: string[],
): Promise<DeclaredCountries & { geo_permissions: GeoPermissionResult[] }> {
  const declared = normalized(countries);
  const now = deps.clock.now();
  await deps.db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO tenant_countries (tenant_id, countries, synced, updated_at) VALUES ($1, $2, false, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET countries = EXCLUDED.countries, synced = false, updated_at = EXCLUDED.updated_at`,
      [tenant.id, JSON.stringify(declared), now],
    );
    await deps.jobs.enqueue(
      tx,
      GEO_PERMISSIONS_JOB,
      { tenant_id: tenant.id },
      { key: jobKey(tenant.id), runAt: new Date(now.getTime() + 60_000) },
    );
  });
  deps.caches.changed("sending-profile", tenant.id);
  const geo = await syncGeoPermissions(deps, tenant, declared);
  await deps.db.tx((tx) => cancelJob(tx, jobKey(tenant.id)));
  return { countries: declared, synced: true, updated_at: now, geo_permissions: geo };
}

/** The job: the last declaration, mirrored on the subaccount (a no-op once synced). */
export async function runGeoPermissions(deps: Deps, job: JobRow<GeoPermissionsPayload>): Promise<void> {
  const row = await deps.db.maybeOne<{ countries: string[]; synced: boolean }>(
    "SELECT countries, synced FROM tenant_countries WHERE tenant_id = $1",
    [job.payload.tenant_id],
  );
  const tenant = await findTenant(deps.db, job.payload.tenant_id);
  if (!row || row.synced || !tenant) return;
  await syncGeoPermissions(deps, tenant, row.countries);
}

async function syncGeoPermissions(
  deps: Deps,
  tenant: TenantRow,
  declared: string[],
): Promise<GeoPermissionResult[]> {
  const client = await tenantTwilio(deps, tenant);
  const wanted = permittedCountries(declared);
  const current = await twilioCall("read the messaging geo permissions", () =>
    client.accounts.v1.messagingGeopermissions.fetch(),
  );
  const known = new Map<string, boolean>(
    ((current.permissions ?? []) as { country_code: string; enabled: boolean }[]).map((p) => [
      String(p.country_code).toUpperCase(),
      Boolean(p.enabled),
    ]),
  );
  for (const c of wanted) if (!known.has(c)) known.set(c, false);
  const changes = [...known]
    .filter(([code, enabled]) => enabled !== wanted.has(code))
    .map(([code]) => ({ country_code: code, type: "country", enabled: wanted.has(code) }));
  const results: GeoPermissionResult[] = [];
  if (changes.length > 0) {
    const answer = await twilioCall("set the messaging geo permissions", () =>
      client.accounts.v1.messagingGeopermissions.update({ permissions: changes }),
    );
    for (const p of (answer.permissions ?? []) as {
      country_code: string;
      enabled: boolean;
      error_code?: number;
    }[]) {
      results.push({
        country: String(p.country_code).toUpperCase(),
        enabled: Boolean(p.enabled),
        error_code: p.error_code ? p.error_code : null,
      });
    }
  }
  // Synced only if no newer declaration came meanwhile.
  await deps.db.query(
    "UPDATE tenant_countries SET synced = true WHERE tenant_id = $1 AND countries = $2::jsonb",
    [tenant.id, JSON.stringify(declared)],
  );
  return results;
}
