import { newId } from "../db/ids.js";
import { SubtextError, isSubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import { twilioCall } from "../twilio/errors.js";
import {
  type TenantEnvironment,
  type TenantRow,
  findTenant,
  friendlyNameFor,
  insertPendingTenant,
  recordProvisioningError,
  recordSubaccount,
  recordTwilioKeyAndActivate,
} from "./tenants.js";

/**
 * Creating a tenant = a tenant row, its Twilio subaccount, and one API key in that
 * subaccount. Crash-safe: the row (status `provisioning`, with the subaccount's intended
 * FriendlyName) and a `tenant.provision` job commit first; provisioning then runs inline
 * while holding the job's lease. If the process dies, or Twilio fails, a worker resumes the
 * job later. Each step stores its result before the next, and looks for what a previous
 * attempt may have created in Twilio before creating anything.
 */
export const PROVISION_TENANT = "tenant.provision";

type Deps = Pick<Services, "db" | "vault" | "twilio" | "jobs" | "log" | "clock">;

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "tenant.provision": { tenant_id: string };
  }
}

export async function createTenant(
  deps: Deps,
  input: { name: string; environment?: TenantEnvironment },
): Promise<TenantRow> {
  const id = newId("ten");
  const jobId = await deps.db.tx(async (tx) => {
    await insertPendingTenant(tx, {
      id,
      name: input.name,
      environment: input.environment ?? "production",
      friendlyName: friendlyNameFor(input.name, id),
    });
    // Not due for a minute: the inline attempt below runs first; the job is the safety net.
    const job = await deps.jobs.enqueue(
      tx,
      PROVISION_TENANT,
      { tenant_id: id },
      { key: `${PROVISION_TENANT}:${id}`, runAt: new Date(deps.clock.now().getTime() + 60_000) },
    );
    return job.id;
  });
  await deps.jobs.runNow(jobId);
  return (await findTenant(deps.db, id))!;
}

/** The job handler; idempotent, resumable at every step. */
export async function provisionTenant(deps: Deps, tenantId: string): Promise<void> {
  let tenant = await findTenant(deps.db, tenantId);
  if (tenant?.status !== "provisioning") return;
  try {
    if (!tenant.subaccount_sid) tenant = await ensureSubaccount(deps, tenant);
    if (!tenant.twilio_key_sid) tenant = await ensureTenantKey(deps, tenant);
    deps.log.info(
      { event: "tenant.provisioned", tenant_id: tenant.id, subaccount_sid: tenant.subaccount_sid },
      "tenant provisioned",
    );
  } catch (err) {
    const e = asSubtextError(err);
    await recordProvisioningError(deps.db, tenantId, describe(e));
    throw e;
  }
}

async function ensureSubaccount(deps: Deps, tenant: TenantRow): Promise<TenantRow> {
  const parent = deps.twilio.parentClient();
  const found = await twilioCall("look up the tenant's subaccount", () =>
    parent.api.v2010.accounts.list({ friendlyName: tenant.friendly_name, limit: 20 }),
  );
  const existing = found.find((a) => a.status !== "closed" && a.sid !== deps.twilio.parentAccountSid);
  const account =
    existing ??
    (await twilioCall("create the tenant's subaccount", () =>
      parent.api.v2010.accounts.create({ friendlyName: tenant.friendly_name }),
    ));
  return deps.db.tx(async (tx) => {
    const secretId = await deps.vault.store(tx, "twilio.subaccount_auth_token", account.authToken);
    return recordSubaccount(tx, tenant.id, account.sid, secretId);
  });
}

async function ensureTenantKey(deps: Deps, tenant: TenantRow): Promise<TenantRow> {
  const sub = deps.twilio.parentClient().api.v2010.accounts(tenant.subaccount_sid!);
  const keyName = `Subtext (${tenant.id})`;
  // A key created by an attempt that died before storing it is useless (its secret is only
  // shown at creation): delete it rather than leave a live credential nobody holds.
  const keys = await twilioCall("list the subaccount's API keys", () => sub.keys.list({ limit: 50 }));
  for (const orphan of keys.filter((k) => k.friendlyName === keyName)) {
    await twilioCall("delete an orphaned API key", () => sub.keys(orphan.sid).remove());
  }
  const key = await twilioCall("create the tenant's API key", () =>
    sub.newKeys.create({ friendlyName: keyName }),
  );
  return deps.db.tx(async (tx) => {
    const secretId = await deps.vault.store(tx, "twilio.api_key_secret", key.secret);
    return recordTwilioKeyAndActivate(tx, tenant.id, key.sid, secretId);
  });
}

function asSubtextError(err: unknown): SubtextError {
  if (isSubtextError(err)) return err;
  return new SubtextError(
    "provisioning_failed",
    500,
    `Provisioning failed: ${(err as Error)?.message ?? err}`,
    {
      retryable: true,
      cause: err,
    },
  );
}

function describe(e: SubtextError) {
  return {
    code: e.code,
    message: e.message,
    ...(e.twilio_code !== undefined ? { twilio_code: e.twilio_code } : {}),
    at: new Date().toISOString(),
  };
}

export function registerTenantJobs(deps: Deps): void {
  deps.jobs.register(PROVISION_TENANT, {
    handler: (job) => provisionTenant(deps, job.payload.tenant_id),
    maxAttempts: 50,
    backoff: { baseMs: 5_000, capMs: 30 * 60_000 },
    leaseMs: 2 * 60_000,
    onDead: async (job, err) => {
      const e = asSubtextError(err);
      await recordProvisioningError(deps.db, job.payload.tenant_id, describe(e));
    },
  });
}
