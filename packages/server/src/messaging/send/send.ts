/**
 * The send use cases: one message (through the group commit) and a batch (in chunks).
 * Each validates, passes the gate, finds the lane, then stores through `acceptMany`.
 */
import { whatsappSendGate } from "../whatsapp/session.js";
import { newId } from "../../db/ids.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { budgetApplies } from "../../usage/budget/reserve.js";
import { cachedPriceTable, estimatePrice } from "../../usage/prices.js";
import { cachedSettings } from "../settings.js";
import { ensureLane } from "../store/lanes.js";
import type { MessageRow } from "../store/messages.js";
import { type Outcome, type Submission, acceptMany } from "./accept.js";
import type { GroupCommit } from "./group-commit.js";
import { type Route, routeFor, sendingProfile, whatsappRoute } from "./gate.js";
import { abroadCountry, abroadSubmission } from "./international.js";
import type { SendInput } from "./input.js";
import { type Finding, type ValidSend, isWhatsAppSend, validateSend } from "./validate.js";

type Deps = Pick<Services, "db" | "clock" | "caches" | "twilio">;

export const MAX_BATCH = 10_000;
/**
 * A batch is stored BATCH_CHUNK messages per transaction. One transaction for 10,000 messages
 * held PGlite's only connection for seconds while every other tenant's request waited; a chunk
 * holds it for a fraction of that, and other requests' queries (queued first) run in between.
 */
export const BATCH_CHUNK = 500;

/** Lets I/O and other requests' queued work run before the batch goes on. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The Idempotency-Key header and the body's idempotency_key must agree when both are given. */
export function withIdempotencyKey(input: SendInput, header: string | undefined): SendInput {
  if (header === undefined) return input;
  if (input.idempotency_key !== undefined && input.idempotency_key !== header) {
    throw new SubtextError(
      "idempotency_key_mismatch",
      400,
      "The Idempotency-Key header and idempotency_key differ.",
      {
        hint: "Send the key once, in the header or in the body.",
      },
    );
  }
  if (header.length === 0 || header.length > 255) {
    throw new SubtextError("invalid_idempotency_key", 400, "Idempotency-Key must be 1 to 255 characters.");
  }
  return { ...input, idempotency_key: header };
}

export function validationError(findings: Finding[]): SubtextError {
  const first = findings[0];
  return new SubtextError(first.code, 422, first.message, {
    hint: findings.length > 1 ? `${findings.length} problems; see details.` : "See details.",
    twilio_code: first.twilio_code,
    details: findings,
  });
}

async function submission(
  deps: Deps,
  tenant: TenantRow,
  send: ValidSend,
  whatsapp: WhatsAppSender | null,
): Promise<Submission> {
  let route: Route;
  let abroadPrice: string | null | undefined;
  const country = whatsapp ? null : abroadCountry(send);
  if (whatsapp) {
    route = whatsappRoute(tenant.id, whatsapp);
    send = { ...send, from: whatsapp.from };
  } else if (country) {
    // Abroad: the tenant's sender for the country, its rules and its prices; no US registration.
    const abroad = await abroadSubmission(deps, tenant, send, country);
    route = abroad.route;
    send = abroad.send;
    abroadPrice = abroad.priceEstimate;
  } else route = routeFor(await sendingProfile(deps, tenant.id), send);
  const laneId = await ensureLane(deps, route.lane);
  const now = deps.clock.now();
  return {
    // Stamped with the platform clock: the id picks the message's month partition.
    id: newId("msg", now),
    tenantId: tenant.id,
    send,
    route,
    laneId,
    priceEstimate:
      abroadPrice !== undefined
        ? abroadPrice
        : estimatePrice(send.channel, send.segments, { table: await cachedPriceTable(deps) }),
    now,
    // Carrier lookups serve the T-Mobile cap of SMS lanes.
    lookupCarrier: !whatsapp && (await cachedSettings(deps, tenant.id)).carrier_lookup,
  };
}

type WhatsAppSender = { from: string };

/**
 * Marks the submissions of tenants with a budget, so that `acceptMany` counts them. Asked just
 * before they are stored (cached, no query once warm), so a budget set while a batch was being
 * checked applies to its next chunk.
 */
