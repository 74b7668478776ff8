/**
 * Regulatory bundles over HTTP (docs/international.md, "Regulatory bundles"): a country's
 * requirements as Twilio's Regulation resource states them, and the tenant's bundles (submit,
 * read, edit after a rejection, resubmit). Handlers parse, call one use case and map it.
 */
import { actingTenant, tenantInScope } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { Dictionary, Nullable, type TSchema, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  BUNDLE_STATES,
  bundleView,
  createBundle,
  listBundles,
  patchBundle,
  requireBundle,
  resubmitBundle,
} from "../bundles/bundles.js";
import { readRequirements } from "../bundles/regulations.js";

const security = [{ bearer: [] }];
const tags = ["bundles"];
const pathId = Type.String({ minLength: 1, maxLength: 64 });
const tenantParams = Type.Object({ id: pathId }, { additionalProperties: false });
const bundleParams = Type.Object({ id: pathId, bid: pathId }, { additionalProperties: false });
const listOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), has_more: Type.Boolean(), next_cursor: Nullable(Type.String()) });

const country = Type.String({ pattern: "^[A-Za-z]{2}$", description: "ISO country", examples: ["DE"] });
const numberType = Type.Enum(["local", "mobile", "toll_free"], { type: "string" });
const endUserType = Type.Enum(["business", "individual"], { type: "string" });
const text = Type.String({ minLength: 1, maxLength: 500 });
const attributeValue = Type.Union([
  Type.String({ maxLength: 500 }),
  Type.Array(Type.String({ maxLength: 500 }), { maxItems: 10 }),
]);

const fieldSchema = Type.Object({
  name: Type.String(),
  label: Type.String(),
  description: Nullable(Type.String()),
});
const requirementsSchema = Type.Object({
  country: Type.String(),
  number_type: numberType,
  end_user_type: endUserType,
  bundle_required: Type.Boolean({ description: "False: these numbers need no regulatory bundle" }),
  regulation_sid: Nullable(Type.String({ description: "Twilio's Regulation (RN…)" })),
  regulation_name: Nullable(Type.String()),
  end_user: Nullable(
    Type.Object({ type: Type.String(), name: Type.String(), fields: Type.Array(fieldSchema) }),
  ),
  documents: Type.Array(
    Type.Object(
      {
        requirement: Type.String(),
        name: Type.String(),
        description: Nullable(Type.String()),
        accepted: Type.Array(
          Type.Object({ type: Type.String(), name: Type.String(), fields: Type.Array(fieldSchema) }),
        ),
      },
      { description: "A group met by one document of an accepted type" },
    ),
  ),
  address: Type.Object({
    required: Type.Boolean(),
    where: Type.Enum(["none", "any", "country", "locality"], {
      type: "string",
      description: "`locality`: in the city of the numbers to buy",
    }),
  }),
  review_time: Type.Object({ min_days: Type.Integer(), max_days: Type.Integer() }),
});

const addressSchema = Type.Object(
  {
    customer_name: text,
    street: text,
    street_secondary: Type.Optional(text),
    city: text,
    region: text,
    postal_code: Type.String({ minLength: 1, maxLength: 20 }),
    iso_country: country,
  },
  { additionalProperties: false },
);
const documentSchema = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "A supporting document type the regulation accepts",
      examples: ["commercial_registrar_excerpt"],
    }),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "A label shown to the reviewer" }),
    ),
    attributes: Dictionary(attributeValue, { maxProperties: 20 }),
  },
  { additionalProperties: false },
);
const endUser = Dictionary(attributeValue, {
  maxProperties: 20,
  description: "The end user's fields, as the regulation names them",
});
const documents = Type.Array(documentSchema, { minItems: 1, maxItems: 10 });
const email = Type.String({
  format: "email",
  maxLength: 254,
  description: "Where Twilio writes about the review",
});

