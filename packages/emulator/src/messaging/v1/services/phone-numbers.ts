import {
  INCOMING_PHONE_NUMBERS,
  type PhoneNumberDoc,
  SERVICE_PHONE_NUMBERS,
  type ServicePhoneNumberDoc,
} from "../../../api/2010/messages/collections.js";
import { indexOf, push, remove } from "../../../api/2010/messages/state.js";
import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { isSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { MESSAGING } from "../host.js";
import { serviceOf } from "./model.js";

/** Twilio's default ceiling on a Messaging Service's sender pool (21714 beyond it). */
export const POOL_LIMIT = 400;

function render(world: World, entry: ServicePhoneNumberDoc) {
  const number = world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, entry.phone_number_sid);
  const caps = number?.capabilities;
  return {
    sid: entry.sid,
    account_sid: entry.account_sid,
    service_sid: entry.service_sid,
    date_created: iso(entry.date_created),
    date_updated: iso(entry.date_updated),
    phone_number: number?.phone_number ?? null,
    country_code: number?.iso_country ?? null,
    capabilities: caps
      ? [caps.mms && "MMS", caps.sms && "SMS", caps.voice && "Voice"].filter((c): c is string => Boolean(c))
      : [],
    url: `${MESSAGING}/Services/${entry.service_sid}/PhoneNumbers/${entry.sid}`,
  };
}

function entryOf(world: World, serviceSid: string, sid: string): ServicePhoneNumberDoc {
  const entry = world.store.get<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, sid);
  if (!entry || entry.service_sid !== serviceSid) throw notFound("PhoneNumber");
  return entry;
}

export function registerServicePhoneNumbers(r: Router) {
  const base = "/messaging/v1/Services/:ServiceSid/PhoneNumbers";

  r.post(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const sid = input.required("PhoneNumberSid");
    const number = isSid(sid, "PN")
      ? world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, sid)
      : undefined;
    if (!number || number.account_sid !== account.sid)
      throw new TwilioError(21421, 400, `PhoneNumberSid ${sid} is not a phone number of this account`);
    const existing = world.store.get<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, sid);
    if (existing?.service_sid === service.sid)
      throw new TwilioError(21710, 400, "Phone Number is already in the Messaging Service");
    if (existing)
      throw new TwilioError(
        21712,
        400,
        `Phone Number ${number.phone_number} is already associated with another Messaging Service (${existing.service_sid})`,
      );
    if (!number.capabilities.sms && !number.capabilities.mms)
      throw new TwilioError(21715, 400, `Phone Number ${number.phone_number} is not SMS or MMS capable`);
    const index = indexOf(world);
    if ((index.pools.get(service.sid)?.length ?? 0) >= POOL_LIMIT)
      throw new TwilioError(21714, 400, `A Messaging Service can hold at most ${POOL_LIMIT} phone numbers`);
    const now = world.clock.now();
    const entry = world.store.put<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, {
      sid: number.sid,
      service_sid: service.sid,
      account_sid: account.sid,
      phone_number_sid: number.sid,
      date_created: now,
      date_updated: now,
    });
    push(index.pools, service.sid, entry.sid);
    return { status: 201, body: render(world, entry) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const items = (indexOf(world).pools.get(service.sid) ?? [])
      .map((sid) => world.store.get<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, sid))
      .filter((e): e is ServicePhoneNumberDoc => e !== undefined)
      .map((e) => render(world, e));
    return {
      status: 200,
      body: pageV1(items, "phone_numbers", `${MESSAGING}/Services/${service.sid}/PhoneNumbers`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    return { status: 200, body: render(world, entryOf(world, service.sid, params.Sid)) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const entry = entryOf(world, service.sid, params.Sid);
    world.store.delete(SERVICE_PHONE_NUMBERS, entry.sid);
    remove(indexOf(world).pools, service.sid, entry.sid);
    return { status: 204 };
  });
}
