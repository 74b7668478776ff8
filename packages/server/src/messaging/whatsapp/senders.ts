import { isUniqueViolation } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { configureNumber, findTenantNumber } from "../../tenancy/numbers.js";
import { publicBase } from "../../twilio/urls.js";
import { whatsappNumber } from "@subtext/telecom/whatsapp/address";
import { type SenderRow, insertSender } from "./store.js";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "urls">;

/**
 * Registers one of the tenant's numbers as its WhatsApp sender. Its incoming messages
 * (WhatsApp as well as SMS) go to the messaging module's inbound webhook, so a WhatsApp
 * message is received, stored and forwarded like an SMS; that handler tells us about it.
 */
export async function registerSender(
  deps: Deps,
  tenant: TenantRow,
  input: { phone_number: string },
): Promise<SenderRow> {
  const phone = whatsappNumber(input.phone_number);
  if (!phone) {
    throw new SubtextError("invalid_phone_number", 422, `${input.phone_number} is not an E.164 number.`, {
      details: [{ path: "/phone_number", code: "invalid_phone_number" }],
    });
  }
  const number = await findTenantNumber(deps, tenant, phone);
  await configureNumber(deps, tenant, number.sid, {
    smsUrl: `${publicBase(deps)}/twilio/messages/inbound/${tenant.id}`,
  });
  try {
    return await insertSender(deps.db, {
      id: newId("was"),
      tenant_id: tenant.id,
      phone_number: number.phoneNumber,
      phone_number_sid: number.sid,
      now: deps.clock.now(),
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new SubtextError(
      "whatsapp_sender_exists",
      409,
      `${number.phoneNumber} is already a WhatsApp sender.`,
      {
        hint: "GET /v1/whatsapp/senders lists the tenant's senders.",
      },
    );
  }
}
