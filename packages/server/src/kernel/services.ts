import type { Logger } from "pino";
import type { SandboxClock } from "../sandbox/clock.js";
import type { Registry } from "prom-client";
import type { Config } from "../config/config.js";
import type { Caches } from "../cache/cache.js";
import type { ChangeFeed } from "../cache/changes.js";
import type { Db } from "../db/db.js";
import type { Clock } from "../jobs/clock.js";
import type { JobRunner } from "../jobs/runner.js";
import type { TwilioGateway } from "../twilio/gateway.js";
import type { Vault } from "../vault/vault.js";

/** Where this deployment can be reached; filled in once the API listens. */
export interface Urls {
  /** The API's own base URL (http://host:port). */
  api: string | undefined;
  /** Base URL Twilio calls back (SUBTEXT_PUBLIC_URL, else the API's URL). */
  public: string | undefined;
  /** The emulator's URL in sandbox mode. */
  emulator: string | undefined;
}

/**
 * Everything a use case may need, built once at start-up. Use cases take a `Pick<Services, …>`
 * of what they use, so tests and callers can see their dependencies.
 */
export interface Services {
  readonly config: Config;
  readonly db: Db;
  readonly vault: Vault;
  readonly twilio: TwilioGateway;
  /** The platform's time: jobs, leases, reviews, windows (shared with the emulator in sandbox). */
  readonly clock: Clock;
  /**
   * People's time, which the sandbox clock must not move: staff sign-in (authenticator codes
   * follow the phone's clock), sessions and sign-in throttling. The system clock, or a test's.
   */
  readonly wallClock: Clock;
  /** Sandbox mode with an emulator: the clock shared with it (also `clock`), which can be advanced. */
  readonly sandboxClock?: SandboxClock;
  readonly jobs: JobRunner;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly urls: Urls;
  /** What changes rarely, kept in memory (cache.ts), and how its changes reach every process. */
  readonly caches: Caches;
  readonly changes: ChangeFeed;
  /** Sandbox mode: the token the emulator's control API (/_emulator/…) requires, if any. */
  readonly emulatorControlToken?: string;
  readonly version: string;
}
