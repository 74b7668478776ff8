import type { Router } from "../../http/router.js";
import { registerKeyRoutes } from "./keys.js";

/** SigningKeys: Twilio's older name for API keys, answered from the same keys. */
export function registerSigningKeys(r: Router) {
  registerKeyRoutes(r, "SigningKeys");
}
