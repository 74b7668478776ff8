import { type RawClient, call } from "../http.js";
import type { RecommendInput, RegistrationDocument, RequestBody } from "../types.js";

/** 10DLC and toll-free registrations (admin token, or the tenant's own key). */
export function registrationsResource(raw: RawClient) {
  const path = (tenantId: string, rid: string) => ({ path: { id: tenantId, rid } });
  return {
    /** Which registration to start (its `kind`), from the customer's answers. */
    recommend: (answers: RecommendInput) => call(raw.POST("/v1/registrations/recommend", { body: answers })),
    /** Dry run: the findings our rules raise before anything reaches Twilio. */
    validate: (document: RegistrationDocument) =>
      call(raw.POST("/v1/registrations/validate", { body: document })),
    /** Starts onboarding (202); follow `state` with `get` or the `registration.updated` webhook. */
    create: (tenantId: string, document: RegistrationDocument) =>
      call(
        raw.POST("/v1/tenants/{id}/registrations", { params: { path: { id: tenantId } }, body: document }),
      ),
    list: (tenantId: string) =>
      call(raw.GET("/v1/tenants/{id}/registrations", { params: { path: { id: tenantId } } })),
    get: (tenantId: string, rid: string) =>
      call(raw.GET("/v1/tenants/{id}/registrations/{rid}", { params: path(tenantId, rid) })),
    /** Edits the submitted data after a failure (then `resubmit`). */
    update: (
      tenantId: string,
      rid: string,
      patch: RequestBody<"/v1/tenants/{id}/registrations/{rid}", "patch">,
    ) =>
      call(raw.PATCH("/v1/tenants/{id}/registrations/{rid}", { params: path(tenantId, rid), body: patch })),
    /** Resubmits only the stage that failed. */
    resubmit: (tenantId: string, rid: string) =>
      call(raw.POST("/v1/tenants/{id}/registrations/{rid}/resubmit", { params: path(tenantId, rid) })),
  };
}
