import { page2010 } from "../../core/paging.js";
import type { Router } from "../../http/router.js";
import { TRANSCRIPTIONS, type Transcription, ownTranscription, renderTranscription } from "./calls/model.js";

const ACCOUNT = "/api/2010-04-01/Accounts/:AccountSid";
const listPath = (path: string) => path.replace(/^\/api/, "");

/** The account's transcriptions (newest first). */
export function registerTranscriptionRoutes(r: Router) {
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
}
