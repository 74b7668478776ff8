/**
 * Alphanumeric sender IDs (docs/international.md, "Alphanumeric senders"): per tenant, with a
 * state per country read from `@subtext/telecom/countries` (`senderOptionsFor`):
 * - `allowed`: active at once;
 * - `registration_required`: `registration_pending` until the operator records the carriers'
 *   answer (Twilio's sender ID registration is a form and a review, not an API);
 * - `not_supported`: refused (422 `alpha_sender_not_supported`), nothing stored.
 *
 * Each ID lives on a Messaging Service of its own in the tenant's subaccount (Twilio allows one
 * AlphaSender per service: https://www.twilio.com/docs/messaging/api/alphasender-resource),
 * named after it, so that a request retried after a crash finds what the first attempt made.
 * IDs are one-way: replies and STOP reach the tenant through its fallback number.
 */
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { twilioCall } from "../../twilio/errors.js";
import type { TwilioClient } from "../../twilio/gateway.js";
import { senderOptionsFor } from "@subtext/telecom/countries";

type Deps = Pick<Services, "db" | "clock" | "vault" | "caches" | "twilio">;

export type AlphaCountryStatus = "active" | "registration_pending" | "registration_rejected";

export interface AlphaSenderRow {
  id: string;
  tenant_id: string;
  alpha_sender_id: string;
  messaging_service_sid: string | null;
  alpha_sender_sid: string | null;
  fallback_number: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface AlphaCountryRow {
  alpha_sender_id: string;
  tenant_id: string;
  country: string;
  status: AlphaCountryStatus;
  registration: string | null;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AlphaSender extends AlphaSenderRow {
  countries: AlphaCountryRow[];
}

/** Twilio's rule: 1–11 of A-Z a-z 0-9 space + - _ &, not only digits. */
export const ALPHA_SENDER_PATTERN = "^(?=.*[A-Za-z+\\-_& ])[A-Za-z0-9 +\\-_&]{1,11}$";
const ALPHA = new RegExp(ALPHA_SENDER_PATTERN);

export const serviceName = (alpha: string) => `Subtext international ${alpha}`;

export async function listAlphaSenders(
  q: Queryable,
  tenantId: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<AlphaSender[]> {
  const { rows } = await q.query<AlphaSenderRow>(
    `SELECT * FROM alpha_senders WHERE tenant_id = $1 AND ($2::boolean OR deleted_at IS NULL) ORDER BY id`,
    [tenantId, opts.includeDeleted ?? false],
  );
  if (rows.length === 0) return [];
  const { rows: countries } = await q.query<AlphaCountryRow>(
    "SELECT * FROM alpha_sender_countries WHERE tenant_id = $1 ORDER BY country",
    [tenantId],
  );
  return rows.map((r) => ({ ...r, countries: countries.filter((c) => c.alpha_sender_id === r.id) }));
}

export async function requireAlphaSender(q: Queryable, tenantId: string, id: string): Promise<AlphaSender> {
  const found = (await listAlphaSenders(q, tenantId)).find((a) => a.id === id);
  if (!found) {
    throw new SubtextError("not_found", 404, `No alphanumeric sender ${id} in this tenant.`, {
      hint: "GET /v1/alpha-senders lists the tenant's alphanumeric senders.",
    });
  }
  return found;
}

const ONE_WAY_NOTE =
  "Alphanumeric sender IDs are one-way: recipients cannot reply to them, so replies and STOP go to the fallback number, which messages must name in their opt-out wording.";

export function alphaSenderView(a: AlphaSender) {
  return {
    id: a.id,
    alpha_sender_id: a.alpha_sender_id,
    messaging_service_id: a.messaging_service_sid,
    countries: a.countries.map((c) => ({
      country: c.country,
      status: c.status,
      registration: c.registration,
      reason: c.reason,
    })),
    one_way: true as const,
    fallback_number: a.fallback_number,
    replies: ONE_WAY_NOTE,
    created_at: a.created_at.toISOString(),
    deleted_at: a.deleted_at?.toISOString() ?? null,
  };
}

interface CreateInput {
  alpha_sender_id: string;
  countries: string[];
  fallback_number?: string | null;
}

/** Which state each country starts in; refuses the whole request when one cannot take IDs. */
function plannedCountries(countries: string[]) {
  const problems: { path: string; code: string; country: string; message: string; source?: string }[] = [];
  const planned: { country: string; status: AlphaCountryStatus; registration: string | null }[] = [];
  const seen = new Set<string>();
  countries.forEach((raw, i) => {
    const options = senderOptionsFor(raw);
    if (!options) {
      problems.push({
        path: `/countries/${i}`,
        code: "country_invalid",
        country: raw,
        message: `"${raw}" is not an ISO 3166-1 alpha-2 country code.`,
      });
      return;
    }
    if (seen.has(options.country)) return;
    seen.add(options.country);
    const { alphanumeric } = options;
    if (alphanumeric.status === "not_supported") {
      problems.push({
        path: `/countries/${i}`,
        code: "alpha_sender_not_supported",
        country: options.country,
        message: `${options.name} does not accept alphanumeric sender IDs.`,
        source: alphanumeric.source,
      });
      return;
    }
    planned.push({
      country: options.country,
      status: alphanumeric.status === "allowed" ? "active" : "registration_pending",
      registration: alphanumeric.registration ?? null,
    });
  });
  if (problems.length > 0) {
    const first = problems[0];
    throw new SubtextError(first.code, 422, first.message, {
      hint:
        first.code === "alpha_sender_not_supported"
          ? "Leave that country out: reach it with a number or a short code of the country (see docs/international.md)."
          : "Use two-letter ISO country codes (GB, DE…).",
      details: problems,
    });
  }
  return planned;
}

async function fallbackNumber(q: Queryable, tenantId: string, number: string | null | undefined) {
  if (!number) return null;
  const row = await q.maybeOne<{ phone_number: string }>(
    "SELECT phone_number FROM numbers WHERE tenant_id = $1 AND phone_number = $2 AND state = 'active'",
    [tenantId, number],
  );
  if (!row) {
    throw new SubtextError("unknown_sender", 422, `${number} is not one of this tenant's numbers.`, {
      hint: "The fallback number takes replies and STOP: name one of the tenant's numbers (GET /v1/numbers).",
      details: [{ path: "/fallback_number", code: "unknown_sender" }],
    });
  }
  return row.phone_number;
}

/** The ID's Messaging Service and AlphaSender at Twilio, found again when an attempt made them. */
async function ensureAtTwilio(client: TwilioClient, alpha: string) {
  const name = serviceName(alpha);
  const services = await twilioCall("list the messaging services", () =>
    client.messaging.v1.services.list({ limit: 1000 }),
  );
  const service =
    services.find((s) => s.friendlyName === name) ??
    (await twilioCall("create the international messaging service", () =>
      client.messaging.v1.services.create({ friendlyName: name }),
    ));
  const existing = await twilioCall("list the alphanumeric senders", () =>
    client.messaging.v1.services(service.sid).alphaSenders.list({ limit: 20 }),
  );
  const sender =
    existing.find((a) => a.alphaSender.toUpperCase() === alpha.toUpperCase()) ??
    (await twilioCall("add the alphanumeric sender", () =>
      client.messaging.v1.services(service.sid).alphaSenders.create({ alphaSender: alpha }),
    ));
  return { serviceSid: service.sid, alphaSenderSid: sender.sid };
}

export async function createAlphaSender(
  deps: Deps,
  tenant: TenantRow,
  input: CreateInput,
): Promise<AlphaSender> {
  const alpha = input.alpha_sender_id.trim();
  if (!ALPHA.test(alpha) || /^[0-9]+$/.test(alpha)) {
    throw new SubtextError(
      "alpha_sender_invalid",
      422,
      `"${input.alpha_sender_id}" is not an alphanumeric sender ID: 1 to 11 of A-Z, a-z, 0-9, space, + - _ &, not only digits.`,
      { details: [{ path: "/alpha_sender_id", code: "alpha_sender_invalid" }] },
    );
  }
  const planned = plannedCountries(input.countries);
  const fallback = await fallbackNumber(deps.db, tenant.id, input.fallback_number);
  const taken = await deps.db.maybeOne<{ id: string }>(
    "SELECT id FROM alpha_senders WHERE tenant_id = $1 AND upper(alpha_sender_id) = upper($2) AND deleted_at IS NULL",
    [tenant.id, alpha],
  );
  if (taken) {
    throw new SubtextError(
      "alpha_sender_exists",
      409,
      `This tenant already has the sender ID "${alpha}" (${taken.id}).`,
      {
        hint: "Delete it first to set it up again with other countries.",
      },
    );
  }
  const client = await tenantTwilio(deps, tenant);
  const twilio = await ensureAtTwilio(client, alpha);
  const now = deps.clock.now();
  const id = newId("alpha");
  await deps.db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO alpha_senders (id, tenant_id, alpha_sender_id, messaging_service_sid, alpha_sender_sid,
         fallback_number, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [id, tenant.id, alpha, twilio.serviceSid, twilio.alphaSenderSid, fallback, now],
    );
    for (const c of planned) {
      await tx.query(
        `INSERT INTO alpha_sender_countries (alpha_sender_id, tenant_id, country, status, registration,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)`,
        [id, tenant.id, c.country, c.status, c.registration, now],
      );
    }
  });
  deps.caches.changed("sending-profile", tenant.id);
  return requireAlphaSender(deps.db, tenant.id, id);
}

/**
 * The carriers' answer to a registration, recorded by the operator (Twilio tells the account
 * owner; there is no API to read it): approved makes the country active, rejected keeps it out.
 */
export async function recordRegistration(
  deps: Pick<Services, "db" | "clock" | "caches">,
  tenant: TenantRow,
  id: string,
  input: { country: string; status: "approved" | "rejected"; reason?: string },
): Promise<AlphaSender> {
  const sender = await requireAlphaSender(deps.db, tenant.id, id);
  const country = input.country.toUpperCase();
  const row = sender.countries.find((c) => c.country === country);
  if (!row || row.registration === null) {
    throw new SubtextError(
      "registration_not_found",
      404,
      `Sender ID ${sender.alpha_sender_id} has no registration for ${country}.`,
      {
        hint: "Only countries that require registration have one (see the sender's countries).",
        details: [{ path: "/country", code: "registration_not_found" }],
      },
    );
  }
  await deps.db.query(
    `UPDATE alpha_sender_countries SET status = $3, reason = $4, updated_at = $5
     WHERE alpha_sender_id = $1 AND country = $2`,
    [
      id,
      country,
      input.status === "approved" ? "active" : "registration_rejected",
      input.reason ?? null,
      deps.clock.now(),
    ],
  );
  deps.caches.changed("sending-profile", tenant.id);
  return requireAlphaSender(deps.db, tenant.id, id);
}

/** Removes the ID from its service at Twilio and deletes the service; its queued sends stop. */
export async function deleteAlphaSender(deps: Deps, tenant: TenantRow, id: string): Promise<AlphaSender> {
  const sender = await requireAlphaSender(deps.db, tenant.id, id);
  if (sender.messaging_service_sid) {
    const client = await tenantTwilio(deps, tenant);
    const mg = sender.messaging_service_sid;
    await twilioCall("delete the international messaging service", async () => {
      try {
        await client.messaging.v1.services(mg).remove();
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
    });
  }
  await deps.db.query("UPDATE alpha_senders SET deleted_at = $2, updated_at = $2 WHERE id = $1", [
    id,
    deps.clock.now(),
  ]);
  deps.caches.changed("sending-profile", tenant.id);
  const [deleted] = (await listAlphaSenders(deps.db, tenant.id, { includeDeleted: true })).filter(
    (a) => a.id === id,
  );
  return deleted;
}
