import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import {
  TRANSCRIPTIONS,
  type Transcription,
  ownRecording,
  ownTranscription,
  renderTranscription,
} from "../calls/model.js";

const ACCOUNT = "/api/2010-04-01/Accounts/:AccountSid";
const listPath = (path: string) => path.replace(/^\/api/, "");

/** A recording's transcriptions (newest first). */
export function registerRecordingTranscriptions(r: Router) {
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
