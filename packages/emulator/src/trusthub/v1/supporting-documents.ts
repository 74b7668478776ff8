import { iso } from "../../core/dates.js";
import type { Router } from "../../http/router.js";
import { registerItemRoutes } from "./end-users.js";
import { SUPPORTING_DOCUMENTS, type SupportingDocument, TRUSTHUB } from "./model.js";
import { documentType } from "./policy-catalog.js";

export function renderSupportingDocument(d: SupportingDocument) {
  return {
    sid: d.sid,
    account_sid: d.account_sid,
    friendly_name: d.friendly_name,
    mime_type: null,
    status: d.status,
    type: d.type,
    attributes: d.attributes,
    date_created: iso(d.date_created),
    date_updated: iso(d.date_updated),
    url: `${TRUSTHUB}/SupportingDocuments/${d.sid}`,
  };
}

export function registerSupportingDocuments(r: Router) {
  registerItemRoutes(r, {
    path: "SupportingDocuments",
    collection: SUPPORTING_DOCUMENTS,
    prefix: "RD",
    knownType: documentType,
    render: renderSupportingDocument,
    extra: () => ({ status: "DRAFT" }),
  });
}