export async function withBudgets(
  deps: Pick<Services, "db" | "caches">,
  subs: Submission[],
): Promise<Submission[]> {
  const tenants = new Map<string, boolean>();
  for (const s of subs) {
    if (!tenants.has(s.tenantId)) tenants.set(s.tenantId, await budgetApplies(deps, s.tenantId));
    s.budgeted = tenants.get(s.tenantId);
  }
  return subs;
}

/** Validation, then (for WhatsApp) the channel's window, opt-in and template rules. */
async function checked(deps: Deps, tenant: TenantRow, input: SendInput, now: Date) {
  const valid = validateSend(input, now);
  if (!valid.ok) return { error: validationError(valid.findings) };
  if (!isWhatsAppSend(input)) return { send: valid.send, whatsapp: null };
  try {
    const gate = await whatsappSendGate(deps.db, tenant.id, input, now);
    return { send: valid.send, whatsapp: gate };
  } catch (err) {
    if (err instanceof SubtextError) return { error: err };
    throw err;
  }
}

export async function sendMessage(
  deps: Deps & { committer: GroupCommit<Submission, Outcome> },
  tenant: TenantRow,
  input: SendInput,
): Promise<{ row: MessageRow; replayed: boolean }> {
  const c = await checked(deps, tenant, input, deps.clock.now());
  if (c.error) throw c.error;
  const outcome = await deps.committer.submit(await submission(deps, tenant, c.send, c.whatsapp));
  if (!outcome.ok) throw outcome.error;
  return { row: outcome.row, replayed: outcome.replayed };
}

export type BatchResult =
  | { index: number; ok: true; outcome: Outcome & { ok: true } }
  | { index: number; ok: false; error: SubtextError };

/**
 * Up to 10,000 messages, each answered on its own (invalid ones are reported, valid ones
 * accepted), stored in chunks of BATCH_CHUNK, each chunk durable once its transaction commits.
 * All items are checked before the first chunk is stored, so a gate that refuses the tenant
 * refuses the whole batch with nothing stored. A batch Idempotency-Key gives item i the key
 * `<key>:<i>` unless the item has its own, so a batch retried after a failure half-way replays
 * the chunks already stored (same messages) and stores the rest, nothing twice.
 */
export async function sendBatch(
  deps: Deps,
  tenant: TenantRow,
  items: SendInput[],
  batchKey: string | undefined,
  /** Each item's position in the request (default: its position here). */
  positions: number[] = items.map((_, i) => i),
): Promise<BatchResult[]> {
  if (items.length === 0 || items.length > MAX_BATCH) {
    throw new SubtextError("invalid_batch", 400, `A batch holds 1 to ${MAX_BATCH} messages.`);
  }
  const now = deps.clock.now();
  const results: BatchResult[] = [];
  const subs: { index: number; sub: Submission }[] = [];
  for (const [i, raw] of items.entries()) {
    if (i > 0 && i % BATCH_CHUNK === 0) await yieldToOthers();
    const index = positions[i];
    const input =
      batchKey && raw.idempotency_key === undefined
        ? { ...raw, idempotency_key: `${batchKey}:${index}` }
        : raw;
    const c = await checked(deps, tenant, input, now);
    if (c.error) {
      results.push({ index, ok: false, error: c.error });
      continue;
    }
    try {
      subs.push({ index, sub: await submission(deps, tenant, c.send, c.whatsapp) });
    } catch (err) {
      if (!(err instanceof SubtextError)) throw err;
      // The gate is the same for every item: a closed gate refuses the whole batch.
      // (A country outside the tenant's geo permissions refuses only the items bound there.)
      const closed =
        (err.status === 403 && err.code !== "country_not_permitted") ||
        (err.status === 409 && err.code.startsWith("registration_"));
      if (closed) throw err;
      results.push({ index, ok: false, error: err });
    }
  }
  for (let start = 0; start < subs.length; start += BATCH_CHUNK) {
    if (start > 0) await yieldToOthers();
    const chunk = subs.slice(start, start + BATCH_CHUNK);
    const ready = await withBudgets(
      deps,
      chunk.map((s) => s.sub),
    );
    const outcomes = await deps.db.tx((tx) => acceptMany(tx, ready));
    chunk.forEach(({ index }, i) => {
      const o = outcomes[i];
      results.push(o.ok ? { index, ok: true, outcome: o } : { index, ok: false, error: o.error });
    });
  }
  return results.sort((a, b) => a.index - b.index);
}
