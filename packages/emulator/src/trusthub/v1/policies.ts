import { notFound } from "../../core/errors.js";
import { pageV1 } from "../../core/paging.js";
import type { Router } from "../../http/router.js";
import { TRUSTHUB } from "./model.js";
import {
  POLICIES,
  type PolicySpec,
  type TypeSpec,
  documentType,
  endUserType,
  policyOf,
} from "./policy-catalog.js";

const fieldsOf = (t: TypeSpec | undefined) => t?.fields.map((f) => f.machine_name) ?? [];

/** A policy as Twilio answers it: `requirements` with end_user, supporting_document (alternatives), profiles. */
export function renderPolicy(p: PolicySpec) {
  return {
    sid: p.sid,
    friendly_name: p.friendly_name,
    requirements: {
      end_user: p.endUsers.map((e) => ({
        url: `/EndUserTypes/${e.type}`,
        fields: fieldsOf(endUserType(e.type)),
        type: e.type,
        name: e.name,
        requirement_name: e.type,
      })),
      supporting_trust_products: [],
      supporting_document: [
        p.documents.map((d) => ({
          description: d.description,
          type: "document",
          name: d.name,
          accepted_documents: d.accepted.map((t) => ({
            url: `/SupportingDocumentTypes/${t}`,
            fields: fieldsOf(documentType(t)),
            type: t,
            name: documentType(t)?.friendly_name ?? t,
          })),
          requirement_name: d.requirement_name,
        })),
      ],
      supporting_customer_profiles: p.profiles.flatMap((r) =>
        r.alternatives.map((a) => ({ type: a.type, name: a.name, requirement_name: r.requirement_name })),
      ),
    },
    url: `${TRUSTHUB}/Policies/${p.sid}`,
  };
}

export function registerPolicies(r: Router) {
  r.get("/trusthub/v1/Policies", ({ input }) => ({
    status: 200,
    body: pageV1(POLICIES.map(renderPolicy), "results", `${TRUSTHUB}/Policies`, input),
  }));
  r.get("/trusthub/v1/Policies/:Sid", ({ params }) => {
    const p = policyOf(params.Sid);
    if (!p) throw notFound(`Policy ${params.Sid}`);
    return { status: 200, body: renderPolicy(p) };
  });
}
