/**
 * The tenant's numbers as a resource (docs/onboarding.md, "Numbers"): search what is for sale,
 * buy into the tenant's subaccount and attach to one of its Messaging Services, move between
 * its services, release. A registration's flow buys its first number itself; these are the
 * ones that come after (a second sender for a campaign, a number for voice only, another
 * verified toll-free number for more throughput).
 *
 * A purchase is durable: the row is written (state `buying`) with a job before Twilio is
 * asked, the number is bought under a friendly name that names the row, and the job finds it
 * again after a crash, so a number is never bought twice or lost.
 */
import { type Queryable, isUniqueViolation } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { type JobRow, cancelJob } from "../../jobs/queue.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import type { TwilioClient } from "../../twilio/gateway.js";
import { isE164 } from "@subtext/telecom/phone";
import { approvedBundle } from "../bundles/bundles.js";
import { bundleNeeded } from "../bundles/regulations.js";
import type { FlowDeps } from "../flows/step.js";
import {
  type Capabilities,
  type NumberRequest,
  type NumberRow,
  type NumberType,
  findNumber,
  insertNumber,
  lockNumber,
  updateNumber,
} from "./store.js";
import { NUMBER_VERIFICATION_JOB } from "./toll-free.js";
import { type Available, attach, detach, findBought, purchase, release, searchAvailable } from "./twilio.js";

export const NUMBER_BUY_JOB = "onboarding.number_buy";

export interface NumberBuyPayload {
  number_id: string;
}

export interface SearchInput {
  country?: string;
  type?: NumberType;
  area_code?: string;
  region?: string;
  contains?: string;
  capabilities?: Partial<Capabilities>;
  limit?: number;
}

export interface BuyInput extends Omit<SearchInput, "limit"> {
  phone_number?: string;
  /** The service (sender pool) to attach to; null or absent: none (a number for voice). */
  messaging_service_id?: string | null;
  /** Or the service of the tenant's campaign for this use case. */
  use_case?: string;
}

/** One of the tenant's Messaging Services: a 10DLC campaign's or the toll-free registration's. */
export interface TenantService {
  sid: string;
  registrationId: string;
  channel: "10dlc" | "toll_free";
  useCase: string | null;
  /** The campaign is approved and not deleted: its numbers are its senders. */
  live: boolean;
  kind: string;
}

export async function tenantServices(q: Queryable, tenantId: string): Promise<TenantService[]> {
  const { rows } = await q.query<{
    id: string;
    messaging_service_sid: string;
    channel: "10dlc" | "toll_free";
    use_case: string | null;
    state: string;
    deleted_at: Date | null;
    kind: string;
  }>(
    `SELECT id, messaging_service_sid, channel, document->'campaign'->>'use_case' AS use_case, state, deleted_at, kind
     FROM registrations WHERE tenant_id = $1 AND messaging_service_sid IS NOT NULL ORDER BY id`,
    [tenantId],
  );
  return rows.map((r) => ({
    sid: r.messaging_service_sid,
    registrationId: r.id,
    channel: r.channel,
    useCase: r.channel === "10dlc" ? r.use_case : null,
    live: r.state === "approved" && !r.deleted_at,
    kind: r.kind,
  }));
}

function serviceFor(services: TenantService[], input: Pick<BuyInput, "messaging_service_id" | "use_case">) {
  if (input.use_case) {
    const s =
      services.find((s) => s.useCase === input.use_case && s.live) ??
      services.find((s) => s.useCase === input.use_case);
    if (!s) {
      throw new SubtextError("unknown_use_case", 422, `This tenant has no ${input.use_case} campaign.`, {
        hint: "Name one of the tenant's campaigns (GET /v1/messaging-services lists them with their use cases).",
        details: [{ path: "/use_case", code: "unknown_use_case" }],
      });
    }
    if (input.messaging_service_id && input.messaging_service_id !== s.sid) {
      throw new SubtextError(
        "use_case_service_mismatch",
        422,
        `${input.messaging_service_id} is not the Messaging Service of the ${input.use_case} campaign.`,
        {
          hint: "Name the service once: use_case or messaging_service_id.",
          details: [{ path: "/messaging_service_id", code: "use_case_service_mismatch" }],
        },
      );
    }
    return s;
  }
  if (!input.messaging_service_id) return null;
  const s = services.find((s) => s.sid === input.messaging_service_id);
  if (!s) {
    throw new SubtextError(
      "unknown_messaging_service",
      422,
      `${input.messaging_service_id} is not one of this tenant's Messaging Services.`,
      {
        hint: "GET /v1/messaging-services lists the tenant's services.",
        details: [{ path: "/messaging_service_id", code: "unknown_messaging_service" }],
      },
    );
  }
  return s;
}

