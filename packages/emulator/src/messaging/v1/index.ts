import { registerReviewControl } from "../../control/reviews.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerBrandRegistrations } from "./a2p/brand-registrations/index.js";
import { registerServices } from "./services/index.js";
import { registerTollfreeVerifications } from "./tollfree/verifications/index.js";

/**
 * Messaging v1. Files follow Twilio's URLs: /v1/a2p/BrandRegistrations/{Sid}/Vettings is
 * a2p/brand-registrations/vettings.ts; each folder's index.ts registers its resource and those
 * under it, with their review jobs.
 */
export function registerMessaging(r: Router, world: World) {
  registerBrandRegistrations(r, world);
  registerTollfreeVerifications(r, world);
  registerReviewControl(r);
  // Keep these last: /Services/:Sid would otherwise shadow literal paths such as
  // /Services/PreregisteredUsa2p registered by the A2P area.
  registerServices(r, world);
}
