import { existsSync } from "node:fs";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";
import { type RunningEmulator, startEmulator } from "subtext-emulator";
import type { Config } from "../config/config.js";
import type { Db } from "../db/db.js";
import { type MigrationReport, migrate } from "../db/migrate.js";
import { openDb } from "../db/open.js";
import { type Clock, systemClock } from "../jobs/clock.js";
import { JobRunner } from "../jobs/runner.js";
import { createMetrics, jobsCounter } from "../http/metrics.js";
import {
  type ParentCredentials,
  type TwilioGateway,
  createTwilioGateway,
  sandboxParent,
} from "../twilio/gateway.js";
import { type Keyring, loadKeyring } from "../vault/keyring.js";
import { Vault } from "../vault/vault.js";
import { ensureAdminToken } from "../staff/admin-token.js";
import { Caches } from "../cache/cache.js";
import { ChangeFeed } from "../cache/changes.js";
import { ensurePrivateDir } from "../kernel/data-dir.js";
import { emulatorControlToken } from "../sandbox/emulator-token.js";
import { createLogger } from "../kernel/logger.js";
import { maintainPartitions } from "../messaging/partitions.js";
import { RemoteSandboxClock, type SandboxClock, localSandboxClock } from "../sandbox/clock.js";
import { registerJobKinds } from "./modules.js";
import type { Services } from "../kernel/services.js";
import { VERSION } from "../kernel/version.js";

/**
 * The composition root: opens the database, applies migrations, loads the master keys,
 * connects to Twilio (or the emulator) and builds the services every use case receives.
 * `subtext start`, the CLI commands and the test harness all come through here.
 */
export interface RuntimeOptions {
  config: Config;
  /** An open database (tests); otherwise opened from the config. */
  db?: Db;
  /**
   * Tests pass a ManualClock (used for everything, wall time included). Otherwise: the system
   * clock in live mode, and in sandbox mode the clock shared with the emulator (sandbox/clock.ts).
   */
  clock?: Clock;
  log?: Logger;
  keyring?: Keyring;
  /**
   * Sandbox mode only. "start": run the emulator in this process on SUBTEXT_EMULATOR_PORT;
   * "discover": use the one already listening there; "discover-or-start": either.
   * "none": commands that never call Twilio. Or a running emulator's URL and parent credentials
   * (and its control token, when it has one).
   */
  emulator?:
    | "start"
    | "discover"
    | "discover-or-start"
    | "none"
    | { url: string; parent: ParentCredentials; controlToken?: string };
  jobs?: { concurrency?: number; pollMs?: number; random?: () => number };
  /** Generate the admin token if there is none yet (`start`; returned once in newAdminToken). */
  issueAdminToken?: boolean;
}

export interface Runtime {
  services: Services;
  migrations: MigrationReport;
  /** The generated admin token, only on the first start (print it once). */
  newAdminToken: string | null;
  emulator: RunningEmulator | null;
  close(): Promise<void>;
}

export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  securePrivateData(config, log);
  const db =
    opts.db ?? (await openDb(config, (err) => log.error({ err, event: "db.pool_error" }, "database error")));
  let emulator: RunningEmulator | null = null;
  let sandboxClock: SandboxClock | undefined;
  try {
    const migrations = await migrate(db);
    if (migrations.applied.length)
      log.info({ event: "db.migrated", applied: migrations.applied }, "migrations applied");
    if (migrations.changed.length) {
      log.warn(
        { event: "db.migration_changed", changed: migrations.changed },
        "applied migrations changed on disk",
      );
    }
    const vault = new Vault(opts.keyring ?? loadKeyring(config));
    const newAdminToken = opts.issueAdminToken ? await ensureAdminToken(db, config) : null;

    let parent: ParentCredentials;
    let emulatorUrl: string | undefined;
    let controlToken: string | undefined;
    if (config.mode === "live") {
      parent = config.twilio!;
    } else if (opts.emulator === "none") {
      parent = { accountSid: "", authToken: "" };
    } else {
      const found = await connectEmulator(config, opts.emulator ?? "discover-or-start");
      emulator = found.running;
      emulatorUrl = found.url;
      parent = found.parent;
      controlToken = found.controlToken;
      if (!opts.clock) {
        const control = { url: found.url, controlToken };
        if (found.running) sandboxClock = localSandboxClock(found.running.world.clock, control);
        else {
          const remote = new RemoteSandboxClock(control, log);
          await remote.start();
          sandboxClock = remote;
        }
      }
    }
    const twilio =
      opts.emulator === "none" && config.mode === "sandbox"
        ? offlineGateway()
        : createTwilioGateway({ mode: config.mode, parent, emulatorUrl });
    const metrics = createMetrics();
    const counter = jobsCounter(metrics);
    const clock = opts.clock ?? sandboxClock ?? systemClock;
    const jobs = new JobRunner({
      db,
      clock,
      log,
      ...opts.jobs,
      onOutcome: (kind, outcome) => counter.inc({ kind, outcome }),
    });
    const caches = new Caches(clock);
    const changes = new ChangeFeed(db, caches);
    await changes.start();
    const services: Services = {
      config,
      db,
      caches,
      changes,
      vault,
      twilio,
      clock,
      wallClock: opts.clock ?? systemClock,
      sandboxClock,
      jobs,
      log,
      metrics,
      urls: { api: undefined, public: config.publicUrl, emulator: emulatorUrl },
      emulatorControlToken: controlToken,
      version: VERSION,
    };
    registerJobKinds(services);
    // The months around the platform clock's now exist before anything is written.
    await maintainPartitions(db, clock.now());
    return {
      services,
      migrations,
      newAdminToken,
      emulator,
      async close() {
        await jobs.stop();
        await changes.stop();
        sandboxClock?.close();
        await emulator?.close();
        if (!opts.db) await db.close();
      },
    };
  } catch (err) {
    sandboxClock?.close();
    await emulator?.close();
    if (!opts.db) await db.close();
    throw err;
  }
}