/** A 10DLC campaign sends from local numbers, a toll-free registration's service from toll-free ones. */
function assertFits(service: TenantService | null, type: NumberType, path: string): void {
  if (!service) return;
  const fits = service.channel === "toll_free" ? type === "toll_free" : type !== "toll_free";
  if (fits) return;
  throw new SubtextError(
    "number_type_mismatch",
    422,
    service.channel === "toll_free"
      ? `${service.sid} is the toll-free registration's service: it takes toll-free numbers only.`
      : `${service.sid} is a 10DLC campaign's service: a toll-free number cannot send under a 10DLC campaign.`,
    {
      hint: "Attach local numbers to a 10DLC campaign's service and toll-free numbers to the toll-free registration's.",
      details: [{ path, code: "number_type_mismatch" }],
    },
  );
}

/** A sole proprietor campaign sends from exactly one 10DLC number (docs/twilio-facts.md). */
async function assertRoomFor(q: Queryable, service: TenantService | null): Promise<void> {
  if (service?.kind !== "sole_proprietor") return;
  const held = await q.one<{ n: number }>(
    "SELECT count(*)::int AS n FROM numbers WHERE messaging_service_sid = $1 AND state IN ('buying', 'active')",
    [service.sid],
  );
  if (held.n === 0) return;
  throw new SubtextError(
    "sole_proprietor_one_number",
    409,
    `${service.sid} is a sole proprietor campaign's service: Twilio allows it exactly one number, and it has one.`,
    {
      hint: "Buy the number without a service (for calls), or register as low-volume standard or standard for several numbers.",
      details: [{ path: "/messaging_service_id", code: "sole_proprietor_one_number" }],
    },
  );
}

function countryOf(input: Pick<SearchInput, "country">): string {
  return (input.country ?? "US").toUpperCase();
}

/** Numbers for sale in the tenant's subaccount (Twilio's search: area code, region, pattern). */
export async function searchNumbers(
  deps: FlowDeps,
  tenant: TenantRow,
  input: SearchInput,
): Promise<Available[]> {
  const client = await tenantTwilio(deps, tenant);
  return searchAvailable(client, countryOf(input), input.type ?? "local", input, input.limit ?? 20);
}

/**
 * Buys a number: 201 with the number once Twilio sold it (and it is attached), 202 while a
 * retryable failure left the job to finish it, or the purchase's error (nothing bought).
 */
