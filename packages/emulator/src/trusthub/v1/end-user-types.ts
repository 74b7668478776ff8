import { notFound } from "../../core/errors.js";
import { pageV1 } from "../../core/paging.js";
import type { Router } from "../../http/router.js";
import { TRUSTHUB } from "./model.js";
import { END_USER_TYPES, type TypeSpec, endUserType } from "./policy-catalog.js";

function renderType(t: TypeSpec, collection: string) {
  return {
    sid: t.sid,
    friendly_name: t.friendly_name,
    machine_name: t.machine_name,
    fields: t.fields.map((f) => ({
      machine_name: f.machine_name,
      friendly_name: f.friendly_name,
      constraint: f.constraint,
    })),
    url: `${TRUSTHUB}/${collection}/${t.sid}`,
  };
}

/**
 * The routes of a type list: EndUserTypes and SupportingDocumentTypes answer by OY… SID and, as
 * Twilio's console links do, by machine name.
 */
export function registerTypeRoutes(
  r: Router,
  collection: string,
  key: string,
  types: TypeSpec[],
  find: (name: string) => TypeSpec | undefined,
) {
  r.get(`/trusthub/v1/${collection}`, ({ input }) => ({
    status: 200,
    body: pageV1(
      types.map((t) => renderType(t, collection)),
      key,
      `${TRUSTHUB}/${collection}`,
      input,
    ),
  }));
  r.get(`/trusthub/v1/${collection}/:Sid`, ({ params }) => {
    const t = find(params.Sid);
    if (!t) throw notFound(`${collection} ${params.Sid}`);
    return { status: 200, body: renderType(t, collection) };
  });
}

export function registerEndUserTypes(r: Router) {
  registerTypeRoutes(r, "EndUserTypes", "end_user_types", END_USER_TYPES, endUserType);
}
