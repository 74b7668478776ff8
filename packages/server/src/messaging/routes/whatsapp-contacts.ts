import { actingTenant } from "../../http/auth.js";
import { type Routes, dateTime, nullableDateTime, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Defaulted, Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { e164, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { whatsappAddress, whatsappNumber } from "@subtext/telecom/whatsapp/address";
import { sessionExpiresAt } from "@subtext/telecom/whatsapp/rules";
import {
  type OptInRow,
  type SessionRow,
  listOptIns,
  listSessions,
  recordOptIn,
  revokeOptIn,
} from "../whatsapp/store.js";

const tags = ["whatsapp"];

export const WhatsAppOptInSchema = Type.Object(
  {
    phone_number: Type.String(),
    status: Type.Enum(["opted_in", "opted_out"], { type: "string" }),
    source: Type.Enum(["api", "inbound"], {
      type: "string",
      description: "inbound: the contact wrote first (implicit)",
    }),
    evidence: Type.Optional(Nullable(Type.String())),
    opted_in_at: dateTime,
    revoked_at: Type.Optional(nullableDateTime),
  },
  { $id: "WhatsAppOptIn" },
);

const SessionSchema = Type.Object({
  sender: Type.Optional(Type.String()),
  contact: Type.Optional(Type.String()),
  last_inbound_at: Type.Optional(dateTime),
  open: Type.Optional(Type.Boolean()),
  expires_at: Type.Optional(nullableDateTime),
  closed_by_twilio_at: Type.Optional(nullableDateTime),
});

const optInView = (o: OptInRow) => ({
  phone_number: o.contact,
  status: o.revoked_at ? "opted_out" : "opted_in",
  source: o.source,
  evidence: o.evidence,
  opted_in_at: o.opted_in_at.toISOString(),
  revoked_at: iso(o.revoked_at),
});

const sessionView = (s: SessionRow, now: Date) => {
  const expires = sessionExpiresAt(s, now);
  return {
    sender: whatsappAddress(s.sender),
    contact: whatsappAddress(s.contact),
    last_inbound_at: s.last_inbound_at.toISOString(),
    open: expires !== null,
    expires_at: iso(expires),
    closed_by_twilio_at: iso(s.closed_at),
  };
};

function contactOf(raw: string): string {
  const n = whatsappNumber(raw);
  if (!n) {
    throw new SubtextError("invalid_phone_number", 422, `${raw} is not an E.164 number.`, {
      details: [{ path: "/phone_number", code: "invalid_phone_number" }],
    });
  }
  return n;
}

/** Contacts: their customer-service windows and their opt-ins. */
export function whatsappContactRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/whatsapp/sessions",
      {
        schema: {
          tags,
          security,
          summary:
            "Customer-service windows: whether free-form messages may be sent to a contact, and until when",
          querystring: Defaulted(
            Type.Object(
              { phone_number: Type.Optional(Type.String({ maxLength: 40 })), limit: listQuery.limit },
              { additionalProperties: false },
            ),
          ),
          response: responses(
            { 200: Type.Object({ data: Type.Array(SessionSchema) }) },
            [400, 401, 403, 404, 422],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const contact = req.query.phone_number ? contactOf(req.query.phone_number) : undefined;
        const rows = await listSessions(services.db, tenant.id, { contact, limit: req.query.limit });
        const now = services.clock.now();
        return { data: rows.map((r) => sessionView(r, now)) };
      },
    );

    app.post(
      "/v1/whatsapp/opt-ins",
      {
        schema: {
          tags,
          security,
          summary:
            "Record a contact's opt-in to WhatsApp messages (required before business-initiated messages)",
          description: `${tenantNote} A contact who writes first is opted in implicitly; STOP revokes, START restores.`,
          body: Type.Object(
            {
              phone_number: e164,
              evidence: Type.Optional(
                Type.String({ maxLength: 500, description: "Where and how the contact opted in" }),
              ),
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: Ref("WhatsAppOptIn") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const row = await recordOptIn(services.db, {
          tenantId: tenant.id,
          contact: contactOf(req.body.phone_number),
          source: "api",
          evidence: req.body.evidence ?? null,
          at: services.clock.now(),
        });
        return reply.code(201).send(optInView(row));
      },
    );

    app.get(
      "/v1/whatsapp/opt-ins",
      {
        schema: {
          tags,
          security,
          summary: "List WhatsApp opt-ins (and opt-outs)",
          querystring: Defaulted(Type.Object(listQuery, { additionalProperties: false })),
          response: responses(
            {
              200: pageOf("WhatsAppOptIn"),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { rows, hasMore } = await listOptIns(services.db, tenant.id, req.query);
        return page(rows, hasMore, optInView, (r) => r.contact);
      },
    );

    app.delete(
      "/v1/whatsapp/opt-ins/:phone",
      {
        schema: {
          tags,
          security,
          summary: "Revoke a contact's WhatsApp opt-in",
          params: Type.Object({ phone: e164 }, { additionalProperties: false }),
          response: responses({ 200: Ref("WhatsAppOptIn") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const row = await revokeOptIn(
          services.db,
          tenant.id,
          contactOf(req.params.phone),
          services.clock.now(),
        );
        if (!row) throw notFound("WhatsApp opt-in", req.params.phone);
        return optInView(row);
      },
    );
  };
}
