/**
 * Onboarding over HTTP (docs/onboarding.md): dry-run validation, path recommendation, registrations
 * (submit, read, edit, resubmit, OTP retrigger) and Twilio's status callbacks. Handlers parse,
 * call one use case and map its result.
 */
import { tenantInScope } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { twilioTenant, twilioWebhooks } from "../../http/twilio-webhooks.js";
import { Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { CALLBACK_KINDS, receiveOnboardingCallback } from "../callbacks.js";
import {
  createRegistration,
  patchRegistration,
  requireRegistration,
  resubmitRegistration,
  validateDocument,
} from "../intake.js";
import { retriggerOtp } from "../otp.js";
import { recommendPath } from "@subtext/telecom/registration/path";
import {
  documentBody,
  draftBody,
  patchBody,
  recommendBody,
  recommendationSchema,
  registrationSchema,
  validationResultSchema,
} from "./schemas.js";
import { listRegistrations, stepsOf } from "../store.js";
import { loadRegistrationView, registrationView } from "../view.js";

const pathId = Type.String({ minLength: 1, maxLength: 64 });
const tenantParams = Type.Object({ id: pathId }, { additionalProperties: false });
const registrationParams = Type.Object({ id: pathId, rid: pathId }, { additionalProperties: false });
const security = [{ bearer: [] }];
const tags = ["registrations"];

export function onboardingRoutes(services: Services): Routes {
  const view = (id: string) => loadRegistrationView(services.db, id, services.clock.now());
  return async (app) => {
    app.post(
      "/v1/registrations/validate",
      {
        schema: {
          tags,
          summary: "Dry-run a registration document: every finding, nothing sent to Twilio",
          description:
            "Reuse limits (TCR: a sole proprietor's mobile 3 brands, e-mail and address 10) count every tenant's registrations.",
          security,
          body: draftBody,
          response: responses({ 200: validationResultSchema }),
        },
      },
      async (req) => validateDocument(services.db, req.body),
    );

    app.post(
      "/v1/registrations/recommend",
      {
        schema: {
          tags,
          summary:
            "Recommend a registration path (standard, low-volume standard, sole proprietor, toll-free)",
          security,
          body: recommendBody,
          response: responses({ 200: recommendationSchema }),
        },
      },
      async (req) => recommendPath(req.body),
    );

    app.post(
      "/v1/tenants/:id/registrations",
      {
        // The document publishes the whole RegistrationDocument; the route enforces only an
        // object with a kind, so the rules can answer every other problem at once as a 422.
        config: {
          swaggerTransform: ({ schema, url }) => ({
            schema: { ...schema, body: Ref("RegistrationDocument") },
            url,
          }),
        },
        schema: {
          tags,
          summary: "Start onboarding: validate, then register with Twilio in the background",
          description:
            "Answers 202 with the registration; follow it with GET, or the registration.updated webhook.",
          security,
          params: tenantParams,
          body: documentBody,
          response: responses({ 202: registrationSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const reg = await createRegistration(services, tenant, req.body);
        return reply.code(202).send(await view(reg.id));
      },
    );

    app.get(
      "/v1/tenants/:id/registrations",
      {
        schema: {
          tags,
          summary: "The tenant's registrations",
          security,
          params: tenantParams,
          response: responses(
            { 200: Type.Object({ data: Type.Optional(Type.Array(registrationSchema)) }) },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const regs = await listRegistrations(services.db, tenant.id);
        const steps = await stepsOf(
          services.db,
          regs.map((r) => r.id),
        );
        const now = services.clock.now();
        return { data: regs.map((r) => registrationView(r, steps.get(r.id) ?? [], now)) };
      },
    );

    app.get(
      "/v1/tenants/:id/registrations/:rid",
      {
        schema: {
          tags,
          summary:
            "A registration: state, steps with Twilio SIDs and statuses, failure reasons with hints, ETA, OTP",
          security,
          params: registrationParams,
          response: responses({ 200: registrationSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await requireRegistration(services.db, tenant.id, req.params.rid);
        return view(req.params.rid);
      },
    );

    app.patch(
      "/v1/tenants/:id/registrations/:rid",
      {
        schema: {
          tags,
          summary: "Edit a failed registration's data (validated again); then resubmit it",
          security,
          params: registrationParams,
          body: patchBody,
          response: responses({ 200: registrationSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await patchRegistration(services, tenant.id, req.params.rid, req.body);
        return view(req.params.rid);
      },
    );

    app.post(
      "/v1/tenants/:id/registrations/:rid/resubmit",
      {
        schema: {
          tags,
          summary: "Resubmit only the failed stage",
          security,
          params: registrationParams,
          response: responses({ 202: registrationSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await resubmitRegistration(services, tenant.id, req.params.rid);
        return reply.code(202).send(await view(req.params.rid));
      },
    );

    app.post(
      "/v1/tenants/:id/registrations/:rid/otp",
      {
        schema: {
          tags,
          summary: "Send the sole proprietor's verification text again (24 h after the last one)",
          security,
          params: registrationParams,
          response: responses({ 202: registrationSchema }, [400, 401, 403, 404, 409, 429]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await requireRegistration(services.db, tenant.id, req.params.rid);
        await retriggerOtp(services, req.params.rid);
        return reply.code(202).send(await view(req.params.rid));
      },
    );

    await app.register(
      twilioWebhooks(services, (twilio) => {
        twilio.post(
          "/twilio/onboarding/:tenantId/:kind",
          {
            config: { auth: "twilio" },
            schema: {
              hide: true,
              params: Type.Object({
                tenantId: Type.String({ maxLength: 64 }),
                kind: Type.Enum(CALLBACK_KINDS, { type: "string" }),
              }),
            },
          },
          async (req, reply) => {
            await receiveOnboardingCallback(services, twilioTenant(req), req.params.kind, req.body);
            return reply.code(204).send();
          },
        );
      }),
    );
  };
}
