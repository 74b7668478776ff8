import { randomBytes } from "node:crypto";
import { rfc2822 } from "../../core/dates.js";
import { notFound } from "../../core/errors.js";
import { page2010 } from "../../core/paging.js";
import { newSid } from "../../core/sid.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { requireAccountManagement } from "./accounts/index.js";
import { KEYS, type Key } from "./accounts/model.js";

export function renderKey(k: Key) {
  return {
    sid: k.sid,
    friendly_name: k.friendly_name,
    date_created: rfc2822(k.date_created),
    date_updated: rfc2822(k.date_updated),
  };
}

export function createKey(
  world: World,
  accountSid: string,
  friendlyName = "",
  keyType: Key["key_type"] = "standard",
) {
  const now = world.clock.now();
  return world.store.put<Key>(KEYS, {
    sid: newSid("SK"),
    account_sid: accountSid,
    secret: randomBytes(24).toString("base64url").slice(0, 32),
    friendly_name: friendlyName,
    key_type: keyType,
    date_created: now,
    date_updated: now,
  });
}

/** The routes of API keys under `collection`: Keys, or SigningKeys (signing-keys.ts), the same keys. */
export function registerKeyRoutes(r: Router, collection: string) {
  const base = "/api/2010-04-01/Accounts/:AccountSid";
  r.post(`${base}/${collection}.json`, ({ world, principal, account, input }) => {
    requireAccountManagement(principal);
    const key = createKey(world, account.sid, input.str("FriendlyName") ?? "");
    return { status: 201, body: { ...renderKey(key), secret: key.secret } };
  });

  r.get(`${base}/${collection}.json`, ({ world, principal, account, input, path }) => {
    requireAccountManagement(principal);
    const items = world.store.list<Key>(KEYS, (k) => k.account_sid === account.sid).map(renderKey);
    return { status: 200, body: page2010(items, "keys", path.replace(/^\/api/, ""), input) };
  });

  const one = (world: World, accountSid: string, sid: string) => {
    const key = world.store.get<Key>(KEYS, sid);
    if (!key || key.account_sid !== accountSid) throw notFound("Key");
    return key;
  };

  r.get(`${base}/${collection}/:Sid.json`, ({ world, principal, account, params }) => {
    requireAccountManagement(principal);
    return { status: 200, body: renderKey(one(world, account.sid, params.Sid)) };
  });

  r.post(`${base}/${collection}/:Sid.json`, ({ world, principal, account, params, input }) => {
    requireAccountManagement(principal);
    const key = one(world, account.sid, params.Sid);
    const updated = world.store.patch<Key>(KEYS, key.sid, {
      friendly_name: input.str("FriendlyName") ?? key.friendly_name,
      date_updated: world.clock.now(),
    })!;
    return { status: 200, body: renderKey(updated) };
  });

  r.delete(`${base}/${collection}/:Sid.json`, ({ world, principal, account, params }) => {
    requireAccountManagement(principal);
    world.store.delete(KEYS, one(world, account.sid, params.Sid).sid);
    return { status: 204 };
  });
}

export function registerKeys(r: Router) {
  registerKeyRoutes(r, "Keys");
}
