import {
  SERVICES,
  SERVICE_ALPHA_SENDERS,
  SERVICE_PHONE_NUMBERS,
  SERVICE_SHORT_CODES,
  type ServiceDoc,
  USA2P,
} from "../../../api/2010/messages/collections.js";
import { indexOf } from "../../../api/2010/messages/state.js";
import { iso } from "../../../core/dates.js";
import { TwilioError } from "../../../core/errors.js";
import type { Params } from "../../../core/form.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { MESSAGING } from "../host.js";
import { registerUsa2p } from "./compliance/usa2p/index.js";
import { serviceOf } from "./model.js";
import { registerServiceAlphaSenders } from "./alpha-senders.js";
import { registerServicePhoneNumbers } from "./phone-numbers.js";
import { registerServiceShortCodes } from "./short-codes.js";
import { registerServiceUsecases } from "./usecases.js";

const USECASES = ["notifications", "marketing", "verification", "discussion", "poll", "undeclared"];

export function renderService(world: World, s: ServiceDoc) {
  const url = `${MESSAGING}/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: s.account_sid,
    friendly_name: s.friendly_name,
    date_created: iso(s.date_created),
    date_updated: iso(s.date_updated),
    inbound_request_url: s.inbound_request_url,
    inbound_method: s.inbound_method,
    fallback_url: s.fallback_url,
    fallback_method: s.fallback_method,
    status_callback: s.status_callback,
    sticky_sender: s.sticky_sender,
    mms_converter: s.mms_converter,
    smart_encoding: s.smart_encoding,
    scan_message_content: s.scan_message_content,
    fallback_to_long_code: s.fallback_to_long_code,
    area_code_geomatch: s.area_code_geomatch,
    synchronous_validation: s.synchronous_validation,
    validity_period: s.validity_period,
    url,
    links: {
      phone_numbers: `${url}/PhoneNumbers`,
      short_codes: `${url}/ShortCodes`,
      alpha_senders: `${url}/AlphaSenders`,
      messages: `${url}/Messages`,
      us_app_to_person: `${url}/Compliance/Usa2p`,
      us_app_to_person_usecases: `${url}/Compliance/Usa2p/Usecases`,
      channel_senders: `${url}/ChannelSenders`,
      destination_alpha_senders: `${url}/DestinationAlphaSenders`,
    },
    usecase: s.usecase,
    // A campaign (the A2P area's `usa2p` doc, keyed by the service) registers the service.
    us_app_to_person_registered: world.store.get(USA2P, s.sid) !== undefined,
    use_inbound_webhook_on_number: s.use_inbound_webhook_on_number,
  };
}

const FIELDS: [string, keyof ServiceDoc, "text" | "url" | "method" | "bool"][] = [
  ["FriendlyName", "friendly_name", "text"],
  ["InboundRequestUrl", "inbound_request_url", "url"],
  ["InboundMethod", "inbound_method", "method"],
  ["FallbackUrl", "fallback_url", "url"],
  ["FallbackMethod", "fallback_method", "method"],
  ["StatusCallback", "status_callback", "url"],
  ["StickySender", "sticky_sender", "bool"],
  ["MmsConverter", "mms_converter", "bool"],
  ["SmartEncoding", "smart_encoding", "bool"],
  ["ScanMessageContent", "scan_message_content", "text"],
  ["FallbackToLongCode", "fallback_to_long_code", "bool"],
  ["AreaCodeGeomatch", "area_code_geomatch", "bool"],
  ["SynchronousValidation", "synchronous_validation", "bool"],
  ["Usecase", "usecase", "text"],
  ["UseInboundWebhookOnNumber", "use_inbound_webhook_on_number", "bool"],
];

function fieldsFrom(input: Params): Partial<ServiceDoc> {
  const out: Record<string, unknown> = {};
  for (const [param, field, kind] of FIELDS) {
    if (!input.has(param)) continue;
    const value = input.str(param) ?? "";
    if (kind === "bool") out[field] = input.bool(param);
    else if (kind === "method") {
      if (!["GET", "POST"].includes(value.toUpperCase()))
        throw new TwilioError(20001, 400, `${param} must be GET or POST`);
      out[field] = value.toUpperCase();
    } else if (kind === "url") {
      if (value !== "" && !/^https?:\/\//i.test(value))
        throw new TwilioError(20001, 400, `${param} is not a valid URL: ${value}`);
      out[field] = value === "" ? null : value;
    } else out[field] = value;
  }
  if (typeof out.friendly_name === "string" && (out.friendly_name === "" || out.friendly_name.length > 64))
    throw new TwilioError(20001, 400, "FriendlyName must be 1 to 64 characters");
  if (out.usecase !== undefined && !USECASES.includes(out.usecase as string))
    throw new TwilioError(20001, 400, `Usecase must be one of ${USECASES.join(", ")}`);
  if (
    out.scan_message_content !== undefined &&
    !["inherit", "enable", "disable"].includes(out.scan_message_content as string)
  )
    throw new TwilioError(20001, 400, "ScanMessageContent must be inherit, enable or disable");
  if (input.has("ValidityPeriod")) {
    const validity = input.int("ValidityPeriod")!;
    if (validity < 1 || validity > 36000)
      throw new TwilioError(20001, 400, "ValidityPeriod must be 1 to 36000");
    out.validity_period = validity;
  }
  return out as Partial<ServiceDoc>;
}

function registerServiceRoutes(r: Router) {
  const base = "/messaging/v1/Services";

  r.post(base, ({ world, account, input }) => {
    input.required("FriendlyName");
    const now = world.clock.now();
    const doc = world.store.put<ServiceDoc>(SERVICES, {
      sid: newSid("MG"),
      account_sid: account.sid,
      friendly_name: "",
      inbound_request_url: null,
      inbound_method: "POST",
      fallback_url: null,
      fallback_method: "POST",
      status_callback: null,
      sticky_sender: true,
      mms_converter: true,
      smart_encoding: true,
      scan_message_content: "inherit",
      fallback_to_long_code: true,
      area_code_geomatch: true,
      synchronous_validation: false,
      validity_period: 36000,
      usecase: "undeclared",
      use_inbound_webhook_on_number: false,
      date_created: now,
      date_updated: now,
      ...fieldsFrom(input),
    });
    return { status: 201, body: renderService(world, doc) };
  });

  r.get(base, ({ world, account, input }) => {
    const items = world.store
      .list<ServiceDoc>(SERVICES, (s) => s.account_sid === account.sid)
      .map((s) => renderService(world, s));
    return { status: 200, body: pageV1(items, "services", `${MESSAGING}/Services`, input) };
  });

  // Before /Services/:Sid, which would otherwise take "Usecases" for a sid.
  registerServiceUsecases(r);

  r.get(`${base}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: renderService(world, serviceOf(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
    const doc = serviceOf(world, account.sid, params.Sid);
    const updated = world.store.patch<ServiceDoc>(SERVICES, doc.sid, {
      ...fieldsFrom(input),
      date_updated: world.clock.now(),
    })!;
    return { status: 200, body: renderService(world, updated) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const doc = serviceOf(world, account.sid, params.Sid);
    // The pool goes with the service; its numbers stay with the account.
    const index = indexOf(world);
    for (const pn of index.pools.get(doc.sid) ?? []) world.store.delete(SERVICE_PHONE_NUMBERS, pn);
    index.pools.delete(doc.sid);
    for (const collection of [SERVICE_SHORT_CODES, SERVICE_ALPHA_SENDERS])
      for (const e of world.store.list<{ sid: string; service_sid: string }>(
        collection,
        (e) => e.service_sid === doc.sid,
      ))
        world.store.delete(collection, e.sid);
    world.store.delete(SERVICES, doc.sid);
    return { status: 204 };
  });
}

/** Services and what Twilio nests under them: PhoneNumbers, Compliance/Usa2p. */
export function registerServices(r: Router, world: World) {
  registerServiceRoutes(r);
  registerServicePhoneNumbers(r);
  registerServiceShortCodes(r);
  registerServiceAlphaSenders(r);
  registerUsa2p(r, world);
}
