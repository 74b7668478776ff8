import { notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import { END_USER_TYPES, type ItemType, NUMBERS_V2 } from "./catalog.js";

/** Both catalogues render alike: `fields` as `{friendly_name, machine_name, constraint}`. */
export function renderItemType(t: ItemType, path: string) {
  return {
    sid: t.sid,
    friendly_name: t.friendly_name,
    machine_name: t.machine_name,
    fields: t.fields.map((f) => ({
      friendly_name: f.friendly_name,
      machine_name: f.machine_name,
      description: f.description,
      constraint: "String",
    })),
    url: `${NUMBERS_V2}/${path}/${t.sid}`,
  };
}

/** Registers a read-only catalogue of item types (EndUserTypes, SupportingDocumentTypes). */
export function registerItemTypes(r: Router, path: string, types: ItemType[]) {
  const base = `/numbers/v2/RegulatoryCompliance/${path}`;
  r.get(base, ({ input }) => ({
    status: 200,
    body: pageV1(
      types.map((t) => renderItemType(t, path)),
      path === "EndUserTypes" ? "end_user_types" : "supporting_document_types",
      `${NUMBERS_V2}/${path}`,
      input,
    ),
  }));
  r.get(`${base}/:Sid`, ({ params }) => {
    const t = types.find((x) => x.sid === params.Sid || x.machine_name === params.Sid);
    if (!t) throw notFound(`${path} ${params.Sid}`);
    return { status: 200, body: renderItemType(t, path) };
  });
}

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/end-user-types */
export function registerEndUserTypes(r: Router) {
  registerItemTypes(r, "EndUserTypes", END_USER_TYPES);
}
