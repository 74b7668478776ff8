import { rfc2822 } from "../../../core/dates.js";
import { newSid } from "../../../core/sid.js";
import type { World } from "../../../world.js";
import { authToken, callParams, log, resolveUrl } from "./lifecycle.js";
import {
  CALLS,
  type Call,
  type Outcome,
  RECORDINGS,
  type Recording,
  type Step,
  TRANSCRIPTIONS,
  type Transcription,
  recordingUrl,
  transcriptionUrl,
} from "./model.js";
import type { TwimlNode } from "./twiml.js";

export const TRANSCRIBE = "call.transcribe";
/** Twilio transcribes recordings of up to two minutes; longer ones fail. */
const MAX_TRANSCRIBED_SECONDS = 120;
/** Emulated seconds a transcription takes once the recording is done. */
const TRANSCRIPTION_SECONDS = 30;

const int = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : fallback;
};

/**
 * <Record>: a beep, then the party speaks for their scripted `record_seconds` (capped at
 * maxLength), then `timeout` seconds of silence end the recording. Silence only (0 seconds):
 * no recording and no action request; execution falls through, as Twilio does.
 */
export function record(world: World, call: Call, node: TwimlNode): Outcome {
  const beep = node.attrs.playBeep === "false" ? 0 : 1000;
  const timeout = int(node.attrs.timeout, 5);
  const seconds = Math.min(call.script.record_seconds ?? 5, int(node.attrs.maxLength, 3600));
  if (seconds <= 0) {
    log(world, call, { verb: "Record", seconds: 0, timed_out: true });
    return { wait: beep + timeout * 1000, step: { kind: "next" } };
  }
  return {
    wait: beep + (seconds + timeout) * 1000,
    step: { kind: "recorded", seconds, started: world.clock.now() + beep, attrs: node.attrs },
  };
}

/** The recording is done: create it, notify, start the transcription, then request `action`. */
export function recorded(world: World, call: Call, step: Extract<Step, { kind: "recorded" }>): Outcome {
  const now = world.clock.now();
  const rec = world.store.put<Recording>(RECORDINGS, {
    sid: newSid("RE"),
    account_sid: call.account_sid,
    call_sid: call.sid,
    source: "RecordVerb",
    duration: step.seconds,
    start_time: step.started,
    date_created: now,
    date_updated: now,
  });
  const attrs = step.attrs;
  const recordingParams = {
    RecordingUrl: recordingUrl(rec),
    RecordingSid: rec.sid,
    RecordingDuration: String(rec.duration),
  };
  const statusCallback = resolveUrl(call, attrs.recordingStatusCallback);
  if (attrs.recordingStatusCallback && statusCallback) {
    world.callbacks.send(
      statusCallback,
      {
        AccountSid: call.account_sid,
        CallSid: call.sid,
        ...recordingParams,
        RecordingStatus: "completed",
        RecordingChannels: "1",
        RecordingSource: "RecordVerb",
        RecordingStartTime: rfc2822(rec.start_time)!,
        ErrorCode: "0",
      },
      authToken(world, call),
      (attrs.recordingStatusCallbackMethod ?? "POST").toUpperCase(),
    );
  }
  let transcriptionSid: string | undefined;
  const callback = attrs.transcribeCallback ? resolveUrl(call, attrs.transcribeCallback) : null;
  if (attrs.transcribe === "true" || callback) {
    const tr = world.store.put<Transcription>(TRANSCRIPTIONS, {
      sid: newSid("TR"),
      account_sid: call.account_sid,
      call_sid: call.sid,
      recording_sid: rec.sid,
      status: "in-progress",
      transcription_text: null,
      duration: rec.duration,
      date_created: now,
      date_updated: now,
    });
    transcriptionSid = tr.sid;
    world.scheduler.after(TRANSCRIPTION_SECONDS * 1000, TRANSCRIBE, { sid: tr.sid, callback });
  }
  log(world, call, {
    verb: "Record",
    seconds: rec.duration,
    recording_sid: rec.sid,
    ...(transcriptionSid ? { transcription_sid: transcriptionSid } : {}),
  });
  const url = resolveUrl(call, attrs.action);
  if (!url) return { step: { kind: "next" } };
  return {
    step: { kind: "fetch", url, method: (attrs.method ?? "POST").toUpperCase(), params: recordingParams },
  };
}

/** A transcription finishes: the scripted text (or a failure past two minutes), then the callback. */
export function registerTranscriptions(world: World) {
  world.scheduler.on(TRANSCRIBE, ({ sid, callback }) => {
    const tr = world.store.get<Transcription>(TRANSCRIPTIONS, sid);
    if (tr?.status !== "in-progress") return;
    const call = world.store.get<Call>(CALLS, tr.call_sid);
    const ok = tr.duration <= MAX_TRANSCRIBED_SECONDS;
    const text = call?.script.transcription_text ?? "This is an emulated voicemail.";
    const done = world.store.patch<Transcription>(TRANSCRIPTIONS, sid, {
      status: ok ? "completed" : "failed",
      transcription_text: ok ? text : null,
      date_updated: world.clock.now(),
    })!;
    if (!callback || !call) return;
    const rec = world.store.get<Recording>(RECORDINGS, tr.recording_sid);
    world.callbacks.send(
      callback,
      {
        ...callParams(call),
        TranscriptionSid: done.sid,
        TranscriptionText: done.transcription_text ?? "",
        TranscriptionStatus: done.status,
        TranscriptionUrl: transcriptionUrl(done),
        TranscriptionType: "fast",
        RecordingSid: tr.recording_sid,
        RecordingUrl: rec ? recordingUrl(rec) : "",
      },
      authToken(world, call),
    );
  });
}
