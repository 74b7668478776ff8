import { iso } from "../../../core/dates.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { NUMBERS_V2, documentType } from "./catalog.js";
import { registerRcItemRoutes } from "./end-users.js";
import { RC_DOCUMENTS, type RcDocument } from "./model.js";

/**
 * https://www.twilio.com/docs/phone-numbers/regulatory/api/supporting-documents. The emulator
 * keeps document metadata only (`Attributes`); no file is uploaded, so `mime_type` is null.
 * A document is `draft` until its bundle is submitted, then follows the bundle's review
 * (`pending-review`, then `approved` or `rejected` with `failure_reason` and `errors`).
 */
export function renderRcDocument(d: RcDocument) {
  return {
    sid: d.sid,
    account_sid: d.account_sid,
    friendly_name: d.friendly_name,
    mime_type: d.mime_type,
    status: d.status,
    failure_reason: d.failure_reason,
    errors: d.errors,
    type: d.type,
    attributes: d.attributes,
    date_created: iso(d.date_created),
    date_updated: iso(d.date_updated),
    url: `${NUMBERS_V2}/SupportingDocuments/${d.sid}`,
  };
}

export function registerRcSupportingDocuments(r: Router) {
  registerRcItemRoutes<RcDocument>(r, {
    path: "SupportingDocuments",
    collection: RC_DOCUMENTS,
    prefix: "RD",
    knownType: documentType,
    render: renderRcDocument,
    extra: () => ({ mime_type: null, status: "draft", failure_reason: null, errors: null }),
    // A corrected document is a new submission: its earlier verdict no longer applies.
    updated: (world: World, d: RcDocument) =>
      world.store.patch<RcDocument>(RC_DOCUMENTS, d.sid, {
        status: "draft",
        failure_reason: null,
        errors: null,
      })!,
  });
}
