import { registerCallerControl } from "../../../control/callers.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { registerCallRoutes } from "./calls.js";
import { registerEngine } from "./engine.js";
import { registerTranscriptions } from "./record.js";
import { registerRecordingRoutes } from "./recordings.js";

/**
 * Voice: Calls (outbound and inbound) whose TwiML runs on emulated time, Recordings and
 * Transcriptions, and the control API that scripts the people on the other end.
 */
export function registerCalls(r: Router, world: World) {
  registerCallRoutes(r);
  registerRecordingRoutes(r);
  registerEngine(world);
  registerTranscriptions(world);
  registerCallerControl(r);
}