function offlineGateway(): TwilioGateway {
  const refuse = (): never => {
    throw new Error("this command runs without the emulator and cannot call Twilio");
  };
  return {
    mode: "sandbox",
    emulatorUrl: undefined,
    parentAccountSid: "",
    parentClient: refuse,
    tenantClient: refuse,
  };
}

interface FoundEmulator {
  url: string;
  parent: ParentCredentials;
  controlToken: string | undefined;
  running: RunningEmulator | null;
}

async function connectEmulator(
  config: Config,
  how: Exclude<NonNullable<RuntimeOptions["emulator"]>, "none">,
): Promise<FoundEmulator> {
  if (typeof how === "object") {
    return { url: how.url, parent: how.parent, controlToken: how.controlToken, running: null };
  }
  const controlToken = emulatorControlToken(config);
  const url = sandboxEmulatorUrl(config);
  let missing = "";
  if (how !== "start" && config.emulatorPort !== 0) {
    try {
      return { url, parent: await sandboxParent(url, controlToken), controlToken, running: null };
    } catch (err) {
      missing = (err as Error).message;
      if (how === "discover") {
        throw new Error(
          `sandbox mode: no emulator answers at ${url} (${missing}); start one with \`subtext start\` or \`subtext emulator --port ${config.emulatorPort}\`, or set SUBTEXT_EMULATOR_PORT`,
        );
      }
    }
  }
  let running: RunningEmulator;
  try {
    // Loopback unless SUBTEXT_EMULATOR_HOST says otherwise (not HOST: the API may face the
    // network while the emulator, which hands out every subaccount's credentials, does not).
    running = await startEmulator({
      port: config.emulatorPort,
      host: config.emulatorHost,
      dataDir: join(config.dataDir, "emulator"),
      controlToken,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `sandbox mode: port ${config.emulatorPort} for the emulator is taken${missing ? ` (${missing})` : ""}; set SUBTEXT_EMULATOR_PORT to a free port`,
      );
    }
    throw err;
  }
  return {
    url: running.url,
    parent: { accountSid: running.parent.sid, authToken: running.parent.authToken },
    controlToken,
    running,
  };
}

/** Where this machine finds the sandbox emulator (SUBTEXT_EMULATOR_HOST and _PORT). */
export function sandboxEmulatorUrl(config: Pick<Config, "emulatorHost" | "emulatorPort">): string {
  return `http://${reachableHost(config.emulatorHost)}:${config.emulatorPort}`;
}

/** How this machine reaches a server bound to `host` (a wildcard bind answers on loopback). */
function reachableHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return isIPv6(host) ? `[${host}]` : host;
}

/**
 * The data dir is private to this user: 0700, nothing inside readable or writable by others
 * (see data-dir.ts). Whatever an older version or a copy left open is fixed here, and said.
 */
function securePrivateData(config: Config, log: Logger): void {
  // Not created when nothing will be kept in it (PostgreSQL, SUBTEXT_MASTER_KEY, live mode):
  // such deployments may run on a read-only file system.
  const used = !config.databaseUrl || config.masterKeys.length === 0 || config.mode === "sandbox";
  if (!used && !existsSync(config.dataDir)) return;
  const fixed = ensurePrivateDir(config.dataDir);
  if (fixed.length === 0) return;
  log.warn(
    { event: "data_dir.permissions_fixed", count: fixed.length, paths: fixed.slice(0, 20) },
    "files in the data dir were open to other local users and are now private to this user; if other users could log in here, rotate the master key and the admin token",
  );
}
