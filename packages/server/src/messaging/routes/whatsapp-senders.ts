import { actingTenant } from "../../http/auth.js";
import { type Routes, dateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { byId, e164, security, tenantNote } from "../../http/pages.js";
import { whatsappAddress } from "@subtext/telecom/whatsapp/address";
import { registerSender } from "../whatsapp/senders.js";
import { type SenderRow, findSender, listSenders } from "../whatsapp/store.js";

const tags = ["whatsapp"];

export const WhatsAppSenderSchema = Type.Object(
  {
    id: Type.String({ examples: ["was_01JC0000000000000000000000"] }),
    phone_number: Type.String(),
    address: Type.String({ examples: ["whatsapp:+14155550123"] }),
    phone_number_sid: Type.Optional(Type.String()),
    created_at: dateTime,
  },
  { $id: "WhatsAppSender" },
);

const senderView = (s: SenderRow) => ({
  id: s.id,
  phone_number: s.phone_number,
  address: whatsappAddress(s.phone_number),
  phone_number_sid: s.phone_number_sid,
  created_at: s.created_at.toISOString(),
});

export function whatsappRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/whatsapp/senders",
      {
        schema: {
          tags,
          security,
          summary: "Register one of the tenant's numbers as a WhatsApp sender",
          description: `${tenantNote} Its incoming messages are routed to the inbound webhook like SMS.`,
          body: Type.Object({ phone_number: e164 }, { additionalProperties: false }),
          response: responses({ 201: Ref("WhatsAppSender") }, [400, 401, 403, 404, 409, 422, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        return reply.code(201).send(senderView(await registerSender(services, tenant, req.body)));
      },
    );

    app.get(
      "/v1/whatsapp/senders",
      {
        schema: {
          tags,
          security,
          summary: "List the tenant's WhatsApp senders",
          response: responses(
            {
              200: Type.Object({ data: Type.Array(Ref("WhatsAppSender")) }),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => ({
        data: (await listSenders(services.db, (await actingTenant(req, services)).id)).map(senderView),
      }),
    );

    app.get(
      "/v1/whatsapp/senders/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a WhatsApp sender",
          params: byId("was_"),
          response: responses({ 200: Ref("WhatsAppSender") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const sender = await findSender(services.db, (await actingTenant(req, services)).id, req.params.id);
        if (!sender) throw notFound("WhatsApp sender", req.params.id);
        return senderView(sender);
      },
    );
  };
}
