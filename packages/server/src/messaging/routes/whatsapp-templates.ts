import type { FastifyPluginAsync } from "fastify";
import { actingTenant } from "../../http/auth.js";
import { dateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { byId, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { type TemplateRow, findTemplate, listTemplates } from "../whatsapp/template-store.js";
import { type TemplateInput, createTemplate, submitTemplate } from "../whatsapp/templates.js";

const tags = ["whatsapp"];

export const WhatsAppTemplateSchema = {
  $id: "WhatsAppTemplate",
  type: "object",
  required: ["id", "content_sid", "name", "language", "category", "approval_status"],
  properties: {
    id: { type: "string", examples: ["wat_01JC0000000000000000000000"] },
    content_sid: { type: "string", examples: ["HX0123456789abcdef0123456789abcdef"] },
    name: { type: "string" },
    language: { type: "string" },
    category: { type: "string", enum: ["UTILITY", "MARKETING", "AUTHENTICATION"] },
    types: { type: "object", additionalProperties: true },
    variables: { type: "object", additionalProperties: { type: "string" } },
    approval_status: {
      type: "string",
      description:
        "unsubmitted, received, pending, approved, rejected, paused or disabled (WhatsApp's review)",
    },
    rejection_reason: { type: ["string", "null"] },
    submitted_at: { type: ["string", "null"], format: "date-time" },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

const templateView = (t: TemplateRow) => ({
  id: t.id,
  content_sid: t.content_sid,
  name: t.name,
  language: t.language,
  category: t.category,
  types: t.types,
  variables: t.variables,
  approval_status: t.approval_status,
  rejection_reason: t.rejection_reason,
  submitted_at: iso(t.submitted_at),
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

/** WhatsApp templates: create (Content API) and submit, list, read, resubmit. */
export function whatsappTemplateRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: TemplateInput }>(
      "/v1/whatsapp/templates",
      {
        schema: {
          tags,
          security,
          summary: "Create a Content template and submit it for WhatsApp approval",
          description: `${tenantNote} The review is followed in the background: GET the template to see approval_status.`,
          body: {
            type: "object",
            required: ["name", "language", "category", "body"],
            additionalProperties: false,
            properties: {
              name: {
                type: "string",
                pattern: "^[a-z0-9_]{1,512}$",
                description: "Lower case letters, digits, underscores",
              },
              language: {
                type: "string",
                pattern: "^[a-z]{2,3}(_[A-Z]{2})?$",
                examples: ["en", "en_US", "pt_BR"],
              },
              category: { type: "string", enum: ["UTILITY", "MARKETING", "AUTHENTICATION"] },
              body: { type: "string", minLength: 1, maxLength: 1024 },
              variables: {
                type: "object",
                additionalProperties: { type: "string", minLength: 1, maxLength: 200 },
                maxProperties: 50,
              },
              media_urls: {
                type: "array",
                maxItems: 1,
                items: { type: "string", format: "uri", pattern: "^https?://" },
              },
              submit: { type: "boolean", default: true },
            },
          },
          response: responses({ 201: { $ref: "WhatsAppTemplate#" } }, [400, 401, 403, 404, 409, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        return reply.code(201).send(templateView(await createTemplate(services, tenant, req.body)));
      },
    );

    app.get<{ Querystring: { status?: string; cursor?: string; limit: number } }>(
      "/v1/whatsapp/templates",
      {
        schema: {
          tags,
          security,
          summary: "List the tenant's WhatsApp templates with their approval status",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { status: { type: "string", maxLength: 32 }, ...listQuery },
          },
          response: responses({ 200: pageOf("WhatsAppTemplate") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listTemplates(services.db, tenant.id, req.query);
        return page(rows, hasMore, templateView);
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/whatsapp/templates/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a WhatsApp template",
          params: byId("wat_"),
          response: responses({ 200: { $ref: "WhatsAppTemplate#" } }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const row = await findTemplate(services.db, (await actingTenant(req, services)).id, req.params.id);
        if (!row) throw notFound("WhatsApp template", req.params.id);
        return templateView(row);
      },
    );

    app.post<{ Params: { id: string } }>(
      "/v1/whatsapp/templates/:id/submit",
      {
        schema: {
          tags,
          security,
          summary: "Submit (or resubmit after a rejection) a template for WhatsApp approval",
          params: byId("wat_"),
          response: responses({ 200: { $ref: "WhatsAppTemplate#" } }, [400, 401, 403, 404, 409, 503]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const row = await findTemplate(services.db, tenant.id, req.params.id);
        if (!row) throw notFound("WhatsApp template", req.params.id);
        return templateView(await submitTemplate(services, tenant, row));
      },
    );
  };
}
