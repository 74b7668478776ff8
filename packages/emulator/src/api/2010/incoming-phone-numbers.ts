import { TwilioError, missingParam, notFound } from "../../core/errors.js";
import type { Params } from "../../core/form.js";
import { rfc2822 } from "../../core/dates.js";
import { page2010 } from "../../core/paging.js";
import { newSid } from "../../core/sid.js";
import type { ApiRequest, Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { canActOn } from "./accounts/index.js";
import { ACCOUNTS, type Account } from "./accounts/model.js";
import { friendlyNameOf, numberFacts, searchNumbers } from "./messages/numbering.js";
import { isE164 } from "./messages/channel.js";
import {
  INCOMING_PHONE_NUMBERS,
  type NumberType,
  type PhoneNumberDoc,
  SERVICE_PHONE_NUMBERS,
  type ServicePhoneNumberDoc,
} from "./messages/collections.js";
import { MAGIC_PURCHASE } from "./messages/magic.js";
import { indexOf, numberByE164, remove } from "./messages/state.js";
import { requireCompliance } from "../../numbers/v2/regulatory-compliance/purchase.js";

const SUBPATHS: [string, NumberType][] = [
  ["Local", "local"],
  ["TollFree", "toll_free"],
  ["Mobile", "mobile"],
];

/** The subpath documents (Local/TollFree/Mobile) have every field but `type`. */
export function renderNumber(n: PhoneNumberDoc, withType = true) {
  const body = {
    account_sid: n.account_sid,
    address_sid: n.address_sid,
    address_requirements: n.address_requirements,
    api_version: "2010-04-01",
    beta: false,
    capabilities: { ...n.capabilities },
    date_created: rfc2822(n.date_created),
    date_updated: rfc2822(n.date_updated),
    friendly_name: n.friendly_name,
    identity_sid: n.identity_sid,
    phone_number: n.phone_number,
    origin: "twilio",
    sid: n.sid,
    sms_application_sid: n.sms_application_sid,
    sms_fallback_method: n.sms_fallback_method,
    sms_fallback_url: n.sms_fallback_url,
    sms_method: n.sms_method,
    sms_url: n.sms_url,
    status_callback: n.status_callback,
    status_callback_method: n.status_callback_method,
    trunk_sid: n.trunk_sid,
    uri: `/2010-04-01/Accounts/${n.account_sid}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: n.voice_receive_mode,
    voice_application_sid: n.voice_application_sid,
    voice_caller_id_lookup: n.voice_caller_id_lookup,
    voice_fallback_method: n.voice_fallback_method,
    voice_fallback_url: n.voice_fallback_url,
    voice_method: n.voice_method,
    voice_url: n.voice_url,
    emergency_status: n.emergency_status,
    emergency_address_sid: n.emergency_address_sid,
    emergency_address_status: "unregistered",
    bundle_sid: n.bundle_sid,
    status: "in-use",
  };
  return withType ? { ...body, type: n.type } : body;
}

/** Form parameter → field, for the settings a number's owner may change on create and update. */
const SETTINGS: [string, keyof PhoneNumberDoc, "url" | "method" | "text" | "bool"][] = [
  ["FriendlyName", "friendly_name", "text"],
  ["SmsUrl", "sms_url", "url"],
  ["SmsMethod", "sms_method", "method"],
  ["SmsFallbackUrl", "sms_fallback_url", "url"],
  ["SmsFallbackMethod", "sms_fallback_method", "method"],
  ["SmsApplicationSid", "sms_application_sid", "text"],
  ["StatusCallback", "status_callback", "url"],
  ["StatusCallbackMethod", "status_callback_method", "method"],
  ["VoiceUrl", "voice_url", "url"],
  ["VoiceMethod", "voice_method", "method"],
  ["VoiceFallbackUrl", "voice_fallback_url", "url"],
  ["VoiceFallbackMethod", "voice_fallback_method", "method"],
  ["VoiceApplicationSid", "voice_application_sid", "text"],
  ["VoiceCallerIdLookup", "voice_caller_id_lookup", "bool"],
  ["VoiceReceiveMode", "voice_receive_mode", "text"],
  ["EmergencyStatus", "emergency_status", "text"],
  ["EmergencyAddressSid", "emergency_address_sid", "text"],
  ["TrunkSid", "trunk_sid", "text"],
  ["IdentitySid", "identity_sid", "text"],
  ["AddressSid", "address_sid", "text"],
  ["BundleSid", "bundle_sid", "text"],
];

function settingsFrom(input: Params): Partial<PhoneNumberDoc> {
  const out: Record<string, unknown> = {};
  for (const [param, field, kind] of SETTINGS) {
    if (!input.has(param)) continue;
    const value = input.str(param) ?? "";
    if (kind === "bool") out[field] = input.bool(param);
    else if (kind === "method") {
      const method = value.toUpperCase();
      if (method !== "GET" && method !== "POST")
        throw new TwilioError(20001, 400, `${param} must be GET or POST`);
      out[field] = method;
    } else if (kind === "url" && value !== "" && !/^https?:\/\//i.test(value)) {
      throw new TwilioError(21502, 400, `${param} is not a valid URL: ${value}`);
    } else out[field] = value === "" && kind === "url" ? null : value;
  }
  if (out.voice_receive_mode !== undefined && !["voice", "fax"].includes(out.voice_receive_mode as string))
    throw new TwilioError(20001, 400, "VoiceReceiveMode must be voice or fax");
  if (out.emergency_status !== undefined && !["Active", "Inactive"].includes(out.emergency_status as string))
    throw new TwilioError(20001, 400, "EmergencyStatus must be Active or Inactive");
  return out as Partial<PhoneNumberDoc>;
}

/** Picks the number to buy: PhoneNumber as given, or the first one for sale in AreaCode. */
function numberToBuy(world: World, input: Params, only: NumberType | null): string {
  const wanted = input.str("PhoneNumber");
  if (wanted !== undefined) {
    if (wanted === MAGIC_PURCHASE.invalid || !isE164(wanted))
      throw new TwilioError(21421, 400, `PhoneNumber ${wanted} is not a valid phone number`);
    if (wanted === MAGIC_PURCHASE.unavailable || numberByE164(world, wanted))
      throw new TwilioError(21422, 400, `PhoneNumber ${wanted} is not available`);
    const facts = numberFacts(wanted);
    if (!facts) throw new TwilioError(21422, 400, `PhoneNumber ${wanted} is not available`);
    if (only && facts.type !== only)
      throw new TwilioError(21421, 400, `PhoneNumber ${wanted} is not a ${only.replace("_", "-")} number`);
    return wanted;
  }
  const areaCode = input.str("AreaCode");
  if (areaCode === undefined || only !== null) throw missingParam("PhoneNumber");
  const [first] = searchNumbers(world, { country: "US", type: "local", areaCode, limit: 1 });
  if (!first) throw new TwilioError(21452, 400, `No phone numbers found in area code ${areaCode}`);
  return first;
}

export function buyNumber(world: World, account: Account, e164: string, input: Params): PhoneNumberDoc {
  const facts = numberFacts(e164)!;
  requireCompliance(world, account.sid, { e164, ...facts }, input.str("BundleSid"), input.str("AddressSid"));
  const now = world.clock.now();
  const doc = world.store.put<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, {
    sid: newSid("PN"),
    account_sid: account.sid,
    phone_number: e164,
    friendly_name: friendlyNameOf(e164),
    iso_country: facts.iso_country,
    type: facts.type,
    capabilities: { ...facts.capabilities },
    sms_url: null,
    sms_method: "POST",
    sms_fallback_url: null,
    sms_fallback_method: "POST",
    sms_application_sid: null,
    status_callback: null,
    status_callback_method: "POST",
    voice_url: null,
    voice_method: "POST",
    voice_fallback_url: null,
    voice_fallback_method: "POST",
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_receive_mode: "voice",
    address_sid: null,
    address_requirements: facts.address_requirements,
    bundle_sid: null,
    identity_sid: null,
    trunk_sid: null,
    emergency_status: "Inactive",
    emergency_address_sid: null,
    date_created: now,
    date_updated: now,
    ...settingsFrom(input),
  });
  indexOf(world).numbers.set(e164, doc.sid);
  return doc;
}

/** A number leaving its account (released or moved) leaves its sender pool too. */
function leavePool(world: World, phoneNumberSid: string) {
  const entry = world.store.get<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, phoneNumberSid);
  if (!entry) return;
  world.store.delete(SERVICE_PHONE_NUMBERS, entry.sid);
  remove(indexOf(world).pools, entry.service_sid, entry.sid);
}

function one(world: World, accountSid: string, sid: string): PhoneNumberDoc {
  const doc = world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, sid);
  if (!doc || doc.account_sid !== accountSid) throw notFound("IncomingPhoneNumber");
  return doc;
}

function list(req: ApiRequest, only: NumberType | null) {
  const { world, account, input, path } = req;
  const phone = input.str("PhoneNumber")?.replace(/[^\d+]/g, "");
  const name = input.str("FriendlyName");
  const items = world.store
    .list<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, (n) => n.account_sid === account.sid)
    .filter(
      (n) =>
        (!only || n.type === only) &&
        (!phone || n.phone_number.includes(phone)) &&
        (name === undefined || n.friendly_name === name) &&
        // Every number here is a non-beta number Twilio sells (origin "twilio").
        (!input.has("Origin") || input.str("Origin") === "twilio"),
    )
    .map((n) => renderNumber(n, only === null));
  return page2010(items, "incoming_phone_numbers", path.replace(/^\/api/, ""), input);
}

export function registerIncomingPhoneNumbers(r: Router) {
  const base = "/api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers";

  r.post(`${base}.json`, ({ world, account, input }) => ({
    status: 201,
    body: renderNumber(buyNumber(world, account, numberToBuy(world, input, null), input)),
  }));
  r.get(`${base}.json`, (req) => ({ status: 200, body: list(req, null) }));

  for (const [segment, type] of SUBPATHS) {
    r.post(`${base}/${segment}.json`, ({ world, account, input }) => {
      if (!input.str("PhoneNumber")) throw missingParam("PhoneNumber");
      const doc = buyNumber(world, account, numberToBuy(world, input, type), input);
      return { status: 201, body: renderNumber(doc, false) };
    });
    r.get(`${base}/${segment}.json`, (req) => ({ status: 200, body: list(req, type) }));
  }

  r.get(`${base}/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderNumber(one(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid.json`, ({ world, account, principal, params, input }) => {
    const doc = one(world, account.sid, params.Sid);
    const changes: Partial<PhoneNumberDoc> = { ...settingsFrom(input), date_updated: world.clock.now() };
    const target = input.str("AccountSid");
    if (target && target !== doc.account_sid) {
      // Moving a number between the parent and its subaccounts, as Twilio allows.
      const to = world.store.get<Account>(ACCOUNTS, target);
      if (!to || !principal || !canActOn(principal, to))
        throw new TwilioError(20003, 401, "Authenticate: cannot move the number to that account");
      leavePool(world, doc.sid);
      changes.account_sid = to.sid;
    }
    const updated = world.store.patch<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, doc.sid, changes)!;
    return { status: 200, body: renderNumber(updated) };
  });

  r.delete(`${base}/:Sid.json`, ({ world, account, params }) => {
    const doc = one(world, account.sid, params.Sid);
    leavePool(world, doc.sid);
    world.store.delete(INCOMING_PHONE_NUMBERS, doc.sid);
    indexOf(world).numbers.delete(doc.phone_number);
    return { status: 204 };
  });
}
