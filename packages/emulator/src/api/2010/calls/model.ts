import { iso, rfc2822 } from "../../../core/dates.js";
import { notFound } from "../../../core/errors.js";
import { parseNumber } from "../../../lookups/v2/numbering.js";
import type { World } from "../../../world.js";
import type { TwimlNode } from "./twiml.js";

export const CALLS = "calls";
export const RECORDINGS = "recordings";
export const TRANSCRIPTIONS = "transcriptions";
/** Scripted behaviour per phone number (`PUT /_emulator/callers/{e164}`). */
export const CALLERS = "callers";
/** Read from the numbers area (agreed collection). */
export const NUMBERS = "incoming_phone_numbers";

export const API_HOST = "https://api.twilio.com";

export type CallStatus =
  | "queued"
  | "ringing"
  | "in-progress"
  | "completed"
  | "busy"
  | "failed"
  | "no-answer"
  | "canceled";
export const ENDED: ReadonlySet<CallStatus> = new Set([
  "completed",
  "busy",
  "failed",
  "no-answer",
  "canceled",
]);

/** How the other party behaves: the callee of an outbound call, or the caller of an inbound one. */
export interface CallerScript {
  answer?: "human" | "machine" | "busy" | "no-answer" | "failed";
  /** One entry per <Gather>, in order; "" or null is "no input at this Gather". */
  digits?: (string | null)[];
  speech?: (string | null)[];
  /** Seconds spoken into each <Record> (0: silence, the verb is skipped). Default 5. */
  record_seconds?: number;
  transcription_text?: string;
  /** Seconds before answering (default 5) and, when dialled, seconds of talk (default 10). */
  ring_seconds?: number;
  talk_seconds?: number;
  /** The party hangs up this many seconds after the call is answered. */
  hangup_after?: number;
}

export interface TranscriptEntry {
  verb: string;
  at: string | null;
  [field: string]: unknown;
}

export interface Call {
  sid: string;
  account_sid: string;
  parent_call_sid: string | null;
  from: string;
  to: string;
  direction: "inbound" | "outbound-api" | "outbound-dial";
  status: CallStatus;
  answered_by: string | null;
  phone_number_sid: string | null;
  date_created: number;
  date_updated: number;
  start_time: number | null;
  end_time: number | null;
  price: string | null;
  /** Where the first TwiML comes from. */
  url: string | null;
  method: string;
  twiml: string | null;
  fallback_url: string | null;
  fallback_method: string;
  status_callback: string | null;
  status_callback_method: string;
  status_callback_events: string[];
  record: boolean;
  machine_detection: boolean;
  timeout: number;
  /** Execution state: the current document's URL (base for relative URLs) and its verbs left. */
  doc_url: string | null;
  queue: TwimlNode[];
  /** Bumped by a redirect or hang-up so that stale scheduled steps do nothing. */
  gen: number;
  fetches: number;
  steps: number;
  sequence: number;
  script: CallerScript;
  /** Scripted input not consumed yet (copied from the script when the call starts). */
  input: { digits: (string | null)[]; speech: (string | null)[] };
  transcript: TranscriptEntry[];
}

export interface Recording {
  sid: string;
  account_sid: string;
  call_sid: string;
  source: "RecordVerb" | "OutboundAPI";
  duration: number;
  start_time: number;
  date_created: number;
  date_updated: number;
}

export interface Transcription {
  sid: string;
  account_sid: string;
  call_sid: string;
  recording_sid: string;
  status: "in-progress" | "completed" | "failed";
  transcription_text: string | null;
  duration: number;
  date_created: number;
  date_updated: number;
}

/** One step of a call's life, stored in scheduler jobs (so plain JSON). */
export type Step =
  | { kind: "initiate" }
  | { kind: "ring" }
  | { kind: "answer" }
  | { kind: "incoming" }
  | { kind: "fetch"; url: string; method: string; params: Record<string, string>; fallback?: Fallback }
  | { kind: "twiml"; twiml: string }
  | { kind: "next" }
  | { kind: "recorded"; seconds: number; started: number; attrs: Record<string, string> }
  | { kind: "dialed"; child: string; status: CallStatus; talk: number; attrs: Record<string, string> }
  | { kind: "finish"; status: CallStatus };

export interface Fallback {
  url: string;
  method: string;
}

/** What a step leads to: another step now, another step after `wait` ms, or nothing (the call ended). */
export type Outcome = { step: Step; wait?: number } | null;

