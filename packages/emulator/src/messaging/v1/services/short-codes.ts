import {
  SERVICE_SHORT_CODES,
  SHORT_CODES,
  type ServiceShortCodeDoc,
  type ShortCodeDoc,
} from "../../../api/2010/messages/collections.js";
import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { isSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { MESSAGING } from "../host.js";
import { serviceOf } from "./model.js";

/**
 * A Messaging Service's short codes (https://www.twilio.com/docs/messaging/api/shortcode-resource),
 * keyed by the short code's SID: one service per short code, as for phone numbers (21710 already
 * in this service, 21712 in another). The service sends from the short code of the recipient's
 * country before anything else (messages/short-codes.ts).
 */
function render(world: World, entry: ServiceShortCodeDoc) {
  const code = world.store.get<ShortCodeDoc>(SHORT_CODES, entry.sid);
  return {
    sid: entry.sid,
    account_sid: entry.account_sid,
    service_sid: entry.service_sid,
    date_created: iso(entry.date_created),
    date_updated: iso(entry.date_updated),
    short_code: code?.short_code ?? null,
    country_code: code?.iso_country ?? null,
    capabilities: ["SMS"],
    url: `${MESSAGING}/Services/${entry.service_sid}/ShortCodes/${entry.sid}`,
  };
}

export function registerServiceShortCodes(r: Router) {
  const base = "/messaging/v1/Services/:ServiceSid/ShortCodes";
  const own = (world: World, serviceSid: string, sid: string) => {
    const e = world.store.get<ServiceShortCodeDoc>(SERVICE_SHORT_CODES, sid);
    if (!e || e.service_sid !== serviceSid) throw notFound("ShortCode");
    return e;
  };

  r.post(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const sid = input.required("ShortCodeSid");
    const code = isSid(sid, "SC") ? world.store.get<ShortCodeDoc>(SHORT_CODES, sid) : undefined;
    if (!code || code.account_sid !== account.sid)
      throw new TwilioError(21421, 400, `ShortCodeSid ${sid} is not a short code of this account`);
    const existing = world.store.get<ServiceShortCodeDoc>(SERVICE_SHORT_CODES, sid);
    if (existing?.service_sid === service.sid)
      throw new TwilioError(21710, 400, "Short Code is already in the Messaging Service");
    if (existing)
      throw new TwilioError(
        21712,
        400,
        `Short Code ${code.short_code} is already associated with another Messaging Service (${existing.service_sid})`,
      );
    const now = world.clock.now();
    const entry = world.store.put<ServiceShortCodeDoc>(SERVICE_SHORT_CODES, {
      sid: code.sid,
      service_sid: service.sid,
      account_sid: account.sid,
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: render(world, entry) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const items = world.store
      .list<ServiceShortCodeDoc>(SERVICE_SHORT_CODES, (e) => e.service_sid === service.sid)
      .map((e) => render(world, e));
    return {
      status: 200,
      body: pageV1(items, "short_codes", `${MESSAGING}/Services/${service.sid}/ShortCodes`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    return { status: 200, body: render(world, own(world, service.sid, params.Sid)) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    world.store.delete(SERVICE_SHORT_CODES, own(world, service.sid, params.Sid).sid);
    return { status: 204 };
  });
}
