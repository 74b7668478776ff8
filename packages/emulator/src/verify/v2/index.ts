import { registerVerifyControl } from "../../control/verify.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerServices } from "./services/index.js";

/** Verify v2: services, verifications (send rules, expiry), checks, and its control API. */
export function registerVerify(r: Router, world: World) {
  registerServices(r, world);
  registerVerifyControl(r);
}
