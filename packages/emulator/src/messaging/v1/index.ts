import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerCompliance } from "./compliance.js";
import { registerServicePhoneNumbers } from "./service-phone-numbers.js";
import { registerServices } from "./services.js";

export function registerMessaging(r: Router, world: World) {
  registerCompliance(r, world);
  // Keep these last: /Services/:Sid would otherwise shadow literal paths such as
  // /Services/PreregisteredUsa2p registered by the A2P area.
  registerServices(r);
  registerServicePhoneNumbers(r);
}
