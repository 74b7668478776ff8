import { start } from "../api/2010/calls/engine.js";
import { newCall } from "../api/2010/calls/factory.js";
import { CALLERS, CALLS, type Call, type CallerScript, NUMBERS, callView } from "../api/2010/calls/model.js";
import { TwilioError, notFound } from "../core/errors.js";
import type { ApiRequest, Router } from "../http/router.js";
import { isE164 } from "../lookups/v2/numbering.js";
import { body } from "./routes.js";

interface NumberDoc {
  sid: string;
  account_sid: string;
  phone_number: string;
  voice_url?: string | null;
  voice_method?: string | null;
  voice_fallback_url?: string | null;
  voice_fallback_method?: string | null;
  status_callback?: string | null;
  status_callback_method?: string | null;
}

/** How a scripted party answers (README: "Scripted parties"). */
export const ANSWERS = ["human", "machine", "busy", "no-answer", "failed"] as const;
const INPUTS = ["digits", "speech"] as const;
const SECONDS = ["record_seconds", "ring_seconds", "talk_seconds", "hangup_after"] as const;
/** Every field of a caller script, as the control API takes them. */
export const SCRIPT_FIELDS = ["answer", ...INPUTS, ...SECONDS, "transcription_text"] as const;
// A field added to CallerScript and not here would be ignored by parseScript: refuse to compile.
const everyField: Exclude<keyof CallerScript, (typeof SCRIPT_FIELDS)[number]> extends never ? true : never =
  true;
void everyField;

const bad = (message: string) => new TwilioError(20001, 400, message);

/** Validates a caller script from a control body (unknown fields are ignored). */
export function parseScript(b: Record<string, any>): CallerScript {
  const script: CallerScript = {};
  if (b.answer !== undefined) {
    if (!ANSWERS.includes(b.answer)) throw bad(`answer must be one of ${ANSWERS.join(", ")}`);
    script.answer = b.answer;
  }
  for (const key of INPUTS) {
    if (b[key] === undefined) continue;
    const list = Array.isArray(b[key]) ? b[key] : [b[key]];
    if (list.some((v: unknown) => v !== null && typeof v !== "string"))
      throw bad(`${key} must be a list of strings ("" or null for no input)`);
    script[key] = list;
  }
  for (const key of SECONDS) {
    if (b[key] === undefined) continue;
    const n = Number(b[key]);
    if (!Number.isFinite(n) || n < 0) throw bad(`${key} must be a number of seconds ≥ 0`);
    script[key] = n;
  }
  if (b.transcription_text !== undefined) script.transcription_text = String(b.transcription_text);
  return script;
}

/** A handset dials one of our numbers: the number's voice URL gets the call, its TwiML runs. */
function placeInboundCall(req: ApiRequest) {
  const { world, params } = req;
  const from = params.Phone;
  const b = body(req);
  if (!isE164(from)) throw bad(`${from} is not an E.164 number`);
  const to = String(b.to ?? "");
  const number = world.store.find<NumberDoc>(NUMBERS, (n) => n.phone_number === to);
  if (!number) throw notFound(`phone number ${to} (buy it first: IncomingPhoneNumbers)`);
  if (!number.voice_url) throw bad(`${to} has no voice_url to send the call to`);
  const saved = world.store.get<CallerScript & { sid: string }>(CALLERS, from);
  const { sid: _sid, ...stored } = saved ?? { sid: "" };
  const call = newCall(world, {
    account_sid: number.account_sid,
    from,
    to,
    direction: "inbound",
    status: "ringing",
    phone_number_sid: number.sid,
    url: number.voice_url,
    method: (number.voice_method ?? "POST").toUpperCase(),
    fallback_url: number.voice_fallback_url ?? null,
    fallback_method: (number.voice_fallback_method ?? "POST").toUpperCase(),
    status_callback: number.status_callback || null,
    status_callback_method: (number.status_callback_method ?? "POST").toUpperCase(),
    status_callback_events: number.status_callback ? ["completed"] : [],
    script: { ...stored, ...parseScript(b) },
  });
  start(world, call);
  return { status: 201, body: callView(call) };
}

/**
 * Voice control API: scripted parties per number (how they answer, the digits and speech they
 * give, how long they talk or record), inbound calls from handsets, and every call's transcript.
 */
export function registerCallerControl(r: Router) {
  const pub = { public: true };

  r.put(
    "/_emulator/callers/:Phone",
    (req) => {
      if (!isE164(req.params.Phone)) throw bad(`${req.params.Phone} is not an E.164 number`);
      const script = parseScript(body(req));
      const doc = req.world.store.put(CALLERS, { sid: req.params.Phone, ...script });
      return { status: 200, body: doc };
    },
    pub,
  );
  r.get(
    "/_emulator/callers/:Phone",
    ({ world, params }) => ({
      status: 200,
      body: world.store.get(CALLERS, params.Phone) ?? { sid: params.Phone },
    }),
    pub,
  );
  r.delete(
    "/_emulator/callers/:Phone",
    ({ world, params }) => {
      world.store.delete(CALLERS, params.Phone);
      return { status: 204 };
    },
    pub,
  );

  r.post("/_emulator/handsets/:Phone/calls", placeInboundCall, pub);

  r.get(
    "/_emulator/calls",
    ({ world, input }) => {
      const sid = input.str("sid");
      const to = input.str("to");
      const from = input.str("from");
      const account = input.str("account_sid");
      const calls = world.store
        .list<Call>(
          CALLS,
          (c) =>
            (!sid || c.sid === sid) &&
            (!to || c.to === to) &&
            (!from || c.from === from) &&
            (!account || c.account_sid === account),
        )
        .reverse()
        .map(callView);
      return { status: 200, body: { calls } };
    },
    pub,
  );
}
