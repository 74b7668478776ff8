import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerRcBundles } from "./regulatory-compliance/bundles/index.js";
import { registerEndUserTypes } from "./regulatory-compliance/end-user-types.js";
import { registerRcEndUsers } from "./regulatory-compliance/end-users.js";
import { registerRegulations } from "./regulatory-compliance/regulations.js";
import { registerSupportingDocumentTypes } from "./regulatory-compliance/supporting-document-types.js";
import { registerRcSupportingDocuments } from "./regulatory-compliance/supporting-documents.js";

/**
 * Numbers v2: Twilio's Regulatory Compliance API (https://numbers.twilio.com/v2/RegulatoryCompliance/…,
 * https://www.twilio.com/docs/phone-numbers/regulatory/api). Files follow Twilio's URLs.
 */
export function registerNumbers(r: Router, world: World) {
  registerRegulations(r);
  registerEndUserTypes(r);
  registerSupportingDocumentTypes(r);
  registerRcEndUsers(r);
  registerRcSupportingDocuments(r);
  registerRcBundles(r, world);
}
