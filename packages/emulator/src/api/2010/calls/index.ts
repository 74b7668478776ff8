import { registerCallerControl } from "../../../control/callers.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { registerCallRoutes } from "./calls.js";
import { registerEngine } from "./engine.js";
import { registerTranscriptions } from "./record.js";
import { registerCallRecordings } from "./recordings.js";

/**
 * Voice: Calls (outbound and inbound) whose TwiML runs on emulated time, their Recordings, the
 * transcriber, and the control API that scripts the people on the other end. The account-wide
 * Recordings and Transcriptions routes are ../recordings/ and ../transcriptions.ts (the model of
 * both is model.ts here).
 */
export function registerCalls(r: Router, world: World) {
  registerCallRoutes(r);
  registerCallRecordings(r);
  registerEngine(world);
  registerTranscriptions(world);
  registerCallerControl(r);
}