const accountPath = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}`;
export const recordingUrl = (r: Pick<Recording, "account_sid" | "sid">) =>
  `${API_HOST}${accountPath(r.account_sid)}/Recordings/${r.sid}`;
export const transcriptionUrl = (t: Pick<Transcription, "account_sid" | "sid">) =>
  `${API_HOST}${accountPath(t.account_sid)}/Transcriptions/${t.sid}`;

const formatted = (n: string) => parseNumber(n).national_format ?? n;
/** Twilio's 2010 money strings: "-0.01400". */
const money = (amount: number) => (amount === 0 ? "0.00000" : (-amount).toFixed(5));
const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

export function callDuration(c: Call): number {
  if (c.start_time === null || c.end_time === null) return 0;
  return Math.round((c.end_time - c.start_time) / 1000);
}

/** Per-minute voice rates (US list prices): outbound $0.0140, inbound $0.0085; unanswered calls are free. */
export function callPrice(c: Call): string | null {
  if (!ENDED.has(c.status)) return null;
  if (c.start_time === null) return money(0);
  return money(minutes(callDuration(c)) * (c.direction === "inbound" ? 0.0085 : 0.014));
}

const CALL_SUBRESOURCES: [string, string][] = [
  ["notifications", "Notifications"],
  ["recordings", "Recordings"],
  ["payments", "Payments"],
  ["events", "Events"],
  ["siprec", "Siprec"],
  ["streams", "Streams"],
  ["transcriptions", "Transcriptions"],
  ["user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"],
  ["user_defined_messages", "UserDefinedMessages"],
];

export function renderCall(c: Call) {
  const base = `${accountPath(c.account_sid)}/Calls/${c.sid}`;
  const ended = ENDED.has(c.status);
  return {
    account_sid: c.account_sid,
    answered_by: c.answered_by,
    api_version: "2010-04-01",
    caller_name: null,
    date_created: rfc2822(c.date_created),
    date_updated: rfc2822(c.date_updated),
    direction: c.direction,
    duration: ended ? String(callDuration(c)) : null,
    end_time: rfc2822(c.end_time),
    forwarded_from: null,
    from: c.from,
    from_formatted: formatted(c.from),
    group_sid: null,
    parent_call_sid: c.parent_call_sid,
    phone_number_sid: c.phone_number_sid,
    price: c.price,
    price_unit: "USD",
    sid: c.sid,
    start_time: rfc2822(c.start_time),
    status: c.status,
    subresource_uris: Object.fromEntries(CALL_SUBRESOURCES.map(([k, p]) => [k, `${base}/${p}.json`])),
    to: c.to,
    to_formatted: formatted(c.to),
    trunk_sid: null,
    uri: `${base}.json`,
    queue_time: "0",
  };
}

const recordingPrice = (r: Recording) => minutes(r.duration) * 0.0025;

/** The account-level Recording resource. */
export function renderRecording(r: Recording) {
  const uri = `${accountPath(r.account_sid)}/Recordings/${r.sid}`;
  return {
    account_sid: r.account_sid,
    api_version: "2010-04-01",
    call_sid: r.call_sid,
    conference_sid: null,
    date_created: rfc2822(r.date_created),
    date_updated: rfc2822(r.date_updated),
    start_time: rfc2822(r.start_time),
    duration: String(r.duration),
    sid: r.sid,
    price: money(recordingPrice(r)),
    price_unit: "USD",
    status: "completed",
    channels: 1,
    source: r.source,
    error_code: null,
    uri: `${uri}.json`,
    encryption_details: null,
    subresource_uris: {
      add_on_results: `${uri}/AddOnResults.json`,
      transcriptions: `${uri}/Transcriptions.json`,
    },
    media_url: recordingUrl(r),
  };
}

/** The same recording under its call (the Call Recording schema: numeric price, track). */
export function renderCallRecording(r: Recording) {
  return {
    account_sid: r.account_sid,
    api_version: "2010-04-01",
    call_sid: r.call_sid,
    conference_sid: null,
    date_created: rfc2822(r.date_created),
    date_updated: rfc2822(r.date_updated),
    start_time: rfc2822(r.start_time),
    duration: String(r.duration),
    sid: r.sid,
    price: -recordingPrice(r),
    uri: `${accountPath(r.account_sid)}/Calls/${r.call_sid}/Recordings/${r.sid}.json`,
    encryption_details: null,
    price_unit: "USD",
    status: "completed",
    channels: 1,
    source: r.source,
    error_code: null,
    track: "both",
  };
}

/** Transcriptions cost $0.05 per minute of recording. */
export function renderTranscription(t: Transcription) {
  return {
    account_sid: t.account_sid,
    api_version: "2010-04-01",
    date_created: rfc2822(t.date_created),
    date_updated: rfc2822(t.date_updated),
    duration: String(t.duration),
    price: t.status === "completed" ? -(minutes(t.duration) * 0.05) : null,
    price_unit: "USD",
    recording_sid: t.recording_sid,
    sid: t.sid,
    status: t.status,
    transcription_text: t.transcription_text,
    type: "fast",
    uri: `${accountPath(t.account_sid)}/Transcriptions/${t.sid}.json`,
  };
}

/** What GET /_emulator/calls shows for tests. */
export function callView(c: Call) {
  return {
    sid: c.sid,
    account_sid: c.account_sid,
    parent_call_sid: c.parent_call_sid,
    from: c.from,
    to: c.to,
    direction: c.direction,
    status: c.status,
    answered_by: c.answered_by,
    duration: callDuration(c),
    start_time: iso(c.start_time),
    end_time: iso(c.end_time),
    transcript: c.transcript,
  };
}

export function ownCall(world: World, accountSid: string, sid: string): Call {
  const c = world.store.get<Call>(CALLS, sid);
  if (!c || c.account_sid !== accountSid) throw notFound("Call");
  return c;
}

export function ownRecording(world: World, accountSid: string, sid: string, callSid?: string): Recording {
  const r = world.store.get<Recording>(RECORDINGS, sid);
  if (!r || r.account_sid !== accountSid || (callSid && r.call_sid !== callSid)) throw notFound("Recording");
  return r;
}

export function ownTranscription(world: World, accountSid: string, sid: string, recordingSid?: string) {
  const t = world.store.get<Transcription>(TRANSCRIPTIONS, sid);
  if (!t || t.account_sid !== accountSid || (recordingSid && t.recording_sid !== recordingSid))
    throw notFound("Transcription");
  return t;
}

/** Deleting a recording deletes its transcriptions, as Twilio does. */
export function deleteRecording(world: World, r: Recording) {
  for (const t of world.store.list<Transcription>(TRANSCRIPTIONS, (t) => t.recording_sid === r.sid))
    world.store.delete(TRANSCRIPTIONS, t.sid);
  world.store.delete(RECORDINGS, r.sid);
}
