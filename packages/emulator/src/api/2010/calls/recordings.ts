import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import {
  RECORDINGS,
  type Recording,
  deleteRecording,
  ownCall,
  ownRecording,
  renderCallRecording,
} from "./model.js";

const ACCOUNT = "/api/2010-04-01/Accounts/:AccountSid";
const listPath = (path: string) => path.replace(/^\/api/, "");

/** A call's recordings (newest first). */
export function registerCallRecordings(r: Router) {
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
}
