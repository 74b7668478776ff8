import type { Router } from "../../../http/router.js";
import { SUPPORTING_DOCUMENT_TYPES } from "./catalog.js";
import { registerItemTypes } from "./end-user-types.js";

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/supporting-document-types */
export function registerSupportingDocumentTypes(r: Router) {
  registerItemTypes(r, "SupportingDocumentTypes", SUPPORTING_DOCUMENT_TYPES);
}
