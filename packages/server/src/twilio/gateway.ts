import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import type { Mode } from "../config/config.js";

export type TwilioClient = twilio.Twilio;

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
  // One HTTP client (keep-alive pool) shared by every SDK client.
  const httpClient =
    opts.mode === "sandbox"
      ? emulatorHttpClient(opts.emulatorUrl!, { timeout })
      : new twilio.RequestClient({ keepAlive: true, timeout });
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

/**
 * In sandbox mode the parent account lives in the emulator: read its credentials from the
 * control API (when the emulator runs in another process).
 */
export async function sandboxParent(emulatorUrl: string): Promise<ParentCredentials> {
  const res = await fetch(`${emulatorUrl}/_emulator/accounts`);
  if (!res.ok)
    throw new Error(`emulator at ${emulatorUrl} answered ${res.status} to GET /_emulator/accounts`);
  const { accounts } = (await res.json()) as {
    accounts: { sid: string; auth_token: string; owner_account_sid: string }[];
  };
  const parent = accounts.find((a) => a.owner_account_sid === a.sid);
  if (!parent) throw new Error(`emulator at ${emulatorUrl} has no parent account`);
  return { accountSid: parent.sid, authToken: parent.auth_token };
}
