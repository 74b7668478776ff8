import { type RawClient, call } from "../http.js";
import type { RegistrationInput, RequestBody } from "../types.js";

/** 10DLC and toll-free registrations (admin token, or the tenant's own key). */
export function registrationsResource(raw: RawClient) {
  const path = (tenantId: string, rid: string) => ({ path: { id: tenantId, rid } });
  return {
    /** Dry run: the findings our rules raise before anything reaches Twilio. */
    validate: (document: RegistrationInput) =>
      // The document describes this body as a bare object (it accepts drafts that would fail).
      call(raw.POST("/v1/registrations/validate", { body: document as never })),
    /** Starts onboarding (202); follow `state` with `get` or the `registration.updated` webhook. */
    create: (tenantId: string, document: RegistrationInput) =>
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
