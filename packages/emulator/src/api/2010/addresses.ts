import { rfc2822 } from "../../core/dates.js";
import { TwilioError, missingParam, notFound } from "../../core/errors.js";
import { page2010 } from "../../core/paging.js";
import { newSid } from "../../core/sid.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { ADDRESSES, INCOMING_PHONE_NUMBERS, type PhoneNumberDoc } from "./messages/collections.js";

export interface AddressDoc {
  sid: string;
  account_sid: string;
  customer_name: string;
  friendly_name: string | null;
  street: string;
  street_secondary: string | null;
  city: string;
  region: string;
  postal_code: string;
  iso_country: string;
  emergency_enabled: boolean;
  date_created: number;
  date_updated: number;
}

const REQUIRED: [string, keyof AddressDoc][] = [
  ["CustomerName", "customer_name"],
  ["Street", "street"],
  ["City", "city"],
  ["Region", "region"],
  ["PostalCode", "postal_code"],
  ["IsoCountry", "iso_country"],
];
const OPTIONAL: [string, keyof AddressDoc][] = [
  ["FriendlyName", "friendly_name"],
  ["StreetSecondary", "street_secondary"],
];

export function renderAddress(a: AddressDoc) {
  return {
    account_sid: a.account_sid,
    city: a.city,
    customer_name: a.customer_name,
    date_created: rfc2822(a.date_created),
    date_updated: rfc2822(a.date_updated),
    friendly_name: a.friendly_name,
    iso_country: a.iso_country,
    postal_code: a.postal_code,
    region: a.region,
    sid: a.sid,
    street: a.street,
    uri: `/2010-04-01/Accounts/${a.account_sid}/Addresses/${a.sid}.json`,
    emergency_enabled: a.emergency_enabled,
    // The emulator does not validate postal addresses against a registry.
    validated: false,
    verified: false,
    street_secondary: a.street_secondary,
  };
}

function renderDependent(n: PhoneNumberDoc) {
  return {
    sid: n.sid,
    account_sid: n.account_sid,
    friendly_name: n.friendly_name,
    phone_number: n.phone_number,
    voice_url: n.voice_url,
    voice_method: n.voice_method,
    voice_fallback_method: n.voice_fallback_method,
    voice_fallback_url: n.voice_fallback_url,
    voice_caller_id_lookup: n.voice_caller_id_lookup,
    date_created: rfc2822(n.date_created),
    date_updated: rfc2822(n.date_updated),
    sms_fallback_method: n.sms_fallback_method,
    sms_fallback_url: n.sms_fallback_url,
    sms_method: n.sms_method,
    sms_url: n.sms_url,
    address_requirements: n.address_requirements,
    capabilities: { ...n.capabilities },
    status_callback: n.status_callback,
    status_callback_method: n.status_callback_method,
    api_version: "2010-04-01",
    sms_application_sid: n.sms_application_sid,
    voice_application_sid: n.voice_application_sid,
    trunk_sid: n.trunk_sid,
    emergency_status: n.emergency_status,
    emergency_address_sid: n.emergency_address_sid,
    uri: `/2010-04-01/Accounts/${n.account_sid}/IncomingPhoneNumbers/${n.sid}.json`,
  };
}

function one(world: World, accountSid: string, sid: string): AddressDoc {
  const doc = world.store.get<AddressDoc>(ADDRESSES, sid);
  if (!doc || doc.account_sid !== accountSid) throw notFound("Address");
  return doc;
}

export function registerAddresses(r: Router) {
  const base = "/api/2010-04-01/Accounts/:AccountSid/Addresses";

  r.post(`${base}.json`, ({ world, account, input }) => {
    const fields: Record<string, unknown> = {};
    for (const [param, field] of REQUIRED) {
      const value = input.str(param);
      if (!value) throw missingParam(param);
      fields[field] = value;
    }
    for (const [param, field] of OPTIONAL) fields[field] = input.str(param) ?? null;
    const iso = String(fields.iso_country).toUpperCase();
    if (!/^[A-Z]{2}$/.test(iso))
      throw new TwilioError(20001, 400, "IsoCountry must be an ISO 3166-1 alpha-2 code");
    const now = world.clock.now();
    const doc = world.store.put<AddressDoc>(ADDRESSES, {
      ...(fields as Omit<AddressDoc, "sid" | "account_sid">),
      sid: newSid("AD"),
      account_sid: account.sid,
      iso_country: iso,
      emergency_enabled: input.bool("EmergencyEnabled"),
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: renderAddress(doc) };
  });

  r.get(`${base}.json`, ({ world, account, input, path }) => {
    const filters: [string, keyof AddressDoc][] = [
      ["CustomerName", "customer_name"],
      ["FriendlyName", "friendly_name"],
      ["IsoCountry", "iso_country"],
    ];
    const items = world.store
      .list<AddressDoc>(ADDRESSES, (a) => a.account_sid === account.sid)
      .filter((a) => filters.every(([param, field]) => !input.has(param) || a[field] === input.str(param)))
      .filter((a) => !input.has("EmergencyEnabled") || a.emergency_enabled === input.bool("EmergencyEnabled"))
      .map(renderAddress);
    return { status: 200, body: page2010(items, "addresses", path.replace(/^\/api/, ""), input) };
  });

  r.get(`${base}/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderAddress(one(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid.json`, ({ world, account, params, input }) => {
    const doc = one(world, account.sid, params.Sid);
    // IsoCountry cannot change once an address exists.
    const changes: Record<string, unknown> = { date_updated: world.clock.now() };
    for (const [param, field] of [...REQUIRED, ...OPTIONAL]) {
      if (param === "IsoCountry" || !input.has(param)) continue;
      changes[field] = input.str(param);
    }
    if (input.has("EmergencyEnabled")) changes.emergency_enabled = input.bool("EmergencyEnabled");
    const updated = world.store.patch<AddressDoc>(ADDRESSES, doc.sid, changes as Partial<AddressDoc>)!;
    return { status: 200, body: renderAddress(updated) };
  });

  r.delete(`${base}/:Sid.json`, ({ world, account, params }) => {
    world.store.delete(ADDRESSES, one(world, account.sid, params.Sid).sid);
    return { status: 204 };
  });

  r.get(`${base}/:AddressSid/DependentPhoneNumbers.json`, ({ world, account, params, input, path }) => {
    const address = one(world, account.sid, params.AddressSid);
    const items = world.store
      .list<PhoneNumberDoc>(
        INCOMING_PHONE_NUMBERS,
        (n) => n.address_sid === address.sid || n.emergency_address_sid === address.sid,
      )
      .map(renderDependent);
    return {
      status: 200,
      body: page2010(items, "dependent_phone_numbers", path.replace(/^\/api/, ""), input),
    };
  });
}
