import { loadConfig } from "../config/config.js";
import { resetAdminToken } from "../staff/admin-token.js";
import { createLogger } from "../kernel/logger.js";
import { type Runtime, type RuntimeOptions, openRuntime } from "../app/runtime.js";
import { createApiKey } from "../tenancy/api-keys.js";
import { createTenant } from "../tenancy/provision.js";
import { type TenantEnvironment, findTenant, listTenants } from "../tenancy/tenants.js";
import { rotateMasterKey } from "../vault/rotate.js";

/**
 * Short-lived commands that work on the database directly. With the embedded database they
 * need the server stopped (one process per data dir); with PostgreSQL they run alongside it.
 */
async function withRuntime<T>(
  emulator: RuntimeOptions["emulator"],
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const runtime = await openRuntime({
    config,
    emulator,
    log: createLogger(config.logLevel === "info" ? "warn" : config.logLevel),
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

export async function migrateCommand(): Promise<void> {
  await withRuntime("none", async (rt) => {
    const applied = rt.migrations.applied;
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "the database is up to date");
  });
}

export async function tenantsCreate(name: string, opts: { environment: TenantEnvironment; json?: boolean }) {
  await withRuntime("discover-or-start", async ({ services }) => {
    const tenant = await createTenant(services, { name, environment: opts.environment });
    if (opts.json) return console.log(JSON.stringify(tenant));
    console.log(
      `${tenant.id}  ${tenant.status}  subaccount ${tenant.subaccount_sid ?? "(pending)"}  ${tenant.name}`,
    );
    if (tenant.provisioning_error) console.log(`  provisioning error: ${tenant.provisioning_error.message}`);
  });
}

export async function tenantsList(opts: { json?: boolean }) {
  await withRuntime("none", async ({ services }) => {
    const { tenants } = await listTenants(services.db, { limit: 1000 });
    if (opts.json) return console.log(JSON.stringify(tenants));
    for (const t of tenants) {
      console.log(
        `${t.id}  ${t.status.padEnd(12)} ${t.environment.padEnd(11)} ${t.subaccount_sid ?? "-"}  ${t.name}`,
      );
    }
    if (tenants.length === 0) console.log("no tenants yet: `subtext tenants create <name>`");
  });
}

export async function keysCreate(tenantId: string, opts: { name?: string }) {
  await withRuntime("none", async ({ services }) => {
    const tenant = await findTenant(services.db, tenantId);
    if (!tenant) throw new Error(`no tenant ${tenantId} (see \`subtext tenants list\`)`);
    if (tenant.status === "closed") throw new Error(`tenant ${tenantId} is closed`);
    const { row, key } = await createApiKey(services.db, services.config.mode, tenant, opts.name ?? null);
    console.log(`${row.id}  ${key}`);
    console.log("Store the key now: it is not shown again.");
  });
}

export async function rotateMasterKeyCommand() {
  await withRuntime("none", async ({ services }) => {
    const report = await rotateMasterKey(services.db, services.vault);
    console.log(
      `re-encrypted ${report.reencrypted} of ${report.total} secrets under master key ${report.keyId}`,
    );
    if (services.vault.keyring.source === "env") {
      if (report.retired.length) {
        console.log(
          `now remove the old key(s) ${report.retired.join(", ")} from SUBTEXT_MASTER_KEY and restart`,
        );
      } else {
        console.log(
          "SUBTEXT_MASTER_KEY has one key: to rotate, set SUBTEXT_MASTER_KEY=<new key>,<current key> " +
            "(new key: `openssl rand -base64 32`), restart, and run this command again",
        );
      }
    }
  });
}

export async function adminTokenReset() {
  await withRuntime("none", async ({ services }) => {
    if (services.config.adminToken) {
      throw new Error("SUBTEXT_ADMIN_TOKEN is set: change that variable instead");
    }
    console.log(`new admin token (shown once): ${await resetAdminToken(services.db)}`);
  });
}
