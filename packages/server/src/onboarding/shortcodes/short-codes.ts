/**
 * Short codes as a tracked application (docs/international.md, "Short codes").
 *
 * Twilio has no API to apply for a short code: the application (use case, message samples,
 * opt-in flow, expected volume) goes to Twilio, which submits it to the carriers; their review
 * takes weeks (Twilio quotes 8 to 12 for the US,
 * https://help.twilio.com/articles/223182068), and the approved short code then appears in the
 * account (https://www.twilio.com/docs/messaging/api/short-code-resource). So Subtext keeps the
 * application and its state: `submitted` → `in_carrier_review` (the operator says so) → `live`,
 * or `rejected`. It goes live when the short code is in the tenant's subaccount: a polling job
 * lists the subaccount's short codes and takes the first one no other application of the
 * tenant holds, or the operator names its SID.
 *
 * Going live is one durable job, safe to run again: it adds the short code to the application's
 * Messaging Service (already there is fine) and marks the row live. Messaging gives each live
 * short code a lane of its own at the short code's rate (`short_code` in @subtext/telecom/lanes)
 * from `liveShortCodes`, as it does for the toll-free numbers of the sending profile. Inbound
 * messages to the short code reach the service's inbound URL, the tenant's, like those to its
 * numbers, so STOP and HELP follow the same rules.
 */
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { type JobRow, cancelJob } from "../../jobs/queue.js";
import type { Snooze } from "../../jobs/runner.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Nullable, type Static, Type } from "../../kernel/schema.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import { twilioCall, twilioError } from "../../twilio/errors.js";
import { normalizeCountry, senderOptionsFor } from "@subtext/telecom/countries";
import type { FlowDeps } from "../flows/step.js";
import { tenantServices } from "../numbers/numbers.js";

export const SHORT_CODE_JOB = "onboarding.short_code";
/** How often an application under review looks for its short code in the subaccount. */
export const SHORT_CODE_POLL_MS = 6 * 3_600_000;

export interface ShortCodePayload {
  short_code_id: string;
}

export type ShortCodeState = "submitted" | "in_carrier_review" | "live" | "rejected";

