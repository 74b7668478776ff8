import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerBundles } from "./bundles/index.js";
import { registerEndUserTypes } from "./end-user-types.js";
import { registerEndUsers } from "./end-users.js";
import { registerPolicies } from "./policies.js";
import { registerPrimaryProfile } from "./primary-profile.js";
import { registerSupportingDocumentTypes } from "./supporting-document-types.js";
import { registerSupportingDocuments } from "./supporting-documents.js";

/**
 * Trust Hub v1. Files follow Twilio's URLs (/v1/EndUsers is end-users.ts), but for
 * CustomerProfiles and TrustProducts, which share bundles/ (see its index.ts).
 */
export function registerTrustHub(r: Router, world: World) {
  registerPolicies(r);
  registerEndUserTypes(r);
  registerSupportingDocumentTypes(r);
  registerEndUsers(r);
  registerSupportingDocuments(r);
  registerBundles(r, world);
  registerPrimaryProfile(r, world);
}
