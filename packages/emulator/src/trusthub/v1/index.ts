import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerBundles } from "./bundles/index.js";
import { registerEndUsersAndDocuments } from "./end-users.js";
import { registerPolicies } from "./policies.js";
import { registerPrimaryProfile } from "./primary-profile.js";

export function registerTrustHub(r: Router, world: World) {
  registerPolicies(r);
  registerEndUsersAndDocuments(r);
  registerBundles(r, world);
  registerPrimaryProfile(r, world);
}
