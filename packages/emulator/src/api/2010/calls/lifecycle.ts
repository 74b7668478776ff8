import { iso, rfc2822 } from "../../../core/dates.js";
import { newSid } from "../../../core/sid.js";
import { parseNumber } from "../../../lookups/v2/numbering.js";
import type { World } from "../../../world.js";
import { ACCOUNTS, type Account } from "../accounts/model.js";
import {
  CALLS,
  type Call,
  type CallStatus,
  ENDED,
  RECORDINGS,
  type Recording,
  type TranscriptEntry,
  callDuration,
  callPrice,
  recordingUrl,
} from "./model.js";

export const RUN = "call.run";
export const HANGUP = "call.hangup";

export function authToken(world: World, call: Pick<Call, "account_sid">): string {
  return world.store.get<Account>(ACCOUNTS, call.account_sid)?.auth_token ?? "";
}

export function save(world: World, call: Call, changes: Partial<Call> = {}): Call {
  return world.store.patch<Call>(CALLS, call.sid, { ...changes, date_updated: world.clock.now() })!;
}

export function log(world: World, call: Call, entry: Omit<TranscriptEntry, "at">) {
  call.transcript.push({ ...entry, at: iso(world.clock.now()) } as TranscriptEntry);
  save(world, call, { transcript: call.transcript });
}

const country = (n: string) => parseNumber(n).country_code ?? "";

/** The parameters of every voice webhook Twilio makes for a call. */
export function callParams(call: Call): Record<string, string> {
  return {
    AccountSid: call.account_sid,
    ApiVersion: "2010-04-01",
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    CalledCountry: country(call.to),
    Caller: call.from,
    CallerCountry: country(call.from),
    Direction: call.direction,
    From: call.from,
    FromCountry: country(call.from),
    To: call.to,
    ToCountry: country(call.to),
    ...(call.parent_call_sid ? { ParentCallSid: call.parent_call_sid } : {}),
  };
}

/** A call progress event (initiated, ringing, answered, completed) if the call subscribed to it. */
export function progress(
  world: World,
  call: Call,
  event: "initiated" | "ringing" | "answered" | "completed",
) {
  if (!call.status_callback || !call.status_callback_events.includes(event)) return;
  call.sequence += 1;
  save(world, call, { sequence: call.sequence });
  const status = event === "initiated" ? "initiated" : event === "answered" ? "in-progress" : call.status;
  const params: Record<string, string> = {
    ...callParams(call),
    CallStatus: status,
    CallbackSource: "call-progress-events",
    SequenceNumber: String(call.sequence - 1),
    Timestamp: rfc2822(world.clock.now())!,
  };
  if (event === "completed") {
    params.CallDuration = String(callDuration(call));
    const recording = world.store.find<Recording>(
      RECORDINGS,
      (r) => r.call_sid === call.sid && r.source === "OutboundAPI",
    );
    if (recording) {
      params.RecordingUrl = recordingUrl(recording);
      params.RecordingSid = recording.sid;
      params.RecordingDuration = String(recording.duration);
    }
  }
  world.callbacks.send(call.status_callback, params, authToken(world, call), call.status_callback_method);
}

/** The call is answered: in-progress from now on. */
export function answer(world: World, call: Call) {
  const now = world.clock.now();
  save(world, call, {
    status: "in-progress",
    start_time: now,
    answered_by: call.machine_detection
      ? call.script.answer === "machine"
        ? "machine_start"
        : "human"
      : null,
  });
  progress(world, call, "answered");
  if (call.script.hangup_after !== undefined && call.script.hangup_after >= 0)
    world.scheduler.after(call.script.hangup_after * 1000, HANGUP, { sid: call.sid });
}

/**
 * Ends a call with its final status: timestamps, duration and price, the whole-call recording
 * (Record=true), child legs of a <Dial> in flight, and the `completed` progress event.
 */
export function finish(world: World, call: Call, status: CallStatus) {
  if (ENDED.has(call.status)) return;
  world.scheduler.cancel((j) => (j.kind === RUN || j.kind === HANGUP) && j.data.sid === call.sid);
  const now = world.clock.now();
  const ended = save(world, call, { status, end_time: now, gen: call.gen + 1 });
  save(world, ended, { price: callPrice(ended) });
  if (call.record && call.start_time !== null) {
    world.store.put<Recording>(RECORDINGS, {
      sid: newSid("RE"),
      account_sid: call.account_sid,
      call_sid: call.sid,
      source: "OutboundAPI",
      duration: callDuration(call),
      start_time: call.start_time,
      date_created: now,
      date_updated: now,
    });
  }
  for (const child of world.store.list<Call>(
    CALLS,
    (c) => c.parent_call_sid === call.sid && !ENDED.has(c.status),
  ))
    finish(world, child, child.start_time === null ? "canceled" : "completed");
  progress(world, call, "completed");
}

/** Runs `step` for the call after `ms` of emulated time, unless the call moves on meanwhile. */
export function later(world: World, call: Call, ms: number, step: unknown) {
  world.scheduler.after(ms, RUN, { sid: call.sid, gen: call.gen, step });
}

/** Resolves a TwiML URL (action, Redirect…) against the current document, as Twilio does. */
export function resolveUrl(call: Call, ref: string | undefined): string | null {
  if (!ref) return call.doc_url;
  try {
    return new URL(ref, call.doc_url ?? undefined).toString();
  } catch {
    return null;
  }
}
