import { rfc2822 } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { page2010 } from "../../../core/paging.js";
import { newSid, newToken } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { ACCOUNTS, type Account, type Principal } from "./model.js";

const SUBRESOURCES = [
  "addresses",
  "conferences",
  "signing_keys",
  "transcriptions",
  "connect_apps",
  "sip",
  "authorized_connect_apps",
  "usage",
  "keys",
  "applications",
  "recordings",
  "short_codes",
  "calls",
  "notifications",
  "incoming_phone_numbers",
  "queues",
  "messages",
  "outgoing_caller_ids",
  "available_phone_numbers",
  "balance",
];

export function renderAccount(a: Account) {
  const uri = `/2010-04-01/Accounts/${a.sid}.json`;
  return {
    auth_token: a.auth_token,
    date_created: rfc2822(a.date_created),
    date_updated: rfc2822(a.date_updated),
    friendly_name: a.friendly_name,
    owner_account_sid: a.owner_account_sid,
    sid: a.sid,
    status: a.status,
    subresource_uris: Object.fromEntries(
      SUBRESOURCES.map((s) => [
        s,
        `/2010-04-01/Accounts/${a.sid}/${s === "available_phone_numbers" ? "AvailablePhoneNumbers" : camel(s)}.json`,
      ]),
    ),
    type: a.type,
    uri,
  };
}

function camel(s: string) {
  return s
    .split("_")
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join("");
}

export function createAccount(
  world: World,
  fields: Partial<Account> & { owner_account_sid?: string },
): Account {
  const now = world.clock.now();
  const sid = fields.sid ?? newSid("AC");
  return world.store.put<Account>(ACCOUNTS, {
    sid,
    auth_token: fields.auth_token ?? newToken(),
    owner_account_sid: fields.owner_account_sid ?? sid,
    friendly_name: fields.friendly_name ?? `SubAccount Created at ${rfc2822(now)}`,
    status: "active",
    type: "Full",
    date_created: now,
    date_updated: now,
  });
}

/** Accounts the principal may act on: its own and, for a parent, its subaccounts. */
export function canActOn(principal: Principal, target: Account): boolean {
  return target.sid === principal.account.sid || target.owner_account_sid === principal.account.sid;
}

/**
 * Accounts and Keys endpoints refuse standard API keys, as Twilio's do: "Standard: access to all
 * Twilio API resources, except for Accounts (/Accounts) or Keys resources"
 * (https://www.twilio.com/docs/iam/api-keys/key-resource-v1#types-of-keys).
 */
export function requireAccountManagement(principal: Principal | null) {
  if (principal?.key && principal.key.key_type !== "main") {
    throw new TwilioError(20003, 401, "Authenticate: this API key cannot manage accounts or keys");
  }
}

export function registerAccounts(r: Router) {
  r.post("/api/2010-04-01/Accounts.json", ({ world, principal, input }) => {
    requireAccountManagement(principal);
    const parent = principal!.account;
    if (parent.owner_account_sid !== parent.sid) {
      throw new TwilioError(20003, 401, "Authenticate: subaccounts cannot create subaccounts");
    }
    const account = createAccount(world, {
      owner_account_sid: parent.sid,
      friendly_name: input.str("FriendlyName"),
    });
    return { status: 201, body: renderAccount(account) };
  });

  r.get("/api/2010-04-01/Accounts.json", ({ world, principal, input, path }) => {
    requireAccountManagement(principal);
    const name = input.str("FriendlyName");
    const status = input.str("Status");
    const items = world.store
      .list<Account>(ACCOUNTS, (a) => canActOn(principal!, a))
      .filter(
        (a) =>
          (name === undefined || a.friendly_name === name) && (status === undefined || a.status === status),
      )
      .map(renderAccount);
    return { status: 200, body: page2010(items, "accounts", path.replace(/^\/api/, ""), input) };
  });

  // The account resource carries its auth token: a standard key (say, a leaked tenant key)
  // must not turn itself into the account's credentials.
  r.get("/api/2010-04-01/Accounts/:AccountSid.json", ({ principal, account }) => {
    requireAccountManagement(principal);
    return { status: 200, body: renderAccount(account) };
  });

  r.post("/api/2010-04-01/Accounts/:AccountSid.json", ({ world, principal, account, input }) => {
    requireAccountManagement(principal);
    const status = input.str("Status");
    if (status !== undefined) {
      if (!["active", "suspended", "closed"].includes(status))
        throw new TwilioError(20001, 400, "Invalid Status");
      if (account.sid === account.owner_account_sid && status !== "active") {
        throw new TwilioError(20003, 401, "Authenticate: an account cannot suspend or close itself here");
      }
      if (account.status === "closed" && status !== "closed") {
        throw new TwilioError(20008, 400, "A closed account cannot be reopened");
      }
    }
    const updated = world.store.patch<Account>(ACCOUNTS, account.sid, {
      ...(status !== undefined ? { status: status as Account["status"] } : {}),
      ...(input.has("FriendlyName") ? { friendly_name: input.str("FriendlyName") } : {}),
      date_updated: world.clock.now(),
    });
    if (!updated) throw notFound("Account");
    return { status: 200, body: renderAccount(updated) };
  });
}