const createBody = Type.Object(
  {
    country,
    number_type: numberType,
    end_user_type: endUserType,
    email,
    end_user: endUser,
    documents,
    address: Type.Optional(addressSchema),
  },
  { additionalProperties: false },
);
const patchBody = Type.Object(
  {
    email: Type.Optional(email),
    end_user: Type.Optional(endUser),
    documents: Type.Optional(documents),
    address: Type.Optional(Nullable(addressSchema)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const bundleSchema = Type.Object({
  id: Type.String({ examples: ["bnd_01JC0000000000000000000000"] }),
  country: Type.String(),
  number_type: numberType,
  end_user_type: endUserType,
  state: Type.Enum([...BUNDLE_STATES], {
    type: "string",
    description: "submitted → in_review → approved | rejected (edit, then resubmit)",
  }),
  regulation_sid: Type.String(),
  bundle_sid: Nullable(Type.String({ description: "Twilio's Bundle (BU…)" })),
  twilio_status: Nullable(Type.String()),
  address_sid: Nullable(Type.String()),
  end_user_sid: Nullable(Type.String()),
  document_sids: Type.Array(Type.String()),
  submission: Type.Integer({ description: "1, then one more per edit after a rejection" }),
  failure: Nullable(
    Type.Object({
      reasons: Type.Array(
        Type.Object({
          code: Type.String(),
          message: Type.String(),
          document: Nullable(Type.Integer({ description: "The index of the rejected document" })),
          requirement: Nullable(Type.String()),
          twilio_code: Nullable(Type.Integer()),
        }),
      ),
    }),
  ),
  created_at: Type.String({ format: "date-time" }),
  updated_at: Type.String({ format: "date-time" }),
  submitted_at: Nullable(Type.String({ format: "date-time" })),
  completed_at: Nullable(Type.String({ format: "date-time" })),
});

export function bundleRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/regulations",
      {
        schema: {
          tags,
          summary:
            "What a regulatory bundle needs for numbers of a country and type, from Twilio's regulations",
          security,
          querystring: Type.Object(
            { country, number_type: numberType, end_user_type: endUserType },
            { additionalProperties: false },
          ),
          response: responses({ 200: requirementsSchema }, [400, 401, 403, 422, 502, 503]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return readRequirements(services, tenant, { ...req.query, country: req.query.country.toUpperCase() });
      },
    );

    app.post(
      "/v1/tenants/:id/bundles",
      {
        schema: {
          tags,
          summary: "Submit a regulatory bundle (validated against Twilio's regulation first)",
          description:
            "Answers 202 with the bundle; follow it with GET or the bundle.updated webhook. Twilio reviews in 1–3 business days.",
          security,
          params: tenantParams,
          body: createBody,
          response: responses({ 202: bundleSchema }, [400, 401, 403, 404, 409, 422, 502, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await createBundle(services, tenant, req.body);
        return reply.code(202).send(bundleView(row));
      },
    );

    app.get(
      "/v1/tenants/:id/bundles",
      {
        schema: {
          tags,
          summary: "The tenant's regulatory bundles, oldest first",
          security,
          params: tenantParams,
          response: responses({ 200: listOf(bundleSchema) }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const rows = await listBundles(services.db, tenant.id);
        return { data: rows.map(bundleView), has_more: false, next_cursor: null };
      },
    );

    app.get(
      "/v1/tenants/:id/bundles/:bid",
      {
        schema: {
          tags,
          summary: "A regulatory bundle: state, Twilio SIDs, rejection reasons",
          security,
          params: bundleParams,
          response: responses({ 200: bundleSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return bundleView(await requireBundle(services.db, tenant.id, req.params.bid));
      },
    );

    app.patch(
      "/v1/tenants/:id/bundles/:bid",
      {
        schema: {
          tags,
          summary:
            "Replace a rejected bundle's end user, documents or address (validated again); then resubmit",
          security,
          params: bundleParams,
          body: patchBody,
          response: responses({ 200: bundleSchema }, [400, 401, 403, 404, 409, 422, 502, 503]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return bundleView(await patchBundle(services, tenant, req.params.bid, req.body));
      },
    );

    app.post(
      "/v1/tenants/:id/bundles/:bid/resubmit",
      {
        schema: {
          tags,
          summary: "Submit a rejected bundle again: its items are replaced at Twilio and reviewed again",
          security,
          params: bundleParams,
          response: responses({ 202: bundleSchema }, [400, 401, 403, 404, 409]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return reply.code(202).send(bundleView(await resubmitBundle(services, tenant, req.params.bid)));
      },
    );
  };
}
