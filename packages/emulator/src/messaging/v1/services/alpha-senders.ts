import { SERVICE_ALPHA_SENDERS, type ServiceAlphaSenderDoc } from "../../../api/2010/messages/collections.js";
import { isAlphaSender } from "../../../core/countries.js";
import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import { MESSAGING } from "../host.js";
import { serviceOf } from "./model.js";

/**
 * A Messaging Service's alphanumeric sender ID (https://www.twilio.com/docs/messaging/api/alphasender-resource):
 * at most one per service ("to change it, first delete the current one"). Sending through the
 * service uses it for recipients in countries that take alphanumeric senders (messages/alpha-senders.ts).
 */
function render(a: ServiceAlphaSenderDoc) {
  return {
    sid: a.sid,
    account_sid: a.account_sid,
    service_sid: a.service_sid,
    date_created: iso(a.date_created),
    date_updated: iso(a.date_updated),
    alpha_sender: a.alpha_sender,
    capabilities: ["SMS"],
    url: `${MESSAGING}/Services/${a.service_sid}/AlphaSenders/${a.sid}`,
  };
}

export function registerServiceAlphaSenders(r: Router) {
  const base = "/messaging/v1/Services/:ServiceSid/AlphaSenders";
  const own = (world: Parameters<typeof serviceOf>[0], serviceSid: string, sid: string) => {
    const a = world.store.get<ServiceAlphaSenderDoc>(SERVICE_ALPHA_SENDERS, sid);
    if (!a || a.service_sid !== serviceSid) throw notFound("AlphaSender");
    return a;
  };

  r.post(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const alpha = input.required("AlphaSender");
    if (!isAlphaSender(alpha))
      throw new TwilioError(
        21212,
        400,
        `Invalid AlphaSender ${alpha}: up to 11 of A-Z, a-z, 0-9, space, + - _ &, and not only digits`,
      );
    if (world.store.find<ServiceAlphaSenderDoc>(SERVICE_ALPHA_SENDERS, (a) => a.service_sid === service.sid))
      throw new TwilioError(
        20001,
        400,
        "A Messaging Service may only have one alpha sender: delete the current one first",
      );
    const now = world.clock.now();
    const doc = world.store.put<ServiceAlphaSenderDoc>(SERVICE_ALPHA_SENDERS, {
      sid: newSid("AI"),
      service_sid: service.sid,
      account_sid: account.sid,
      alpha_sender: alpha,
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: render(doc) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    const items = world.store
      .list<ServiceAlphaSenderDoc>(SERVICE_ALPHA_SENDERS, (a) => a.service_sid === service.sid)
      .map(render);
    return {
      status: 200,
      body: pageV1(items, "alpha_senders", `${MESSAGING}/Services/${service.sid}/AlphaSenders`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    return { status: 200, body: render(own(world, service.sid, params.Sid)) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const service = serviceOf(world, account.sid, params.ServiceSid);
    world.store.delete(SERVICE_ALPHA_SENDERS, own(world, service.sid, params.Sid).sid);
    return { status: 204 };
  });
}
