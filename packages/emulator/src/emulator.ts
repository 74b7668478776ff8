import { type AddressInfo, isIPv6 } from "node:net";
import { createAccount } from "./api/2010/accounts/index.js";
import { ACCOUNTS, type Account } from "./api/2010/accounts/model.js";
import { registerAccountsV1 } from "./accounts/v1/index.js";
import { registerApi2010 } from "./api/2010/index.js";
import { registerContent } from "./content/v1/index.js";
import { registerControl } from "./control/routes.js";
import { Concurrency, createHttpServer } from "./http/server.js";
import { Router } from "./http/router.js";
import { registerLookups } from "./lookups/v2/index.js";
import { registerMessaging } from "./messaging/v1/index.js";
import { registerNumbers } from "./numbers/v2/index.js";
import { registerPricing } from "./pricing/v1/index.js";
import { registerTrustHub } from "./trusthub/v1/index.js";
import { registerVerify } from "./verify/v2/index.js";
import { World } from "./world.js";

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** Where state persists across restarts; in memory when absent. */
  dataDir?: string;
  /** Reviews take real-life business days instead of seconds. */
  realistic?: boolean;
  /** Fixed credentials for the sandbox's parent account (created on first start otherwise). */
  parent?: { sid: string; authToken: string };
  /** Tick interval of the scheduler in ms (real time). */
  tickMs?: number;
  /**
   * When set, every control-API request (/_emulator/…) must send `Authorization: Bearer <token>`
   * (401 otherwise). Absent: the control API is open to anyone who reaches the port.
   */
  controlToken?: string;
}

export interface RunningEmulator {
  url: string;
  parent: { sid: string; authToken: string };
  world: World;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (options.controlToken !== undefined && !/^\S{16,}$/.test(options.controlToken)) {
    // An empty or short token must not silently mean "open".
    throw new Error("controlToken must be at least 16 characters without spaces");
  }
  const world = new World(options.dataDir, { realistic: options.realistic ?? false });
  const router = new Router();
  const concurrency = new Concurrency();
  world.onBootstrap((w) => {
    if (w.store.find<Account>(ACCOUNTS, (a) => a.owner_account_sid === a.sid)) return;
    createAccount(w, {
      sid: options.parent?.sid,
      auth_token: options.parent?.authToken,
      friendly_name: "Subtext sandbox (ISV parent account)",
    });
  });
  for (const register of [
    registerApi2010,
    registerMessaging,
    registerTrustHub,
    registerVerify,
    registerContent,
    registerLookups,
    registerNumbers,
    registerPricing,
    registerAccountsV1,
  ]) {
    register(router, world);
  }
  registerControl(router, concurrency);
  world.bootstrap();

  const server = createHttpServer(world, router, concurrency, options.controlToken);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  world.baseUrl = `http://${reachableHost(options.host)}:${port}`;
  world.scheduler.start(options.tickMs ?? 20);

  const parent = world.store.find<Account>(ACCOUNTS, (a) => a.owner_account_sid === a.sid)!;
  return {
    url: world.baseUrl,
    parent: { sid: parent.sid, authToken: parent.auth_token },
    world,
    async close() {
      world.scheduler.stop();
      world.saveClock();
      await world.callbacks.settle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      world.store.close();
    },
  };
}

/** The host a client on this machine uses to reach a server bound to `host`. */
function reachableHost(host: string | undefined): string {
  if (!host || host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return isIPv6(host) ? `[${host}]` : host;
}
