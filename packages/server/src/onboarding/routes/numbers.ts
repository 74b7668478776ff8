/**
 * The tenant's numbers and Messaging Services over HTTP (docs/onboarding.md, "Numbers").
 * Handlers parse, call one use case and map it.
 */
import { actingTenant } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Nullable, type Static, type TSchema, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  buyNumber,
  moveNumber,
  numberView,
  releaseNumber,
  requireNumber,
  searchNumbers,
  tenantServices,
} from "../numbers/numbers.js";
import { listNumbers } from "../numbers/store.js";
import { fetchPoolSettings, updatePoolSettings } from "../numbers/twilio.js";
import { tenantTwilio } from "../../tenancy/credentials.js";

const security = [{ bearer: [] }];
const tags = ["numbers"];
const listOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), has_more: Type.Boolean(), next_cursor: Nullable(Type.String()) });

const numberType = Type.Enum(["local", "mobile", "toll_free"], { type: "string" });
const capabilities = Type.Object({ sms: Type.Boolean(), mms: Type.Boolean(), voice: Type.Boolean() });
const serviceSid = Type.String({ pattern: "^MG[0-9a-fA-F]{32}$" });
const wanted = {
  sms: Type.Optional(Type.Boolean({ description: "Only numbers that can send and receive SMS" })),
  mms: Type.Optional(Type.Boolean({ description: "Only numbers that can send MMS" })),
  voice: Type.Optional(Type.Boolean({ description: "Only numbers that can take calls" })),
};
const search = {
  country: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$", description: "ISO country (default US)" })),
  type: Type.Optional(numberType),
  area_code: Type.Optional(Type.String({ pattern: "^[0-9]{3}$", examples: ["415"] })),
  region: Type.Optional(
    Type.String({ minLength: 2, maxLength: 32, description: "State or province (`CA`)", examples: ["CA"] }),
  ),
  contains: Type.Optional(
    Type.String({ pattern: "^[0-9A-Za-z*]{2,16}$", description: "A pattern: digits, letters and `*`" }),
  ),
};

export const numberSchema = Type.Object({
  id: Type.String({ examples: ["num_01JC0000000000000000000000"] }),
  phone_number: Nullable(Type.String({ description: "Null until a purchase that searched has bought one" })),
  phone_number_sid: Nullable(Type.String()),
  country: Type.String(),
  type: numberType,
  capabilities: Nullable(capabilities),
  state: Type.Enum(["buying", "active", "released", "failed"], {
    type: "string",
    description: "`buying` while a retryable failure left the purchase to a job",
  }),
  messaging_service_id: Nullable(Type.String({ description: "The sender pool it is in (none: voice only)" })),
  registration_id: Nullable(
    Type.String({ description: "The campaign it sends for, or the toll-free registration that verifies it" }),
  ),
  toll_free_verification: Nullable(
    Type.Object(
      { sid: Nullable(Type.String()), status: Nullable(Type.String()) },
      { description: "A toll-free number's own verification (throughput is granted per number)" },
    ),
  ),
  failure: Nullable(
    Type.Object({ code: Type.String(), message: Type.String(), twilio_code: Nullable(Type.Integer()) }),
  ),
  created_at: Type.String({ format: "date-time" }),
  released_at: Nullable(Type.String({ format: "date-time" })),
});

const availableSchema = Type.Object({
  phone_number: Type.String(),
  locality: Nullable(Type.String()),
  region: Nullable(Type.String()),
  postal_code: Nullable(Type.String()),
  capabilities,
});

const buyBody = Type.Object(
  {
    phone_number: Type.Optional(
      Type.String({ description: "Buy exactly this number (from GET /v1/numbers/available)" }),
    ),
    ...search,
    capabilities: Type.Optional(Type.Object(wanted, { additionalProperties: false })),
    messaging_service_id: Type.Optional(Nullable(serviceSid)),
    use_case: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description: "Attach to this campaign's Messaging Service",
      }),
    ),
  },
  { additionalProperties: false },
);

const idParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const force = Type.Optional(
  Type.Boolean({ default: false, description: "Take away a live campaign's last number anyway" }),
);

const serviceSchema = Type.Object({
  id: Type.String({ description: "The Messaging Service (MG…)" }),
  registration_id: Type.String(),
  channel: Type.Enum(["10dlc", "toll_free"], { type: "string" }),
  use_case: Nullable(Type.String()),
  live: Type.Boolean({ description: "Its campaign is approved and not deleted" }),
  numbers: Type.Array(Type.String(), { description: "The phone numbers in its sender pool" }),
  sticky_sender: Type.Boolean({ description: "A recipient keeps getting messages from the same number" }),
  area_code_geomatch: Type.Boolean({ description: "Prefer a number with the recipient's area code" }),
});

type ServiceView = Static<typeof serviceSchema>;

