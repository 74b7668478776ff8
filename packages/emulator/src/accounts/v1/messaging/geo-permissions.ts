import { ACCOUNTS, type Account } from "../../../api/2010/accounts/model.js";
import { COUNTRIES, HIGH_RISK, NOT_SUPPORTED } from "../../../core/countries.js";
import { TwilioError } from "../../../core/errors.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";

/**
 * Messaging Geo Permissions (https://accounts.twilio.com/v1/Messaging/GeoPermissions; the SDK's
 * `accounts.v1.messagingGeopermissions`): which countries an account may send SMS to. GET reads
 * them (`CountryCode` for one), PATCH sets some (`Permissions`: JSON objects
 * `{country_code, type: "country", enabled}`) and answers each with `error_code` (0 when
 * applied) and `error_messages`. High-risk and unsupported countries cannot be changed by API
 * (30649, https://www.twilio.com/docs/api/errors/30649).
 *
 * An account without its own setting for a country follows its parent's; without either, the
 * emulator allows every country but the unsupported ones (a fresh Twilio account's defaults
 * differ by account; Subtext sets each tenant's explicitly). A send to a country not allowed is
 * refused with 21408 (`refuseDisabledCountry`).
 */
export const GEO_PERMISSIONS = "messaging_geo_permissions";

interface GeoPermissionsDoc {
  sid: string;
  countries: Record<string, boolean>;
}

export function geoAllowed(world: World, accountSid: string, iso: string): boolean {
  if (NOT_SUPPORTED.includes(iso)) return false;
  const own = world.store.get<GeoPermissionsDoc>(GEO_PERMISSIONS, accountSid)?.countries[iso];
  if (own !== undefined) return own;
  const owner = world.store.get<Account>(ACCOUNTS, accountSid)?.owner_account_sid;
  const inherited =
    owner && owner !== accountSid
      ? world.store.get<GeoPermissionsDoc>(GEO_PERMISSIONS, owner)?.countries[iso]
      : undefined;
  return inherited ?? true;
}

/** 21408, synchronously, as Twilio refuses a send to a country the account has not enabled. */
export function refuseDisabledCountry(world: World, accountSid: string, iso: string | null, to: string) {
  if (iso && !geoAllowed(world, accountSid, iso))
    throw new TwilioError(
      21408,
      400,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}`,
    );
}

function parsePermissions(raw: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const value of raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new TwilioError(20001, 400, "Invalid parameter Permissions: not JSON");
    }
    for (const p of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!p || typeof p !== "object")
        throw new TwilioError(20001, 400, "Invalid parameter Permissions: not an object");
      out.push(p as Record<string, unknown>);
    }
  }
  return out;
}

export function registerGeoPermissions(r: Router) {
  const path = "/accounts/v1/Messaging/GeoPermissions";

  r.get(path, ({ world, account, input }) => {
    const only = input.str("CountryCode")?.toUpperCase();
    const own = world.store.get<GeoPermissionsDoc>(GEO_PERMISSIONS, account.sid)?.countries ?? {};
    const codes = only
      ? [only]
      : [...new Set([...Object.keys(COUNTRIES), ...HIGH_RISK, ...Object.keys(own)])].sort();
    return {
      status: 200,
      body: {
        permissions: codes.map((code) => ({
          country_code: code,
          type: "country",
          enabled: geoAllowed(world, account.sid, code),
        })),
      },
    };
  });

  r.add("PATCH", path, ({ world, account, input }) => {
    const wanted = parsePermissions(input.list("Permissions"));
    if (wanted.length === 0) throw new TwilioError(20001, 400, "Missing required parameter Permissions");
    const doc = world.store.get<GeoPermissionsDoc>(GEO_PERMISSIONS, account.sid) ?? {
      sid: account.sid,
      countries: {},
    };
    const results = wanted.map((p) => {
      const code = String(p.country_code ?? "").toUpperCase();
      const type = String(p.type ?? "country");
      const errors: string[] = [];
      if (!/^[A-Z]{2}$/.test(code)) errors.push(`Invalid country_code ${p.country_code}`);
      if (type !== "country") errors.push(`Invalid type ${p.type}: only country is supported`);
      if (typeof p.enabled !== "boolean") errors.push("enabled must be true or false");
      if (HIGH_RISK.includes(code))
        errors.push(`${code} is a high risk country: manage it in the Twilio Console`);
      if (NOT_SUPPORTED.includes(code)) errors.push(`Twilio does not deliver messages to ${code}`);
      if (errors.length === 0) doc.countries[code] = p.enabled as boolean;
      return {
        country_code: code,
        type,
        enabled: false, // set below, from what is stored once every change is applied
        error_code: errors.length ? 30649 : 0,
        error_messages: errors,
      };
    });
    world.store.put(GEO_PERMISSIONS, doc);
    // Enabled as now stored (an ignored change reports the unchanged permission).
    for (const r of results) r.enabled = geoAllowed(world, account.sid, r.country_code);
    return { status: 200, body: { permissions: results } };
  });
}
