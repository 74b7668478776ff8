import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import {
  RECORDINGS,
  type Recording,
  deleteRecording,
  ownRecording,
  renderRecording,
} from "../calls/model.js";
import { registerRecordingTranscriptions } from "./transcriptions.js";

const ACCOUNT = "/api/2010-04-01/Accounts/:AccountSid";
const listPath = (path: string) => path.replace(/^\/api/, "");

/** The account's recordings (newest first) and, under each, its transcriptions. */
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

  registerRecordingTranscriptions(r);
}
