import type { Router } from "../../http/router.js";
import { registerTypeRoutes } from "./end-user-types.js";
import { SUPPORTING_DOCUMENT_TYPES, documentType } from "./policy-catalog.js";

export function registerSupportingDocumentTypes(r: Router) {
  registerTypeRoutes(
    r,
    "SupportingDocumentTypes",
    "supporting_document_types",
    SUPPORTING_DOCUMENT_TYPES,
    documentType,
  );
}