export async function buyNumber(deps: FlowDeps, tenant: TenantRow, input: BuyInput): Promise<NumberRow> {
  if (input.phone_number !== undefined && !isE164(input.phone_number)) {
    throw new SubtextError("invalid_phone_number", 422, `${input.phone_number} is not an E.164 number.`, {
      hint: "Give the number as +<country code><number>, as GET /v1/numbers/available lists them.",
      details: [{ path: "/phone_number", code: "invalid_phone_number" }],
    });
  }
  const services = await tenantServices(deps.db, tenant.id);
  const named = serviceFor(services, input);
  const type = input.type ?? (named?.channel === "toll_free" ? "toll_free" : "local");
  assertFits(named, type, input.use_case ? "/use_case" : "/messaging_service_id");
  // A toll-free number is verified with the toll-free registration's data (one per tenant), and
  // sends from that registration's service unless told otherwise (null: no service).
  const tollFree = type === "toll_free" ? services.find((s) => s.channel === "toll_free") : undefined;
  const service = named ?? (input.messaging_service_id === undefined ? (tollFree ?? null) : null);
  await assertRoomFor(deps.db, service);
  const registrationId =
    type === "toll_free"
      ? (tollFree?.registrationId ?? (await tollFreeRegistrationId(deps.db, tenant.id)))
      : (service?.registrationId ?? null);
  const compliance = await bundleFor(deps, tenant, countryOf(input), type);
  const request: NumberRequest = {
    ...compliance,
    ...(input.phone_number ? { phone_number: input.phone_number } : {}),
    ...(input.area_code ? { area_code: input.area_code } : {}),
    ...(input.region ? { region: input.region } : {}),
    ...(input.contains ? { contains: input.contains } : {}),
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
  };
  const now = deps.clock.now();
  let row: NumberRow;
  try {
    row = await deps.db.tx(async (tx) => {
      const inserted = await insertNumber(
        tx,
        {
          id: newId("num"),
          tenant_id: tenant.id,
          phone_number: input.phone_number ?? null,
          country: countryOf(input),
          type,
          state: "buying",
          messaging_service_sid: service?.sid ?? null,
          registration_id: registrationId,
          request,
        },
        now,
      );
      // The inline attempt below goes first; the job is the safety net if this process dies.
      await deps.jobs.enqueue(
        tx,
        NUMBER_BUY_JOB,
        { number_id: inserted.id },
        { key: buyJobKey(inserted.id), runAt: new Date(now.getTime() + 60_000) },
      );
      return inserted;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new SubtextError(
      "number_exists",
      409,
      `${input.phone_number} is already one of this tenant's numbers.`,
    );
  }
  try {
    await completePurchase(deps, tenant, row);
  } catch (err) {
    const e = err as SubtextError;
    if (e.retryable !== false) {
      deps.log.warn(
        { event: "number.purchase_deferred", number_id: row.id, err },
        "purchase left to its job",
      );
      return (await findNumber(deps.db, row.id))!;
    }
    // Refused (nothing bought): the request leaves nothing behind.
    await deps.db.tx(async (tx) => {
      await cancelJob(tx, buyJobKey(row.id));
      await tx.query("DELETE FROM numbers WHERE id = $1 AND state = 'buying'", [row.id]);
    });
    throw withHint(e);
  }
  return (await findNumber(deps.db, row.id))!;
}

/**
 * A number abroad whose country and type have a Twilio regulation is bought with the tenant's
 * approved bundle for them (and the bundle's address); without one, nothing is asked of Twilio.
 */
async function bundleFor(
  deps: FlowDeps,
  tenant: TenantRow,
  country: string,
  type: NumberType,
): Promise<Pick<NumberRequest, "bundle_sid" | "address_sid">> {
  if (!(await bundleNeeded(deps, tenant, country, type))) return {};
  const bundle = await approvedBundle(deps.db, tenant.id, country, type);
  if (bundle?.bundle_sid) {
    return {
      bundle_sid: bundle.bundle_sid,
      ...(bundle.address_sid ? { address_sid: bundle.address_sid } : {}),
    };
  }
  const kind = type.replace("_", "-");
  throw new SubtextError(
    "bundle_required",
    409,
    `Buying a ${kind} number in ${country} needs an approved regulatory bundle for ${country} ${kind} numbers, and this tenant has none.`,
    {
      hint: `Submit one with POST /v1/tenants/${tenant.id}/bundles (country ${country}, number_type ${type}); GET /v1/regulations?country=${country}&number_type=${type}&end_user_type=business (or individual) lists what it needs. Twilio reviews bundles in 1–3 business days.`,
      details: [{ path: "/country", code: "bundle_required", country, number_type: type }],
    },
  );
}

const buyJobKey = (id: string) => `${NUMBER_BUY_JOB}:${id}`;

function withHint(e: SubtextError): SubtextError {
  const hint =
    e.code === "no_numbers_available"
      ? "Widen the search (another area code or region, fewer capabilities), or search first with GET /v1/numbers/available."
      : e.code === "number_unavailable"
        ? "Someone else bought it or it is not for sale: search again with GET /v1/numbers/available."
        : undefined;
  if (!hint) return e;
  return new SubtextError(e.code, e.status, e.message, {
    hint,
    ...(e.twilio_code ? { twilio_code: e.twilio_code } : {}),
    details: [{ path: e.code === "number_unavailable" ? "/phone_number" : "", code: e.code }],
  });
}

async function tollFreeRegistrationId(q: Queryable, tenantId: string): Promise<string | null> {
  const r = await q.maybeOne<{ id: string }>(
    "SELECT id FROM registrations WHERE tenant_id = $1 AND channel = 'toll_free' AND parent_id IS NULL",
    [tenantId],
  );
  return r?.id ?? null;
}

/** The job, when the inline attempt did not finish: the purchase, or why it cannot be made. */
export async function runNumberBuy(deps: FlowDeps, job: JobRow<NumberBuyPayload>): Promise<void> {
  const row = await findNumber(deps.db, job.payload.number_id);
  if (row?.state !== "buying") return;
  const tenant = await findTenant(deps.db, row.tenant_id);
  if (!tenant) return;
  try {
    await completePurchase(deps, tenant, row);
  } catch (err) {
    const e = err as SubtextError;
    if (e.retryable !== false) throw err;
    // Nobody waits for an answer any more: the row says why (GET /v1/numbers?include_released=true).
    const failure = { code: e.code, message: e.message, twilio_code: e.twilio_code ?? null };
    await updateNumber(deps.db, row.id, { state: "failed", failure }, deps.clock.now());
  }
}

/** Buys (or finds what a crashed attempt bought), attaches, and records the number. */
async function completePurchase(deps: FlowDeps, tenant: TenantRow, row: NumberRow): Promise<void> {
  const client = await tenantTwilio(deps, tenant);
  const name = `subtext:${row.id}`;
  const bought = (await findBought(client, name)) ?? (await buyOne(client, row, name));
  if (row.messaging_service_sid) await attach(client, row.messaging_service_sid, bought.sid);
  const now = deps.clock.now();
  const verify = await deps.db.tx(async (tx) => {
    const locked = await lockNumber(tx, row.id);
    if (locked?.state !== "buying") return null;
    await updateNumber(
      tx,
      row.id,
      {
        state: "active",
        phone_number: bought.phoneNumber,
        phone_number_sid: bought.sid,
        capabilities: bought.capabilities,
      },
      now,
    );
    await cancelJob(tx, buyJobKey(row.id));
    if (row.type !== "toll_free" || !row.registration_id) return null;
    const job = await deps.jobs.enqueue(
      tx,
      NUMBER_VERIFICATION_JOB,
      { number_id: row.id },
      { key: `${NUMBER_VERIFICATION_JOB}:${row.id}` },
    );
    return job.id;
  });
  deps.caches.changed("sending-profile", tenant.id);
  if (verify) await deps.jobs.runNow(verify);
}

/** Buys the number asked for, or one of those for sale that fit the search; errors say why not. */
async function buyOne(client: TwilioClient, row: NumberRow, name: string) {
  const request = row.request ?? {};
  const candidates = request.phone_number
    ? [request.phone_number]
    : (await searchAvailable(client, row.country, row.type, request, 20)).map((n) => n.phoneNumber);
  if (candidates.length === 0) {
    throw new SubtextError(
      "no_numbers_available",
      409,
      `Twilio has no ${row.type.replace("_", "-")} number for sale in ${row.country} that fits the search.`,
      { retryable: false },
    );
  }
  // Tenants buying at once see the same numbers: start at a random one, take the next when taken.
  const start = Math.floor(Math.random() * candidates.length);
  for (let i = 0; i < Math.min(candidates.length, 5); i++) {
    const bought = await purchase(client, candidates[(start + i) % candidates.length], name, {
      bundleSid: request.bundle_sid,
      addressSid: request.address_sid,
    });
    if (bought) return bought;
  }
  if (request.phone_number) {
    throw new SubtextError("number_unavailable", 409, `${request.phone_number} is not for sale any more.`, {
      twilio_code: 21422,
      retryable: false,
    });
  }
  throw new SubtextError("number_taken", 503, "The numbers found were bought by someone else first.", {
    retryable: true,
  });
}

export async function requireNumber(q: Queryable, tenantId: string, id: string): Promise<NumberRow> {
  const row = await findNumber(q, id);
  if (!row || row.tenant_id !== tenantId) throw notFound("number", id);
  return row;
}

/** The numbers that keep a live campaign sending: refusing to take away its last one. */
async function assertNotLastSender(
  q: Queryable,
  row: NumberRow,
  force: boolean,
  what: string,
): Promise<void> {
  if (force || row.state !== "active" || !row.messaging_service_sid) return;
  const services = await tenantServices(q, row.tenant_id);
  const service = services.find((s) => s.sid === row.messaging_service_sid);
  if (!service?.live) return;
  const others = await q.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM numbers WHERE messaging_service_sid = $1 AND state = 'active' AND id <> $2
       AND (type <> 'toll_free' OR tollfree_status = 'TWILIO_APPROVED')`,
    [row.messaging_service_sid, row.id],
  );
  if (others.n > 0) return;
  throw new SubtextError(
    "last_number_of_campaign",
    409,
    `${row.phone_number} is the last sender of ${service.useCase ? `the ${service.useCase} campaign` : "the toll-free registration"} (${service.sid}): ${what} it would stop that campaign's traffic.`,
    {
      hint: "Buy another number for the campaign first (POST /v1/numbers), or pass force=true to do it anyway.",
      details: [{ registration_id: service.registrationId, messaging_service_id: service.sid }],
    },
  );
}

/** Moves a number to another of the tenant's services (or out of every service, with null). */
export async function moveNumber(
  deps: FlowDeps,
  tenant: TenantRow,
  id: string,
  change: { messaging_service_id: string | null; force?: boolean },
): Promise<NumberRow> {
  const row = await requireNumber(deps.db, tenant.id, id);
  if (row.state !== "active") {
    throw new SubtextError("number_not_active", 409, `Number ${id} is ${row.state}.`, {
      hint: "Only a bought number that is not released can move.",
    });
  }
  if (row.messaging_service_sid === change.messaging_service_id) return row;
  const services = await tenantServices(deps.db, tenant.id);
  const target = serviceFor(services, { messaging_service_id: change.messaging_service_id });
  assertFits(target, row.type, "/messaging_service_id");
  await assertRoomFor(deps.db, target);
  await assertNotLastSender(deps.db, row, change.force ?? false, "moving");
  const client = await tenantTwilio(deps, tenant);
  // Twilio keeps a number in one service at a time: out of the old pool, then into the new.
  if (row.messaging_service_sid) await detach(client, row.messaging_service_sid, row.phone_number_sid!);
  if (target) await attach(client, target.sid, row.phone_number_sid!);
  const updated = await updateNumber(
    deps.db,
    row.id,
    {
      messaging_service_sid: target?.sid ?? null,
      registration_id: row.type === "toll_free" ? row.registration_id : (target?.registrationId ?? null),
    },
    deps.clock.now(),
  );
  deps.caches.changed("sending-profile", tenant.id);
  return updated;
}

/** Releases a number from the tenant's subaccount (Twilio stops billing it). */
export async function releaseNumber(
  deps: FlowDeps,
  tenant: TenantRow,
  id: string,
  force: boolean,
): Promise<NumberRow> {
  const row = await requireNumber(deps.db, tenant.id, id);
  if (row.state === "released") return row;
  if (row.state !== "active") {
    throw new SubtextError(
      "number_not_active",
      409,
      `Number ${id} is ${row.state}; there is nothing to release.`,
    );
  }
  await assertNotLastSender(deps.db, row, force, "releasing");
  const client = await tenantTwilio(deps, tenant);
  if (row.messaging_service_sid) await detach(client, row.messaging_service_sid, row.phone_number_sid!);
  await release(client, row.phone_number_sid!);
  const now = deps.clock.now();
  const updated = await updateNumber(deps.db, row.id, { state: "released", released_at: now }, now);
  deps.caches.changed("sending-profile", tenant.id);
  return updated;
}

export function numberView(n: NumberRow) {
  return {
    id: n.id,
    phone_number: n.phone_number,
    phone_number_sid: n.phone_number_sid,
    country: n.country,
    type: n.type,
    capabilities: n.capabilities,
    state: n.state,
    messaging_service_id: n.messaging_service_sid,
    registration_id: n.registration_id,
    toll_free_verification:
      n.type === "toll_free"
        ? {
            sid: n.tollfree_verification_sid,
            status: n.tollfree_status,
          }
        : null,
    failure: n.failure,
    created_at: n.created_at.toISOString(),
    released_at: n.released_at?.toISOString() ?? null,
  };
}
