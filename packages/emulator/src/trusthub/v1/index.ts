import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerBundleReview } from "./bundle-review.js";
import { registerBundles } from "./bundles.js";
import { registerEndUsersAndDocuments } from "./end-users.js";
import { registerAssignments } from "./entity-assignments.js";
import { registerEvaluations } from "./evaluations.js";
import { registerPolicies } from "./policies.js";
import { registerPrimaryProfile } from "./primary-profile.js";

export function registerTrustHub(r: Router, world: World) {
  registerPolicies(r);
  registerEndUsersAndDocuments(r);
  registerBundles(r);
  registerAssignments(r);
  registerEvaluations(r);
  registerBundleReview(world);
  registerPrimaryProfile(r, world);
}