export const ShortCodeApplication = Type.Object(
  {
    country: Type.Optional(
      Type.String({ pattern: "^[A-Za-z]{2}$", description: "ISO 3166-1 alpha-2; default US" }),
    ),
    use_case: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "What the short code sends, to whom and why (e.g. order notifications and 2FA codes)",
    }),
    message_samples: Type.Array(Type.String({ minLength: 1, maxLength: 1600 }), {
      minItems: 1,
      maxItems: 5,
      description: "Messages as they will be sent, with the brand's name and opt-out wording",
    }),
    opt_in_flow: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "How recipients opt in (web form, keyword, checkout), with a URL or screenshot location",
    }),
    expected_monthly_volume: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    help_message: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    opt_out_message: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    messaging_service_id: Type.Optional(
      Type.String({
        pattern: "^MG[0-9a-fA-F]{32}$",
        description: "The Messaging Service it joins once live; default the tenant's first campaign's",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ShortCodeApplication = Static<typeof ShortCodeApplication>;

export const ShortCodeReview = Type.Object(
  {
    state: Type.Enum(["in_carrier_review", "live", "rejected"], { type: "string" }),
    short_code_sid: Type.Optional(
      Type.String({
        pattern: "^SC[0-9a-fA-F]{32}$",
        description: "live: the approved short code's SID in the tenant's subaccount",
      }),
    ),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
export type ShortCodeReview = Static<typeof ShortCodeReview>;

export interface ShortCodeRow {
  id: string;
  tenant_id: string;
  country: string;
  state: ShortCodeState;
  application: Omit<ShortCodeApplication, "country" | "messaging_service_id">;
  messaging_service_sid: string;
  short_code: string | null;
  short_code_sid: string | null;
  attached: boolean;
  failure: { code: string; message: string } | null;
  created_at: Date;
  updated_at: Date;
  review_started_at: Date | null;
  live_at: Date | null;
}

export function findShortCode(q: Queryable, tenantId: string, id: string): Promise<ShortCodeRow | null> {
  return q.maybeOne<ShortCodeRow>("SELECT * FROM short_codes WHERE id = $1 AND tenant_id = $2", [
    id,
    tenantId,
  ]);
}

export async function requireShortCode(q: Queryable, tenantId: string, id: string): Promise<ShortCodeRow> {
  const row = await findShortCode(q, tenantId, id);
  if (!row) throw notFound("short code", id);
  return row;
}

export async function listShortCodes(q: Queryable, tenantId: string): Promise<ShortCodeRow[]> {
  const { rows } = await q.query<ShortCodeRow>("SELECT * FROM short_codes WHERE tenant_id = $1 ORDER BY id", [
    tenantId,
  ]);
  return rows;
}

/** Records the application (`submitted`) with the job that watches for its short code. */
export async function applyForShortCode(
  deps: Pick<FlowDeps, "db" | "clock" | "jobs">,
  tenant: TenantRow,
  input: ShortCodeApplication,
): Promise<ShortCodeRow> {
  const country = normalizeCountry(input.country ?? "US");
  const options = country ? senderOptionsFor(country) : null;
  if (!country || !options?.short_code.available) {
    throw new SubtextError(
      "short_code_unavailable",
      422,
      `Short codes are not available in ${country ?? input.country}.`,
      {
        hint: "See docs/international.md for the countries where Twilio offers short codes.",
        details: [{ path: "/country", code: "short_code_unavailable" }],
      },
    );
  }
  const services = await tenantServices(deps.db, tenant.id);
  const service = input.messaging_service_id
    ? services.find((s) => s.sid === input.messaging_service_id)
    : (services.find((s) => s.live && s.channel === "10dlc") ?? services[0]);
  if (!service) {
    throw new SubtextError(
      input.messaging_service_id ? "unknown_messaging_service" : "messaging_service_required",
      422,
      input.messaging_service_id
        ? `${input.messaging_service_id} is not one of this tenant's Messaging Services.`
        : "This tenant has no Messaging Service for the short code to join.",
      {
        hint: "Register the tenant first (a campaign's service is where the short code goes); GET /v1/messaging-services lists them.",
        details: [{ path: "/messaging_service_id", code: "unknown_messaging_service" }],
      },
    );
  }
  const { country: _c, messaging_service_id: _m, ...application } = input;
  const now = deps.clock.now();
  return deps.db.tx(async (tx) => {
    const row = await tx.one<ShortCodeRow>(
      `INSERT INTO short_codes (id, tenant_id, country, state, application, messaging_service_sid, created_at, updated_at)
       VALUES ($1, $2, $3, 'submitted', $4::jsonb, $5, $6, $6) RETURNING *`,
      [newId("shc"), tenant.id, country, JSON.stringify(application), service.sid, now],
    );
    await deps.jobs.enqueue(
      tx,
      SHORT_CODE_JOB,
      { short_code_id: row.id },
      { key: `${SHORT_CODE_JOB}:${row.id}`, runAt: new Date(now.getTime() + SHORT_CODE_POLL_MS) },
    );
    return row;
  });
}

/**
 * The operator's word on an application: in carrier review, rejected (with the reason), or
 * approved with the short code's SID, which must be in the tenant's subaccount.
 */
export async function reviewShortCode(
  deps: FlowDeps,
  tenant: TenantRow,
  row: ShortCodeRow,
  input: ShortCodeReview,
): Promise<ShortCodeRow> {
  const allowed: Record<ShortCodeState, ShortCodeState[]> = {
    submitted: ["in_carrier_review", "live", "rejected"],
    in_carrier_review: ["live", "rejected"],
    live: [],
    rejected: [],
  };
  if (!allowed[row.state].includes(input.state)) {
    throw new SubtextError(
      "invalid_short_code_transition",
      409,
      `A short code application in state ${row.state} cannot become ${input.state}.`,
      { details: [{ path: "/state", code: "invalid_transition" }] },
    );
  }
  const now = deps.clock.now();
  if (input.state !== "live") {
    if (input.short_code_sid) {
      throw new SubtextError("invalid_short_code_review", 422, "short_code_sid only goes with state live.", {
        details: [{ path: "/short_code_sid", code: "not_applicable" }],
      });
    }
    return deps.db.tx(async (tx) => {
      const updated = await tx.one<ShortCodeRow>(
        `UPDATE short_codes SET state = $2, updated_at = $3,
           review_started_at = CASE WHEN $2 = 'in_carrier_review' THEN $3 ELSE review_started_at END,
           failure = CASE WHEN $2 = 'rejected' THEN $4::jsonb ELSE failure END
         WHERE id = $1 RETURNING *`,
        [
          row.id,
          input.state,
          now,
          JSON.stringify({
            code: "short_code_rejected",
            message: input.reason ?? "The carriers rejected the short code application.",
          }),
        ],
      );
      if (input.state === "rejected") await cancelShortCodeJob(tx, row.id);
      return updated;
    });
  }
  if (!input.short_code_sid) {
    throw new SubtextError(
      "invalid_short_code_review",
      422,
      "Name the approved short code: short_code_sid.",
      {
        details: [{ path: "/short_code_sid", code: "required" }],
      },
    );
  }
  const sid = input.short_code_sid;
  const client = await tenantTwilio(deps, tenant);
  let found: { sid: string; shortCode: string } | null = null;
  try {
    found = await client.shortCodes(sid).fetch();
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw twilioError(err, "read the short code");
  }
  if (!found) {
    throw new SubtextError(
      "short_code_not_found",
      422,
      `${sid} is not a short code of this tenant's subaccount.`,
      {
        hint: "Twilio provisions the approved short code into the subaccount; check its SID there.",
        details: [{ path: "/short_code_sid", code: "short_code_not_found" }],
      },
    );
  }
  const held = await deps.db.maybeOne<{ id: string }>(
    "SELECT id FROM short_codes WHERE short_code_sid = $1 AND id <> $2",
    [sid, row.id],
  );
  if (held) {
    throw new SubtextError("short_code_taken", 409, `${sid} already belongs to application ${held.id}.`, {
      details: [{ path: "/short_code_sid", code: "short_code_taken" }],
    });
  }
  await deps.db.tx((tx) => recordFound(tx, row.id, found, now));
  await goLive(deps, tenant, row.id);
  return requireShortCode(deps.db, tenant.id, row.id);
}

async function recordFound(q: Queryable, id: string, code: { sid: string; shortCode: string }, now: Date) {
  await q.query(
    "UPDATE short_codes SET short_code_sid = $2, short_code = $3, updated_at = $4 WHERE id = $1",
    [id, code.sid, code.shortCode, now],
  );
}

/** The pending poll is no longer needed (a running one finishes on its own). */
async function cancelShortCodeJob(q: Queryable, id: string) {
  await cancelJob(q, `${SHORT_CODE_JOB}:${id}`);
}

/**
 * The polling job: while the application is under review, looks for its short code in the
 * subaccount (the first one no other application of the tenant holds), then takes it live.
 */
export async function runShortCodeJob(
  deps: FlowDeps,
  job: JobRow<ShortCodePayload>,
): Promise<Snooze | undefined> {
  const row = await deps.db.maybeOne<ShortCodeRow>("SELECT * FROM short_codes WHERE id = $1", [
    job.payload.short_code_id,
  ]);
  if (!row || row.state === "rejected" || row.state === "live") return;
  const tenant = await findTenant(deps.db, row.tenant_id);
  if (!tenant) return;
  if (!row.short_code_sid) {
    const client = await tenantTwilio(deps, tenant);
    const codes = await twilioCall("list the short codes", () => client.shortCodes.list({ limit: 1000 }));
    const { rows: held } = await deps.db.query<{ short_code_sid: string }>(
      "SELECT short_code_sid FROM short_codes WHERE tenant_id = $1 AND short_code_sid IS NOT NULL",
      [tenant.id],
    );
    const taken = new Set(held.map((h) => h.short_code_sid));
    const free = codes
      .filter((c) => !taken.has(c.sid))
      .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
    if (!free) return { retryAt: new Date(deps.clock.now().getTime() + SHORT_CODE_POLL_MS) };
    await recordFound(deps.db, row.id, free, deps.clock.now());
  }
  await goLive(deps, tenant, row.id);
}

/** Adds the short code to its service and marks the application live. */
async function goLive(deps: FlowDeps, tenant: TenantRow, id: string): Promise<void> {
  const row = await requireShortCode(deps.db, tenant.id, id);
  if (!row.short_code_sid || !row.short_code) return;
  if (!row.attached) {
    const client = await tenantTwilio(deps, tenant);
    try {
      await client.messaging.v1
        .services(row.messaging_service_sid)
        .shortCodes.create({ shortCodeSid: row.short_code_sid });
    } catch (err) {
      // 21710: already in this service (a retry got there first).
      if ((err as { code?: number }).code !== 21710)
        throw twilioError(err, "add the short code to the messaging service");
    }
    await deps.db.query("UPDATE short_codes SET attached = true, updated_at = $2 WHERE id = $1", [
      row.id,
      deps.clock.now(),
    ]);
  }
  const now = deps.clock.now();
  await deps.db.tx(async (tx) => {
    await tx.query(
      `UPDATE short_codes SET state = 'live', live_at = COALESCE(live_at, $2), updated_at = $2,
         review_started_at = COALESCE(review_started_at, $2)
       WHERE id = $1`,
      [row.id, now],
    );
    await cancelShortCodeJob(tx, row.id);
  });
  // Its campaign now sends from it, on its own lane (the change feed tells other processes).
  deps.caches.changed("sending-profile", row.tenant_id);
}

/** The tenant's live short codes, each with the Messaging Service it is in (messaging's lanes). */
export async function liveShortCodes(
  q: Queryable,
  tenantId: string,
): Promise<{ short_code: string; short_code_sid: string; messaging_service_sid: string }[]> {
  const { rows } = await q.query<{
    short_code: string;
    short_code_sid: string;
    messaging_service_sid: string;
  }>(
    `SELECT short_code, short_code_sid, messaging_service_sid FROM short_codes
     WHERE tenant_id = $1 AND state = 'live' AND short_code_sid IS NOT NULL ORDER BY id`,
    [tenantId],
  );
  return rows;
}

export function shortCodeView(r: ShortCodeRow) {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    state: r.state,
    country: r.country,
    application: r.application,
    messaging_service_id: r.messaging_service_sid,
    short_code: r.short_code,
    short_code_sid: r.short_code_sid,
    failure: r.failure,
    created_at: r.created_at.toISOString(),
    review_started_at: r.review_started_at?.toISOString() ?? null,
    live_at: r.live_at?.toISOString() ?? null,
  };
}
