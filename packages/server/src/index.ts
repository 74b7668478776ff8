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
export { type MonthPartitioned, ensureMonth, monthStart, partitionName } from "./db/partitions.js";
export { type Principal, actingTenant, assertOwnedBy, tenantInScope } from "./http/auth.js";
export { type Clock, ManualClock, systemClock } from "./jobs/clock.js";
export type { JobKindName, JobPayloads } from "./jobs/kinds.js";
export { type EnqueueOptions, type JobRow, cancelJob, enqueue } from "./jobs/queue.js";
export { type JobHandler, type JobKind, JobFailure, JobRunner } from "./jobs/runner.js";
export { SubtextError } from "./kernel/errors.js";
export { rollUp } from "./insights/rollup.js";
export { type Messaging, type MessagingOptions, defaultOptions, messagingOf } from "./messaging/module.js";
export { EVENT_TABLES } from "./events/retention.js";
export { MESSAGE_TABLES } from "./messaging/partitions.js";
export { type SendingProfile, getSendingProfile } from "./onboarding/sending-profile.js";
export { totpCode } from "./staff/totp.js";
export { createLogger } from "./kernel/logger.js";
export type { Module, WorkerLoop } from "./kernel/module.js";
export { MODULES, subtextApp } from "./app/modules.js";
export { type Runtime, type RuntimeOptions, openRuntime } from "./app/runtime.js";
export { type Role, startServer } from "./app/server.js";
export type { Services } from "./kernel/services.js";
export { tenantTwilio, subaccountAuthToken } from "./tenancy/credentials.js";
export { type TenantRow, findTenant } from "./tenancy/tenants.js";
export { type TwilioGateway, createTwilioGateway } from "./twilio/gateway.js";
export { twilioCall, twilioError } from "./twilio/errors.js";
export { verifyTwilioSignature } from "./twilio/signature.js";
export { keyringFromKeys } from "./vault/keyring.js";
export { Vault } from "./vault/vault.js";
