import { TwilioError } from "../../../core/errors.js";
import type { Params } from "../../../core/form.js";
import { page2010 } from "../../../core/paging.js";
import type { ApiRequest, Router } from "../../../http/router.js";
import { isE164 } from "../../../lookups/v2/numbering.js";
import type { World } from "../../../world.js";
import type { Account } from "../accounts/model.js";
import { redirect, start } from "./engine.js";
import { newCall } from "./factory.js";
import { finish, save } from "./lifecycle.js";
import {
  CALLERS,
  CALLS,
  type Call,
  type CallerScript,
  ENDED,
  NUMBERS,
  ownCall,
  renderCall,
} from "./model.js";
import { parseTwiml } from "./twiml.js";

const BASE = "/api/2010-04-01/Accounts/:AccountSid/Calls";
const EVENTS = ["initiated", "ringing", "answered", "completed"];

interface NumberDoc {
  sid: string;
  account_sid: string;
  phone_number: string;
}

const isUrl = (v: string) => /^https?:\/\/[^\s]+$/i.test(v);
const method = (v: string | undefined) => {
  const m = (v ?? "POST").toUpperCase();
  if (m !== "GET" && m !== "POST") throw new TwilioError(21207, 400, `Invalid method ${v}`);
  return m;
};

/** Where the call's TwiML comes from: exactly one of Url, Twiml or ApplicationSid. */
function source(world: World, account: Account, input: Params) {
  const url = input.str("Url");
  const twiml = input.str("Twiml");
  const app = input.str("ApplicationSid");
  if (!url && !twiml && !app) throw new TwilioError(21205, 400, "Url parameter is required");
  if (twiml !== undefined) {
    if (twiml.length > 4000) throw new TwilioError(21205, 400, "Twiml must be at most 4000 characters");
    try {
      parseTwiml(twiml);
    } catch (err) {
      throw new TwilioError(12100, 400, `Twiml is not valid TwiML: ${(err as Error).message}`);
    }
    return { url: null, twiml };
  }
  if (app) {
    const found = world.store.get<{
      sid: string;
      account_sid: string;
      voice_url?: string;
      voice_method?: string;
    }>("applications", app);
    if (!found || found.account_sid !== account.sid || !found.voice_url)
      throw new TwilioError(21218, 400, `Invalid ApplicationSid ${app}`);
    return { url: found.voice_url, twiml: null, method: found.voice_method };
  }
  if (!isUrl(url!)) throw new TwilioError(21205, 400, `Url is not a valid URL: ${url}`);
  return { url: url!, twiml: null };
}

function createCall({ world, account, input }: ApiRequest) {
  const to = input.str("To");
  const from = input.str("From");
  if (!to) throw new TwilioError(21201, 400, "No 'To' number is specified");
  if (!from) throw new TwilioError(21213, 400, "No 'From' number is specified");
  if (!isE164(to)) throw new TwilioError(21211, 400, `Invalid 'To' Phone Number: ${to}`);
  const number = world.store.find<NumberDoc>(
    NUMBERS,
    (n) => n.phone_number === from && n.account_sid === account.sid,
  );
  if (!number)
    throw new TwilioError(
      21210,
      400,
      `The source phone number provided, ${from}, is not yet verified for your account.`,
    );
  const src = source(world, account, input);
  const events = input.list("StatusCallbackEvent").flatMap((e) => e.split(/\s+/).filter(Boolean));
  for (const e of events)
    if (!EVENTS.includes(e)) throw new TwilioError(21626, 400, `Invalid StatusCallbackEvent ${e}`);
  const statusCallback = input.str("StatusCallback");
  if (statusCallback && !isUrl(statusCallback))
    throw new TwilioError(21609, 400, `Invalid StatusCallback URL: ${statusCallback}`);
  const timeout = input.int("Timeout", 60)!;
  const fallback = input.str("FallbackUrl");
  const script = world.store.get<CallerScript & { sid: string }>(CALLERS, to) ?? {};
  const call = newCall(world, {
    account_sid: account.sid,
    from,
    to,
    direction: "outbound-api",
    status: "queued",
    phone_number_sid: number.sid,
    url: src.url,
    twiml: src.twiml,
    method: method(src.method ?? input.str("Method")),
    fallback_url: fallback ?? null,
    fallback_method: method(input.str("FallbackMethod")),
    status_callback: statusCallback ?? null,
    status_callback_method: method(input.str("StatusCallbackMethod")),
    status_callback_events: statusCallback ? (events.length ? events : ["completed"]) : [],
    record: input.bool("Record"),
    machine_detection: input.has("MachineDetection"),
    timeout: Math.min(Math.max(timeout, 5), 600),
    script,
  });
  start(world, call);
  return { status: 201, body: renderCall(call) };
}

