import { actingTenant } from "../../http/auth.js";
import { type Routes, dateTime, nullableDateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Defaulted, Dictionary, Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { byId, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { type TemplateRow, findTemplate, listTemplates } from "../whatsapp/template-store.js";
import { TemplateInput, createTemplate, submitTemplate } from "../whatsapp/templates.js";

const tags = ["whatsapp"];

export const WhatsAppTemplateSchema = Type.Object(
  {
    id: Type.String({ examples: ["wat_01JC0000000000000000000000"] }),
    content_sid: Type.String({ examples: ["HX0123456789abcdef0123456789abcdef"] }),
    name: Type.String(),
    language: Type.String(),
    category: TemplateInput.properties.category,
    types: Type.Optional(OpenObject()),
    variables: Type.Optional(Dictionary(Type.String())),
    approval_status: Type.String({
      description:
        "unsubmitted, received, pending, approved, rejected, paused or disabled (WhatsApp's review)",
    }),
    rejection_reason: Type.Optional(Nullable(Type.String())),
    submitted_at: Type.Optional(nullableDateTime),
    created_at: Type.Optional(dateTime),
    updated_at: Type.Optional(dateTime),
  },
  { $id: "WhatsAppTemplate" },
);

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
export function whatsappTemplateRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/whatsapp/templates",
      {
        schema: {
          tags,
          security,
          summary: "Create a Content template and submit it for WhatsApp approval",
          description: `${tenantNote} The review is followed in the background: GET the template to see approval_status.`,
          body: TemplateInput,
          response: responses({ 201: Ref("WhatsAppTemplate") }, [400, 401, 403, 404, 409, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        return reply.code(201).send(templateView(await createTemplate(services, tenant, req.body)));
      },
    );

    app.get(
      "/v1/whatsapp/templates",
      {
        schema: {
          tags,
          security,
          summary: "List the tenant's WhatsApp templates with their approval status",
          querystring: Defaulted(
            Type.Object(
              { status: Type.Optional(Type.String({ maxLength: 32 })), ...listQuery },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 200: pageOf("WhatsAppTemplate") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listTemplates(services.db, tenant.id, req.query);
        return page(rows, hasMore, templateView);
      },
    );

    app.get(
      "/v1/whatsapp/templates/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a WhatsApp template",
          params: byId("wat_"),
          response: responses({ 200: Ref("WhatsAppTemplate") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const row = await findTemplate(services.db, (await actingTenant(req, services)).id, req.params.id);
        if (!row) throw notFound("WhatsApp template", req.params.id);
        return templateView(row);
      },
    );

    app.post(
      "/v1/whatsapp/templates/:id/submit",
      {
        schema: {
          tags,
          security,
          summary: "Submit (or resubmit after a rejection) a template for WhatsApp approval",
          params: byId("wat_"),
          response: responses({ 200: Ref("WhatsAppTemplate") }, [400, 401, 403, 404, 409, 503]),
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
