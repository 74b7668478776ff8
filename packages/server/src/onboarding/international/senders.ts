/**
 * What the send path needs to reach a country outside the US and Canada: the tenant's declared
 * countries, its alphanumeric sender IDs with their state per country, and its numbers with
 * their country. Read in three small queries; messaging caches it per tenant (a change to any
 * of these tables announces `sending-profile` for the tenant). A number that cannot send SMS (a
 * German landline) is no sender.
 */
import type { Queryable } from "../../db/db.js";

export interface InternationalAlpha {
  id: string;
  alphaSenderId: string;
  messagingServiceSid: string | null;
  fallbackNumber: string | null;
  /** Countries where the ID may send now (active), and where its registration is pending or rejected. */
  active: string[];
  pending: string[];
}

export interface InternationalNumber {
  phoneNumber: string;
  country: string;
  type: "local" | "mobile" | "toll_free";
  messagingServiceSid: string | null;
}

export interface InternationalSenders {
  tenantId: string;
  declared: string[];
  alpha: InternationalAlpha[];
  numbers: InternationalNumber[];
}

export async function internationalSenders(q: Queryable, tenantId: string): Promise<InternationalSenders> {
  const declared = await q.maybeOne<{ countries: string[] }>(
    "SELECT countries FROM tenant_countries WHERE tenant_id = $1",
    [tenantId],
  );
  const { rows: alphas } = await q.query<{
    id: string;
    alpha_sender_id: string;
    messaging_service_sid: string | null;
    fallback_number: string | null;
  }>(
    `SELECT id, alpha_sender_id, messaging_service_sid, fallback_number FROM alpha_senders
     WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id`,
    [tenantId],
  );
  const { rows: countries } = await q.query<{ alpha_sender_id: string; country: string; status: string }>(
    "SELECT alpha_sender_id, country, status FROM alpha_sender_countries WHERE tenant_id = $1 ORDER BY country",
    [tenantId],
  );
  const { rows: numbers } = await q.query<{
    phone_number: string;
    country: string;
    type: InternationalNumber["type"];
    messaging_service_sid: string | null;
  }>(
    `SELECT phone_number, country, type, messaging_service_sid FROM numbers
     WHERE tenant_id = $1 AND state = 'active' AND phone_number IS NOT NULL
       AND COALESCE((capabilities->>'sms')::boolean, true) ORDER BY created_at, id`,
    [tenantId],
  );
  return {
    tenantId,
    declared: declared?.countries ?? [],
    alpha: alphas.map((a) => {
      const mine = countries.filter((c) => c.alpha_sender_id === a.id);
      return {
        id: a.id,
        alphaSenderId: a.alpha_sender_id,
        messagingServiceSid: a.messaging_service_sid,
        fallbackNumber: a.fallback_number,
        active: mine.filter((c) => c.status === "active").map((c) => c.country),
        pending: mine.filter((c) => c.status !== "active").map((c) => c.country),
      };
    }),
    numbers: numbers.map((n) => ({
      phoneNumber: n.phone_number,
      country: n.country.toUpperCase(),
      type: n.type,
      messagingServiceSid: n.messaging_service_sid,
    })),
  };
}