/** StartTime / EndTime filters: a YYYY-MM-DD day, or on/before (`<`) / on/after (`>`) it. */
function dayFilter(input: Params, name: string, value: (c: Call) => number | null) {
  const parse = (s: string) => Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
  const checks: ((c: Call) => boolean)[] = [];
  const day = input.str(name);
  const before = input.str(`${name}<`);
  const after = input.str(`${name}>`);
  const DAY = 86_400_000;
  if (day) checks.push((c) => value(c) !== null && value(c)! >= parse(day) && value(c)! < parse(day) + DAY);
  if (before) checks.push((c) => value(c) !== null && value(c)! < parse(before) + DAY);
  if (after) checks.push((c) => value(c) !== null && value(c)! >= parse(after));
  return (c: Call) => checks.every((f) => f(c));
}

function updateCall({ world, account, params, input }: ApiRequest) {
  const call = ownCall(world, account.sid, params.Sid);
  const status = input.str("Status");
  const url = input.str("Url");
  const twiml = input.str("Twiml");
  if (status !== undefined && status !== "completed" && status !== "canceled")
    throw new TwilioError(20001, 400, "Status must be completed or canceled");
  if (ENDED.has(call.status)) {
    if (url || twiml) throw new TwilioError(21220, 400, "Call is not in-progress. Cannot redirect.");
    return { status: 200, body: renderCall(call) };
  }
  if (input.has("StatusCallback"))
    save(world, call, {
      status_callback: input.str("StatusCallback") || null,
      status_callback_method: method(input.str("StatusCallbackMethod")),
    });
  if (status) {
    // "canceled" ends a call not answered yet; "completed" hangs up whatever its state.
    if (call.status === "in-progress") {
      if (status === "completed") finish(world, call, "completed");
    } else finish(world, call, "canceled");
    return { status: 200, body: renderCall(world.store.get<Call>(CALLS, call.sid)!) };
  }
  if (twiml !== undefined || url) {
    const next = twiml !== undefined ? { twiml } : { url: url!, method: method(input.str("Method")) };
    if (twiml !== undefined) source(world, account, input);
    if (call.status === "in-progress") redirect(world, call, next);
    else
      save(
        world,
        call,
        "twiml" in next ? { twiml, url: null } : { url: next.url, method: next.method, twiml: null },
      );
  }
  return { status: 200, body: renderCall(world.store.get<Call>(CALLS, call.sid)!) };
}

export function registerCallRoutes(r: Router) {
  r.post(`${BASE}.json`, createCall);

  r.get(`${BASE}.json`, ({ world, account, input, path }) => {
    const to = input.str("To");
    const from = input.str("From");
    const parent = input.str("ParentCallSid");
    const status = input.str("Status");
    const started = dayFilter(input, "StartTime", (c) => c.start_time);
    const ended = dayFilter(input, "EndTime", (c) => c.end_time);
    const items = world.store
      .list<Call>(CALLS, (c) => c.account_sid === account.sid)
      .filter(
        (c) =>
          (!to || c.to === to) &&
          (!from || c.from === from) &&
          (!parent || c.parent_call_sid === parent) &&
          (!status || c.status === status) &&
          started(c) &&
          ended(c),
      )
      .reverse()
      .map(renderCall);
    return { status: 200, body: page2010(items, "calls", path.replace(/^\/api/, ""), input) };
  });

  r.get(`${BASE}/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderCall(ownCall(world, account.sid, params.Sid)),
  }));

  r.post(`${BASE}/:Sid.json`, updateCall);

  r.delete(`${BASE}/:Sid.json`, ({ world, account, params }) => {
    const call = ownCall(world, account.sid, params.Sid);
    if (!ENDED.has(call.status))
      throw new TwilioError(21220, 400, "Cannot delete a call that is not finished");
    world.store.delete(CALLS, call.sid);
    return { status: 204 };
  });
}
