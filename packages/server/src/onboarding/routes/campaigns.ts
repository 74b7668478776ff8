/**
 * A registration's campaigns and brand vettings over HTTP (docs/onboarding.md, "Several
 * campaigns" and "Leaving low-volume standard"). Handlers parse, call one use case and map it.
 */
import { tenantInScope } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { Nullable, OpenObject, Ref, type TSchema, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  addCampaign,
  deleteAddedCampaign,
  listCampaignViews,
  loadCampaignView,
  requireCampaign,
} from "../campaigns.js";
import { requireRegistration } from "../intake.js";
import { REGISTRATION_STATES } from "../states.js";
import { VETTING_PROVIDERS, listVettings, requestVetting, vettingView } from "../vettings.js";

const pathId = Type.String({ minLength: 1, maxLength: 64 });
const registrationParams = Type.Object({ id: pathId, rid: pathId }, { additionalProperties: false });
const campaignParams = Type.Object({ id: pathId, rid: pathId, cid: pathId }, { additionalProperties: false });
const security = [{ bearer: [] }];
const tags = ["registrations"];
const nullableString = () => Nullable(Type.String());
/** The list envelope (http/pages.ts); a brand's campaigns and vettings fit in one page. */
const listOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), has_more: Type.Boolean(), next_cursor: Nullable(Type.String()) });

const stepSchema = Type.Object({
  name: Type.String(),
  stage: Type.String(),
  status: Type.String(),
  sid: nullableString(),
  twilio_status: nullableString(),
  attempts: Type.Integer(),
  started_at: nullableString(),
  completed_at: nullableString(),
  wait_until: nullableString(),
  error: Nullable(OpenObject()),
});

export const campaignSchema = Type.Object({
  id: Type.String({
    description: "`cmp_…` for a campaign added to the brand; the registration's id for its first campaign",
    examples: ["cmp_01JC0000000000000000000000"],
  }),
  registration_id: Type.String(),
  first: Type.Boolean({ description: "The registration's own campaign (it cannot be deleted)" }),
  use_case: nullableString(),
  state: Type.Enum([...REGISTRATION_STATES, "deleting", "deleted"], {
    type: "string",
    description: "The campaign's flow, as a registration's; deleting/deleted once DELETE was asked",
  }),
  current_step: nullableString(),
  campaign: Nullable(OpenObject({ description: "The campaign as submitted (a Campaign)" })),
  messaging_service_sid: nullableString(),
  campaign_id: nullableString(),
  campaign_status: nullableString(),
  numbers: Type.Array(
    Type.Object({
      phone_number: Type.String(),
      phone_number_sid: nullableString(),
      attached: Type.Boolean(),
    }),
  ),
  lane: Nullable(
    Type.Object(
      {
        key: Type.String(),
        rate_kind: Type.String(),
        trust_score: Nullable(Type.Integer()),
        mps: Type.Number(),
        daily_cap: Nullable(Type.Integer()),
        tmobile_daily_cap: Nullable(Type.Integer()),
      },
      {
        description:
          "The campaign's lane (GET /v1/lanes shows it with its usage and history): the throughput table's limits for the brand",
      },
    ),
  ),
  steps: Type.Array(stepSchema),
  failure: Nullable(OpenObject()),
  eta: Nullable(OpenObject()),
  created_at: Type.String({ format: "date-time" }),
  approved_at: nullableString(),
  deleted_at: nullableString(),
});

export const vettingSchema = Type.Object({
  id: Type.String({ examples: ["vet_01JC0000000000000000000000"] }),
  registration_id: Type.String(),
  provider: Type.Enum(VETTING_PROVIDERS, { type: "string" }),
  state: Type.Enum(["in_progress", "succeeded", "failed"], { type: "string" }),
  vetting_token_hint: nullableString(),
  vetting_sid: nullableString(),
  vetting_status: nullableString(),
  vetting_class: nullableString(),
  trust_score_before: Nullable(Type.Integer()),
  trust_score: Nullable(Type.Integer()),
  kind_before: Type.String(),
  kind_after: nullableString(),
  failure: Nullable(OpenObject()),
  created_at: Type.String({ format: "date-time" }),
  completed_at: nullableString(),
});

