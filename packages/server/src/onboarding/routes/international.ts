/**
 * Sending abroad over HTTP (docs/international.md): the tenant's alphanumeric sender IDs and the
 * countries it declares (its messaging geo permissions). Handlers parse, call one use case and map it.
 */
import { actingTenant, isOperator, tenantInScope } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Nullable, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  ALPHA_SENDER_PATTERN,
  alphaSenderView,
  createAlphaSender,
  deleteAlphaSender,
  listAlphaSenders,
  recordRegistration,
  requireAlphaSender,
} from "../international/alpha-senders.js";
import { HOME_COUNTRIES, declaredCountries, setCountries } from "../international/countries.js";

const security = [{ bearer: [] }];
const tags = ["international"];
const country = Type.String({
  pattern: "^[A-Za-z]{2}$",
  description: "ISO 3166-1 alpha-2",
  examples: ["GB"],
});

const alphaSenderSchema = Type.Object({
  id: Type.String({ examples: ["alpha_01JC0000000000000000000000"] }),
  alpha_sender_id: Type.String({ examples: ["Sleepwell"] }),
  messaging_service_id: Nullable(
    Type.String({ description: "The Messaging Service of the tenant's subaccount that holds this ID" }),
  ),
  countries: Type.Array(
    Type.Object({
      country: Type.String(),
      status: Type.Enum(["active", "registration_pending", "registration_rejected"], {
        type: "string",
        description:
          "`active`: sends now (the country takes IDs unregistered, or the registration was approved); `registration_pending`: the country requires registration and the carriers have not approved it",
      }),
      registration: Nullable(Type.String({ description: "What registration the country requires" })),
      reason: Nullable(Type.String({ description: "Why a registration was rejected" })),
    }),
  ),
  one_way: Type.Boolean({ description: "Always true: nobody can reply to an alphanumeric sender ID" }),
  fallback_number: Nullable(
    Type.String({ description: "The tenant's number that takes replies and STOP for this ID" }),
  ),
  replies: Type.String({ description: "How replies and opt-outs reach the tenant" }),
  created_at: Type.String({ format: "date-time" }),
  deleted_at: Nullable(Type.String({ format: "date-time" })),
});

const idParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

const countriesSchema = Type.Object({
  countries: Type.Array(Type.String(), { description: "The countries the tenant declared" }),
  permitted: Type.Array(Type.String(), {
    description: "Where it may send: the declared countries and the US and Canada",
  }),
  synced: Type.Boolean({ description: "The subaccount's geo permissions were set to match" }),
  updated_at: Nullable(Type.String({ format: "date-time" })),
  geo_permissions: Type.Optional(
    Type.Array(
      Type.Object({
        country: Type.String(),
        enabled: Type.Boolean(),
        error_code: Nullable(
          Type.Integer({ description: "Twilio's refusal (30649: a high-risk country, set in the Console)" }),
        ),
      }),
      { description: "What Twilio answered for each country it was asked to change" },
    ),
  ),
});

const countriesView = (c: { countries: string[]; synced: boolean; updated_at: Date | null }) => ({
  countries: c.countries,
  permitted: [...new Set([...HOME_COUNTRIES, ...c.countries])],
  synced: c.synced,
  updated_at: c.updated_at?.toISOString() ?? null,
});

export function internationalRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/alpha-senders",
      {
        schema: {
          tags,
          summary: "Set up an alphanumeric sender ID for some countries",
          description:
            "Per country: active at once where the country takes IDs without registration, `registration_pending` where it requires one, refused (422 `alpha_sender_not_supported`) where it takes none. The ID is one-way: replies and STOP go to `fallback_number`, which marketing messages must name.",
          security,
          body: Type.Object(
            {
              alpha_sender_id: Type.String({
                pattern: ALPHA_SENDER_PATTERN,
                description: "1 to 11 of A-Z a-z 0-9 space + - _ &, not only digits",
                examples: ["Sleepwell"],
              }),
              countries: Type.Array(country, { minItems: 1, maxItems: 50 }),
              fallback_number: Type.Optional(
                Nullable(
                  Type.String({
                    maxLength: 20,
                    description: "One of the tenant's numbers: it takes the replies and STOP this ID cannot",
                  }),
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: alphaSenderSchema }, [400, 401, 403, 409, 422, 502, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const created = await createAlphaSender(services, tenant, req.body);
        return reply.code(201).send(alphaSenderView(created));
      },
    );

    app.get(
      "/v1/alpha-senders",
      {
        schema: {
          tags,
          summary: "The tenant's alphanumeric sender IDs, with their state per country",
          security,
          response: responses(
            { 200: Type.Object({ data: Type.Array(alphaSenderSchema), has_more: Type.Boolean() }) },
            [401, 403],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const data = (await listAlphaSenders(services.db, tenant.id)).map(alphaSenderView);
        return { data, has_more: false };
      },
    );

    app.get(
      "/v1/alpha-senders/:id",
      {
        schema: {
          tags,
          summary: "An alphanumeric sender ID",
          security,
          params: idParams,
          response: responses({ 200: alphaSenderSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return alphaSenderView(await requireAlphaSender(services.db, tenant.id, req.params.id));
      },
    );

    app.delete(
      "/v1/alpha-senders/:id",
      {
        schema: {
          tags,
          summary:
            "Remove an alphanumeric sender ID (its Messaging Service is deleted; its queued messages are held)",
          security,
          params: idParams,
          response: responses({ 200: alphaSenderSchema }, [400, 401, 403, 404, 502, 503]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return alphaSenderView(await deleteAlphaSender(services, tenant, req.params.id));
      },
    );

    app.post(
      "/v1/alpha-senders/:id/registrations",
      {
        schema: {
          tags,
          summary: "Record the carriers' answer to a sender ID registration (operator only)",
          description:
            "Twilio reviews sender ID registrations through a form and tells the account owner; the operator records the answer here. `approved` makes the country active.",
          security,
          params: idParams,
          body: Type.Object(
            {
              country,
              status: Type.Enum(["approved", "rejected"], { type: "string" }),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: alphaSenderSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        if (!isOperator(req)) {
          throw new SubtextError(
            "admin_required",
            403,
            "Only the operator records a registration's outcome.",
            {
              hint: "The operator receives Twilio's answer; ask them to record it.",
            },
          );
        }
        return alphaSenderView(await recordRegistration(services, tenant, req.params.id, req.body));
      },
    );

    app.get(
      "/v1/tenants/:id/countries",
      {
        schema: {
          tags,
          summary: "The countries the tenant sends to (its messaging geo permissions)",
          security,
          params: idParams,
          response: responses({ 200: countriesSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return countriesView(await declaredCountries(services.db, tenant.id));
      },
    );

    app.put(
      "/v1/tenants/:id/countries",
      {
        schema: {
          tags,
          summary:
            "Declare the countries the tenant sends to; sets the subaccount's geo permissions to match",
          description:
            "Twilio's messaging geo permissions of the tenant's subaccount become exactly these countries plus the US and Canada; a send elsewhere is refused with 403 `country_not_permitted`.",
          security,
          params: idParams,
          body: Type.Object(
            { countries: Type.Array(country, { maxItems: 250 }) },
            { additionalProperties: false },
          ),
          response: responses({ 200: countriesSchema }, [400, 401, 403, 404, 409, 422, 502, 503]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const set = await setCountries(services, tenant, req.body.countries);
        return { ...countriesView(set), geo_permissions: set.geo_permissions };
      },
    );
  };
}
