/**
 * @subtext/server — the platform's public modules, for other packages (bench, e2e) and tools.
 * Inside the server, import from the module files directly.
 */
export { type Config, ConfigError, loadConfig } from "./config/config.js";
export {
  type Db,
  type Engine,
  type Queryable,
  type QueryResult,
  type Tx,
  isUniqueViolation,
} from "./db/db.js";
export { isId, newId } from "./db/ids.js";
export { findMigrations, migrate, pendingMigrations } from "./db/migrate.js";
export { openDb } from "./db/open.js";
export { dumpEmptyPglite, openPglite } from "./db/pglite.js";
export { openPostgres } from "./db/postgres.js";
export { buildApp } from "./http/app.js";
export { type Principal, actingTenant, assertOwnedBy, tenantInScope } from "./http/auth.js";
export { type Clock, ManualClock, systemClock } from "./jobs/clock.js";
export type { JobKindName, JobPayloads } from "./jobs/kinds.js";
export { type EnqueueOptions, type JobRow, cancelJob, enqueue } from "./jobs/queue.js";
export { type JobHandler, type JobKind, JobFailure, JobRunner } from "./jobs/runner.js";
export { SubtextError } from "./system/errors.js";
export { type Runtime, type RuntimeOptions, openRuntime } from "./system/runtime.js";
export { type Role, startServer } from "./system/server.js";
export type { Services } from "./system/services.js";
export { tenantTwilio, subaccountAuthToken } from "./tenancy/credentials.js";
export { type TenantRow, findTenant } from "./tenancy/tenants.js";
export { type TwilioGateway, createTwilioGateway } from "./twilio/gateway.js";
export { twilioCall, twilioError } from "./twilio/errors.js";
export { verifyTwilioSignature } from "./twilio/signature.js";
export { Vault } from "./vault/vault.js";