const vettingBody = Type.Object(
  {
    provider: Type.Enum(VETTING_PROVIDERS, {
      type: "string",
      description:
        "`aegis`: secondary vetting (a trust score; a low-volume standard brand becomes standard). `campaign-verify`: import a Campaign Verify token (political campaigns)",
    }),
    vetting_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: "The Campaign Verify token (campaign-verify only)",
        examples: ["cv|1.0|tcr|10dlc|9975c339-d46f-49b7-a399-EXAMPLE"],
      }),
    ),
  },
  { additionalProperties: false },
);

export function campaignRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/tenants/:id/registrations/:rid/campaigns",
      {
        // The document shows a Campaign; the route takes any object so that the rules answer
        // every problem at once as a 422 (as for a registration).
        config: {
          swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: Ref("Campaign") }, url }),
        },
        schema: {
          tags,
          summary:
            "Add a campaign for another use case to an approved 10DLC brand (its own service and number)",
          description:
            "Validated by the same rules as a registration's campaign; answers 202 and registers it in the background.",
          security,
          params: registrationParams,
          body: OpenObject({ description: "A Campaign" }),
          response: responses({ 202: campaignSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await addCampaign(services, tenant, req.params.rid, req.body);
        return reply.code(202).send(await loadCampaignView(services.db, row));
      },
    );

    app.get(
      "/v1/tenants/:id/registrations/:rid/campaigns",
      {
        schema: {
          tags,
          summary: "The brand's campaigns: the registration's first one, then the added ones",
          security,
          params: registrationParams,
          response: responses({ 200: listOf(campaignSchema) }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const reg = await requireRegistration(services.db, tenant.id, req.params.rid);
        const data = reg.channel === "10dlc" ? await listCampaignViews(services.db, reg) : [];
        return { data, has_more: false, next_cursor: null };
      },
    );

    app.get(
      "/v1/tenants/:id/registrations/:rid/campaigns/:cid",
      {
        schema: {
          tags,
          summary: "A campaign: state, steps, service, numbers and lane",
          security,
          params: campaignParams,
          response: responses({ 200: campaignSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await requireCampaign(services.db, tenant.id, req.params.rid, req.params.cid);
        return loadCampaignView(services.db, row);
      },
    );

    app.delete(
      "/v1/tenants/:id/registrations/:rid/campaigns/:cid",
      {
        schema: {
          tags,
          summary: "Delete an added campaign: its Usa2p is removed, sends naming it are refused",
          description:
            "Messages still queued on its lane are canceled (`message.canceled`, reason campaign_deleted). Its Messaging Service and number stay in the subaccount.",
          security,
          params: campaignParams,
          response: responses({ 202: campaignSchema }, [400, 401, 403, 404, 409]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await deleteAddedCampaign(services, tenant.id, req.params.rid, req.params.cid);
        return reply.code(202).send(await loadCampaignView(services.db, row));
      },
    );

    app.post(
      "/v1/tenants/:id/registrations/:rid/vettings",
      {
        schema: {
          tags,
          summary:
            "Ask for a brand vetting: secondary vetting (aegis, leaves low-volume standard) or a Campaign Verify token",
          description:
            "Answers 202 with the vetting; registration.updated reports its outcome (the new trust score and kind).",
          security,
          params: registrationParams,
          body: vettingBody,
          response: responses({ 202: vettingSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const v = await requestVetting(services, tenant, req.params.rid, req.body);
        return reply.code(202).send(vettingView(v));
      },
    );

    app.get(
      "/v1/tenants/:id/registrations/:rid/vettings",
      {
        schema: {
          tags,
          summary: "The brand's vettings, newest first",
          security,
          params: registrationParams,
          response: responses({ 200: listOf(vettingSchema) }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const reg = await requireRegistration(services.db, tenant.id, req.params.rid);
        const data = (await listVettings(services.db, reg.id)).map(vettingView);
        return { data, has_more: false, next_cursor: null };
      },
    );
  };
}
