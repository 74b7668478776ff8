import { registerReviewControl } from "../../control/reviews.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerBrandRegistrations } from "./a2p/brand-registrations/index.js";
import { registerBrandReview } from "./a2p/brand-registrations/review.js";
import { registerTollfreeReview } from "./tollfree/verifications/review.js";
import { registerTollfreeVerifications } from "./tollfree/verifications/index.js";
import { registerUsa2p } from "./usa2p.js";
import { registerCampaignReview } from "./usa2p-review.js";

/** A2P 10DLC brands and campaigns, toll-free verifications, their reviews and control routes. */
export function registerCompliance(r: Router, world: World) {
  registerBrandRegistrations(r, world);
  registerBrandReview(world);
  registerUsa2p(r);
  registerCampaignReview(world);
  registerTollfreeVerifications(r);
  registerTollfreeReview(world);
  registerReviewControl(r);
}
