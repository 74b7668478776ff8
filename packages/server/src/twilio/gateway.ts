import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import type { Mode } from "../config/config.js";

export type TwilioClient = twilio.Twilio;

/** Connections to Twilio (or the emulator) per process. */
const MAX_SOCKETS = 128;

export interface ParentCredentials {
  accountSid: string;
  authToken: string;
}

/** What a tenant's calls are made with: an API key of its own subaccount. */
export interface TenantCredentials {
  subaccountSid: string;
  keySid: string;
  keySecret: string;
}

/**
 * The one way to Twilio. Both modes use the official SDK; in sandbox mode its HTTP client
 * sends the very same requests to the emulator instead, so no code path differs.
 *
 * The parent credentials are used only for account lifecycle (create/find subaccounts,
 * create their keys, suspend/close them). Everything a tenant does goes through
 * `tenantClient()` with that tenant's own key.
 */
export interface TwilioGateway {
  readonly mode: Mode;
  readonly emulatorUrl: string | undefined;
  readonly parentAccountSid: string;
  parentClient(): TwilioClient;
  tenantClient(creds: TenantCredentials): TwilioClient;
}

export interface GatewayOptions {
  mode: Mode;
  parent: ParentCredentials;
  /** Required in sandbox mode. */
  emulatorUrl?: string;
  timeoutMs?: number;
}

export function createTwilioGateway(opts: GatewayOptions): TwilioGateway {
  if (opts.mode === "sandbox" && !opts.emulatorUrl) throw new Error("sandbox mode needs the emulator's URL");
  const timeout = opts.timeoutMs ?? 30_000;
  // One HTTP client (keep-alive pool) shared by every SDK client, with a bounded number of
  // connections: a request beyond them waits in our queue, where giving up cancels it for good,
  // rather than in a busy server's accept backlog, from where it could still land a minute later.
  // (The SDK's own default, 20, would make most of the dispatcher's calls wait.)
  const httpClient =
    opts.mode === "sandbox"
      ? emulatorHttpClient(opts.emulatorUrl!, { timeout })
      : new twilio.RequestClient({ keepAlive: true, timeout, maxSockets: MAX_SOCKETS });
  if (opts.mode === "sandbox") {
    httpClient.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }
  httpClient.axios.interceptors.request.use((config) => {
    const signal = requestSignal.getStore();
    if (signal) config.signal = signal;
    return config;
  });
  // env: {} keeps the SDK from reading TWILIO_* from process.env behind our back.
  const build = (username: string, password: string, accountSid: string) =>
    twilio(username, password, { accountSid, httpClient, env: {} as NodeJS.ProcessEnv });

  const parent = build(opts.parent.accountSid, opts.parent.authToken, opts.parent.accountSid);
  const tenants = new Map<string, TwilioClient>();

  return {
    mode: opts.mode,
    emulatorUrl: opts.mode === "sandbox" ? opts.emulatorUrl : undefined,
    parentAccountSid: opts.parent.accountSid,
    parentClient: () => parent,
    tenantClient(creds) {
      const cacheKey = `${creds.subaccountSid}:${creds.keySid}:${creds.keySecret}`;
      let client = tenants.get(cacheKey);
      if (!client) {
        if (tenants.size >= 5_000) tenants.delete(tenants.keys().next().value!);
        client = build(creds.keySid, creds.keySecret, creds.subaccountSid);
        tenants.set(cacheKey, client);
      }
      return client;
    },
  };
}

const requestSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` so that every Twilio request it makes is aborted with `signal`. The SDK has no
 * per-call cancellation; this is how a caller that gives up makes sure its request, if it has
 * not left yet (waiting for a socket, or for a starved event loop), never leaves.
 */
export function withAbortSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return requestSignal.run(signal, fn);
}

/**
 * In sandbox mode the parent account lives in the emulator: read its credentials from the
 * control API (when the emulator runs in another process), with its control token if any.
 */
export async function sandboxParent(emulatorUrl: string, controlToken?: string): Promise<ParentCredentials> {
  const res = await fetch(`${emulatorUrl}/_emulator/accounts`, {
    headers: controlToken ? { authorization: `Bearer ${controlToken}` } : {},
  });
  if (res.status === 401) {
    throw new Error(
      `emulator at ${emulatorUrl} refused this control token: processes sharing an emulator need the same SUBTEXT_DATA_DIR (its emulator-control-token file) or SUBTEXT_EMULATOR_CONTROL_TOKEN`,
    );
  }
  if (!res.ok)
    throw new Error(`emulator at ${emulatorUrl} answered ${res.status} to GET /_emulator/accounts`);
  const { accounts } = (await res.json()) as {
    accounts: { sid: string; auth_token: string; owner_account_sid: string }[];
  };
  const parent = accounts.find((a) => a.owner_account_sid === a.sid);
  if (!parent) throw new Error(`emulator at ${emulatorUrl} has no parent account`);
  return { accountSid: parent.sid, authToken: parent.auth_token };
}
