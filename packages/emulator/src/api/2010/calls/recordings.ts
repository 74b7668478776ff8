import { notFound } from "../../../core/errors.js";
import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  RECORDINGS,
  type Recording,
  TRANSCRIPTIONS,
  type Transcription,
  ownCall,
  renderCallRecording,
  renderRecording,
  renderTranscription,
} from "./model.js";

const ACCOUNT = "/api/2010-04-01/Accounts/:AccountSid";
const listPath = (path: string) => path.replace(/^\/api/, "");

function ownRecording(world: World, accountSid: string, sid: string, callSid?: string): Recording {
  const r = world.store.get<Recording>(RECORDINGS, sid);
  if (!r || r.account_sid !== accountSid || (callSid && r.call_sid !== callSid)) throw notFound("Recording");
  return r;
}

function ownTranscription(world: World, accountSid: string, sid: string, recordingSid?: string) {
  const t = world.store.get<Transcription>(TRANSCRIPTIONS, sid);
  if (!t || t.account_sid !== accountSid || (recordingSid && t.recording_sid !== recordingSid))
    throw notFound("Transcription");
  return t;
}

/** Deleting a recording deletes its transcriptions, as Twilio does. */
function deleteRecording(world: World, r: Recording) {
  for (const t of world.store.list<Transcription>(TRANSCRIPTIONS, (t) => t.recording_sid === r.sid))
    world.store.delete(TRANSCRIPTIONS, t.sid);
  world.store.delete(RECORDINGS, r.sid);
}

/** Recordings and Transcriptions, account-wide and under their call or recording (newest first). */
export function registerRecordingRoutes(r: Router) {
  r.get(`${ACCOUNT}/Recordings.json`, ({ world, account, input, path }) => {
    const callSid = input.str("CallSid");
    const items = world.store
      .list<Recording>(
        RECORDINGS,
        (x) => x.account_sid === account.sid && (!callSid || x.call_sid === callSid),
      )
      .reverse()
      .map(renderRecording);
    return { status: 200, body: page2010(items, "recordings", listPath(path), input) };
  });
  r.get(`${ACCOUNT}/Recordings/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderRecording(ownRecording(world, account.sid, params.Sid)),
  }));
  r.delete(`${ACCOUNT}/Recordings/:Sid.json`, ({ world, account, params }) => {
    deleteRecording(world, ownRecording(world, account.sid, params.Sid));
    return { status: 204 };
  });

  r.get(`${ACCOUNT}/Calls/:CallSid/Recordings.json`, ({ world, account, params, input, path }) => {
    const call = ownCall(world, account.sid, params.CallSid);
    const items = world.store
      .list<Recording>(RECORDINGS, (x) => x.call_sid === call.sid)
      .reverse()
      .map(renderCallRecording);
    return { status: 200, body: page2010(items, "recordings", listPath(path), input) };
  });
  r.get(`${ACCOUNT}/Calls/:CallSid/Recordings/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderCallRecording(ownRecording(world, account.sid, params.Sid, params.CallSid)),
  }));
  r.delete(`${ACCOUNT}/Calls/:CallSid/Recordings/:Sid.json`, ({ world, account, params }) => {
    deleteRecording(world, ownRecording(world, account.sid, params.Sid, params.CallSid));
    return { status: 204 };
  });

  r.get(`${ACCOUNT}/Transcriptions.json`, ({ world, account, input, path }) => {
    const items = world.store
      .list<Transcription>(TRANSCRIPTIONS, (t) => t.account_sid === account.sid)
      .reverse()
      .map(renderTranscription);
    return { status: 200, body: page2010(items, "transcriptions", listPath(path), input) };
  });
  r.get(`${ACCOUNT}/Transcriptions/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderTranscription(ownTranscription(world, account.sid, params.Sid)),
  }));
  r.delete(`${ACCOUNT}/Transcriptions/:Sid.json`, ({ world, account, params }) => {
    world.store.delete(TRANSCRIPTIONS, ownTranscription(world, account.sid, params.Sid).sid);
    return { status: 204 };
  });

  r.get(
    `${ACCOUNT}/Recordings/:RecordingSid/Transcriptions.json`,
    ({ world, account, params, input, path }) => {
      const rec = ownRecording(world, account.sid, params.RecordingSid);
      const items = world.store
        .list<Transcription>(TRANSCRIPTIONS, (t) => t.recording_sid === rec.sid)
        .reverse()
        .map(renderTranscription);
      return { status: 200, body: page2010(items, "transcriptions", listPath(path), input) };
    },
  );
  r.get(`${ACCOUNT}/Recordings/:RecordingSid/Transcriptions/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderTranscription(ownTranscription(world, account.sid, params.Sid, params.RecordingSid)),
  }));
  r.delete(`${ACCOUNT}/Recordings/:RecordingSid/Transcriptions/:Sid.json`, ({ world, account, params }) => {
    world.store.delete(
      TRANSCRIPTIONS,
      ownTranscription(world, account.sid, params.Sid, params.RecordingSid).sid,
    );
    return { status: 204 };
  });
}