export function numberRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/numbers/available",
      {
        schema: {
          tags,
          summary: "Numbers for sale that fit a search (area code, region, pattern, capabilities)",
          security,
          querystring: Type.Object(
            {
              ...search,
              ...wanted,
              limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: Type.Object({ data: Type.Array(availableSchema) }) }, [400, 401, 403]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { sms, mms, voice, ...q } = req.query;
        const found = await searchNumbers(services, tenant, { ...q, capabilities: { sms, mms, voice } });
        return {
          data: found.map((n) => ({
            phone_number: n.phoneNumber,
            locality: n.locality,
            region: n.region,
            postal_code: n.postalCode,
            capabilities: n.capabilities,
          })),
        };
      },
    );

    app.get(
      "/v1/numbers",
      {
        schema: {
          tags,
          summary: "The tenant's numbers, oldest first",
          security,
          querystring: Type.Object(
            {
              messaging_service_id: Type.Optional(serviceSid),
              include_released: Type.Boolean({ default: false }),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: listOf(numberSchema) }, [400, 401, 403]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const rows = await listNumbers(services.db, tenant.id, {
          includeReleased: req.query.include_released,
          messagingServiceSid: req.query.messaging_service_id,
        });
        return { data: rows.map(numberView), has_more: false, next_cursor: null };
      },
    );

    app.post(
      "/v1/numbers",
      {
        schema: {
          tags,
          summary: "Buy a number into the tenant's subaccount and attach it to one of its Messaging Services",
          description:
            "Answers 201 once Twilio sold it, 202 while a retryable failure leaves the purchase to a job (state `buying`). A toll-free number is then verified on its own with the toll-free registration's data.",
          security,
          body: buyBody,
          response: responses({ 201: numberSchema, 202: numberSchema }, [400, 401, 403, 409, 422, 502, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const row = await buyNumber(services, tenant, req.body);
        return reply.code(row.state === "active" ? 201 : 202).send(numberView(row));
      },
    );

    app.get(
      "/v1/numbers/:id",
      {
        schema: {
          tags,
          summary: "A number",
          security,
          params: idParams,
          response: responses({ 200: numberSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return numberView(await requireNumber(services.db, tenant.id, req.params.id));
      },
    );

    app.patch(
      "/v1/numbers/:id",
      {
        schema: {
          tags,
          summary: "Move a number to another of the tenant's Messaging Services (null: out of every service)",
          security,
          params: idParams,
          body: Type.Object(
            { messaging_service_id: Nullable(serviceSid), force },
            { additionalProperties: false },
          ),
          response: responses({ 200: numberSchema }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return numberView(await moveNumber(services, tenant, req.params.id, req.body));
      },
    );

    app.delete(
      "/v1/numbers/:id",
      {
        schema: {
          tags,
          summary: "Release a number (refused for a live campaign's last number unless force=true)",
          security,
          params: idParams,
          querystring: Type.Object({ force }, { additionalProperties: false }),
          response: responses({ 200: numberSchema }, [400, 401, 403, 404, 409]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return numberView(await releaseNumber(services, tenant, req.params.id, req.query.force ?? false));
      },
    );

    app.get(
      "/v1/messaging-services",
      {
        schema: {
          tags,
          summary: "The tenant's Messaging Services (sender pools), with their numbers and pool settings",
          security,
          response: responses({ 200: listOf(serviceSchema) }, [401, 403]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const client = await tenantTwilio(services, tenant);
        const numbers = await listNumbers(services.db, tenant.id);
        const data: ServiceView[] = [];
        for (const s of await tenantServices(services.db, tenant.id)) {
          data.push({
            id: s.sid,
            registration_id: s.registrationId,
            channel: s.channel,
            use_case: s.useCase,
            live: s.live,
            numbers: numbers
              .filter((n) => n.state === "active" && n.messaging_service_sid === s.sid && n.phone_number)
              .map((n) => n.phone_number!),
            ...(await fetchPoolSettings(client, s.sid)),
          });
        }
        return { data, has_more: false, next_cursor: null };
      },
    );

    app.patch(
      "/v1/messaging-services/:id",
      {
        schema: {
          tags,
          summary: "Change a sender pool's settings: sticky sender, area-code geomatch",
          security,
          params: Type.Object({ id: serviceSid }, { additionalProperties: false }),
          body: Type.Object(
            {
              sticky_sender: Type.Optional(Type.Boolean()),
              area_code_geomatch: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: responses(
            {
              200: Type.Object({
                id: Type.String(),
                sticky_sender: Type.Boolean(),
                area_code_geomatch: Type.Boolean(),
              }),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const own = (await tenantServices(services.db, tenant.id)).some((s) => s.sid === req.params.id);
        if (!own) {
          throw new SubtextError("not_found", 404, `No Messaging Service ${req.params.id} in this tenant.`, {
            hint: "GET /v1/messaging-services lists the tenant's services.",
          });
        }
        const client = await tenantTwilio(services, tenant);
        return { id: req.params.id, ...(await updatePoolSettings(client, req.params.id, req.body)) };
      },
    );
  };
}
