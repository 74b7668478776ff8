/**
 * Regulatory bundles (docs/international.md, "Regulatory bundles"; Twilio's Regulatory
 * Compliance API, https://www.twilio.com/docs/phone-numbers/regulatory/api): what a tenant
 * needs before it can buy numbers in most countries outside the US and Canada.
 *
 * The data is checked against the regulation first (422 `bundle_invalid`, nothing written),
 * then sealed in the vault and a job follows the bundle: it creates the address, the end user,
 * the supporting documents and the bundle in the tenant's subaccount (each named after the row
 * and submission, so a crashed attempt's items are found again rather than made twice),
 * assigns them, evaluates, submits, and polls the review until Twilio approves or rejects it.
 * States: submitted → in_review → approved | rejected; a rejected bundle is edited (PATCH) and
 * resubmitted. Every state change emits `bundle.updated` in its transaction.
 */
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";
import type { JobRow } from "../../jobs/queue.js";
import type { Snooze } from "../../jobs/runner.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import { twilioCall } from "../../twilio/errors.js";
import type { TwilioClient } from "../../twilio/gateway.js";
import type { FlowDeps } from "../flows/step.js";
import { type BundleNumberType, type EndUserKind, readRequirements } from "./regulations.js";
import { type AddressInput, type BundleData, type DocumentInput, assertValidBundle } from "./validate.js";

export const BUNDLE_JOB = "onboarding.bundle";
export const BUNDLE_STATES = ["submitted", "in_review", "approved", "rejected"] as const;
export type BundleState = (typeof BUNDLE_STATES)[number];
const SECRET_PURPOSE = "regulatory.bundle_data";
const MAX_POLL_MS = 3_600_000;

export interface BundlePayload {
  bundle_id: string;
}

export interface BundleReason {
  code: string;
  message: string;
  document: number | null;
  requirement: string | null;
  twilio_code: number | null;
}

export interface BundleRow {
  id: string;
  tenant_id: string;
  country: string;
  number_type: BundleNumberType;
  end_user_type: EndUserKind;
  regulation_sid: string;
  data_secret_id: string;
  state: BundleState;
  generation: number;
  bundle_sid: string | null;
  address_sid: string | null;
  end_user_sid: string | null;
  document_sids: string[];
  twilio_status: string | null;
  failure: { reasons: BundleReason[] } | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  completed_at: Date | null;
}

export interface BundleInput {
  country: string;
  number_type: BundleNumberType;
  end_user_type: EndUserKind;
  email: string;
  end_user: Record<string, unknown>;
  documents: DocumentInput[];
  address?: AddressInput;
}

export interface BundlePatch {
  email?: string;
  end_user?: Record<string, unknown>;
  documents?: DocumentInput[];
  address?: AddressInput | null;
}

const jobKey = (id: string) => `${BUNDLE_JOB}:${id}`;

export function findBundle(q: Queryable, id: string): Promise<BundleRow | null> {
  return q.maybeOne<BundleRow>("SELECT * FROM regulatory_bundles WHERE id = $1", [id]);
}

export async function requireBundle(q: Queryable, tenantId: string, id: string): Promise<BundleRow> {
  const row = await findBundle(q, id);
  if (!row || row.tenant_id !== tenantId) throw notFound("bundle", id);
  return row;
}

export async function listBundles(q: Queryable, tenantId: string): Promise<BundleRow[]> {
  const { rows } = await q.query<BundleRow>(
    "SELECT * FROM regulatory_bundles WHERE tenant_id = $1 ORDER BY created_at, id",
    [tenantId],
  );
  return rows;
}

/** The tenant's newest approved bundle for numbers of this country and type. */
export function approvedBundle(
  q: Queryable,
  tenantId: string,
  country: string,
  type: BundleNumberType,
): Promise<BundleRow | null> {
  return q.maybeOne<BundleRow>(
    `SELECT * FROM regulatory_bundles WHERE tenant_id = $1 AND country = $2 AND number_type = $3 AND state = 'approved'
     ORDER BY completed_at DESC, id DESC LIMIT 1`,
    [tenantId, country.toUpperCase(), type],
  );
}

export function bundleView(b: BundleRow) {
  return {
    id: b.id,
    country: b.country,
    number_type: b.number_type,
    end_user_type: b.end_user_type,
    state: b.state,
    regulation_sid: b.regulation_sid,
    bundle_sid: b.bundle_sid,
    twilio_status: b.twilio_status,
    address_sid: b.address_sid,
    end_user_sid: b.end_user_sid,
    document_sids: b.document_sids,
    submission: b.generation,
    failure: b.failure,
    created_at: b.created_at.toISOString(),
    updated_at: b.updated_at.toISOString(),
    submitted_at: b.submitted_at?.toISOString() ?? null,
    completed_at: b.completed_at?.toISOString() ?? null,
  };
}

async function emitBundleUpdated(q: Queryable, b: BundleRow, previous: BundleState | null): Promise<void> {
  await emitEvent(q, {
    tenantId: b.tenant_id,
    type: "bundle.updated",
    orderingKey: b.id,
    data: {
      bundle_id: b.id,
      country: b.country,
      number_type: b.number_type,
      end_user_type: b.end_user_type,
      state: b.state,
      previous_state: previous,
      bundle_sid: b.bundle_sid,
      twilio_status: b.twilio_status,
      failure: b.failure,
    },
  });
}

function dataOf(input: {
  email: string;
  end_user: Record<string, unknown>;
  documents: DocumentInput[];
  address?: AddressInput | null;
}): BundleData {
  return {
    email: input.email,
    end_user: input.end_user,
    documents: input.documents.map((d) => ({
      type: d.type,
      ...(d.name ? { name: d.name } : {}),
      attributes: d.attributes ?? {},
    })),
    address: input.address
      ? { ...input.address, iso_country: input.address.iso_country.toUpperCase() }
      : null,
  };
}

async function readData(deps: FlowDeps, b: BundleRow): Promise<BundleData> {
  return JSON.parse(await deps.vault.read(deps.db, b.data_secret_id)) as BundleData;
}

/** Validates, seals the data, writes the row and its job; the job's first run starts at once. */
export async function createBundle(
  deps: FlowDeps,
  tenant: TenantRow,
  input: BundleInput,
): Promise<BundleRow> {
  const country = input.country.toUpperCase();
  const req = await readRequirements(deps, tenant, { ...input, country });
  const data = dataOf(input);
  assertValidBundle(req, data);
  const now = deps.clock.now();
  const { row, jobId } = await deps.db.tx(async (tx) => {
    const secretId = await deps.vault.store(tx, SECRET_PURPOSE, JSON.stringify(data));
    const row = await tx.one<BundleRow>(
      `INSERT INTO regulatory_bundles (id, tenant_id, country, number_type, end_user_type, regulation_sid,
         data_secret_id, state, created_at, updated_at, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $8, $8) RETURNING *`,
      [
        newId("bnd"),
        tenant.id,
        country,
        input.number_type,
        input.end_user_type,
        req.regulation_sid,
        secretId,
        now,
      ],
    );
    await emitBundleUpdated(tx, row, null);
    const job = await deps.jobs.enqueue(tx, BUNDLE_JOB, { bundle_id: row.id }, { key: jobKey(row.id) });
    return { row, jobId: job.id };
  });
  await deps.jobs.runNow(jobId);
  return (await findBundle(deps.db, row.id)) ?? row;
}

function assertRejected(b: BundleRow, what: string): void {
  if (b.state === "rejected") return;
  throw new SubtextError(
    "bundle_not_rejected",
    409,
    `Bundle ${b.id} is ${b.state}: only a rejected bundle can be ${what}.`,
    {
      hint:
        b.state === "approved"
          ? "An approved bundle stays as it is; submit a new one for other data."
          : "Wait for Twilio's review (GET the bundle, or the bundle.updated webhook).",
    },
  );
}

/** Replaces a rejected bundle's end user, documents or address (validated like a new bundle). */
export async function patchBundle(
  deps: FlowDeps,
  tenant: TenantRow,
  id: string,
  patch: BundlePatch,
): Promise<BundleRow> {
  const b = await requireBundle(deps.db, tenant.id, id);
  assertRejected(b, "edited");
  const old = await readData(deps, b);
  const data = dataOf({
    email: patch.email ?? old.email,
    end_user: patch.end_user ?? old.end_user,
    documents: patch.documents ?? old.documents,
    address: patch.address === undefined ? old.address : patch.address,
  });
  const req = await readRequirements(deps, tenant, b);
  assertValidBundle(req, data);
  const now = deps.clock.now();
  return deps.db.tx(async (tx) => {
    const secretId = await deps.vault.store(tx, SECRET_PURPOSE, JSON.stringify(data));
    // The next submission makes new items at Twilio (named after it) and assigns them instead.
    const row = await tx.one<BundleRow>(
      `UPDATE regulatory_bundles SET data_secret_id = $2, generation = generation + 1, address_sid = NULL,
         end_user_sid = NULL, document_sids = '[]', updated_at = $3 WHERE id = $1 AND state = 'rejected' RETURNING *`,
      [b.id, secretId, now],
    );
    await deps.vault.forget(tx, b.data_secret_id);
    return row;
  });
}

/** Submits a rejected bundle again (after PATCH): the job updates the items and asks for review. */
export async function resubmitBundle(deps: FlowDeps, tenant: TenantRow, id: string): Promise<BundleRow> {
  const b = await requireBundle(deps.db, tenant.id, id);
  assertRejected(b, "resubmitted");
  const now = deps.clock.now();
  const jobId = await deps.db.tx(async (tx) => {
    const row = await tx.one<BundleRow>(
      `UPDATE regulatory_bundles SET state = 'submitted', failure = NULL, submitted_at = $2, completed_at = NULL,
         updated_at = $2 WHERE id = $1 RETURNING *`,
      [b.id, now],
    );
    await emitBundleUpdated(tx, row, b.state);
    const job = await deps.jobs.enqueue(
      tx,
      BUNDLE_JOB,
      { bundle_id: row.id },
      { key: jobKey(row.id), onConflict: "replace" },
    );
    return job.id;
  });
  await deps.jobs.runNow(jobId);
  return (await findBundle(deps.db, b.id))!;
}

async function setColumns(deps: FlowDeps, id: string, sets: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(sets);
  await deps.db.query(
    `UPDATE regulatory_bundles SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(", ")}, updated_at = $${keys.length + 2} WHERE id = $1`,
    [id, ...keys.map((k) => (k === "document_sids" ? JSON.stringify(sets[k]) : sets[k])), deps.clock.now()],
  );
}

/** Moves the bundle to a new state with its event (nothing when it already left `from`). */
async function transition(
  deps: FlowDeps,
  b: BundleRow,
  state: BundleState,
  extra: { twilio_status?: string | null; failure?: BundleRow["failure"] },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.tx(async (tx) => {
    const row = await tx.maybeOne<BundleRow>(
      `UPDATE regulatory_bundles SET state = $2::text, twilio_status = COALESCE($3::text, twilio_status),
         failure = $4::jsonb, updated_at = $5::timestamptz,
         completed_at = CASE WHEN $2::text IN ('approved', 'rejected') THEN $5::timestamptz ELSE NULL END
       WHERE id = $1 AND state = $6 AND generation = $7 RETURNING *`,
      [
        b.id,
        state,
        extra.twilio_status ?? null,
        extra.failure ? JSON.stringify(extra.failure) : null,
        now,
        b.state,
        b.generation,
      ],
    );
    if (row && row.state !== b.state) await emitBundleUpdated(tx, row, b.state);
  });
}

const tag = (b: BundleRow, item: string) => `subtext:${b.id}:${b.generation}:${item}`;

type Rc = TwilioClient["numbers"]["v2"]["regulatoryCompliance"];

/** The item a crashed attempt created under this name, else a new one. */
async function findOrCreate<T extends { sid: string; friendlyName: string }>(
  what: string,
  list: () => Promise<T[]>,
  name: string,
  create: () => Promise<T>,
): Promise<string> {
  const existing = (await twilioCall(`list ${what}`, list)).find((x) => x.friendlyName === name);
  if (existing) return existing.sid;
  return (await twilioCall(`create ${what}`, create)).sid;
}

/** Twilio's refusal of the bundle's data (a 4xx other than 429): it fails the bundle instead of retrying. */
function refusal(err: unknown): BundleReason | null {
  if (!(err instanceof SubtextError) || err.code !== "twilio_error") return null;
  return {
    code: "twilio_refused",
    message: err.message,
    document: null,
    requirement: null,
    twilio_code: err.twilio_code ?? null,
  };
}

async function build(
  deps: FlowDeps,
  client: TwilioClient,
  b: BundleRow,
  data: BundleData,
): Promise<BundleRow> {
  const rc: Rc = client.numbers.v2.regulatoryCompliance;
  const sets: Record<string, unknown> = {};
  let addressSid = b.address_sid;
  if (data.address && !addressSid) {
    const a = data.address;
    const name = tag(b, "address");
    addressSid = await findOrCreate(
      "addresses",
      () => client.addresses.list({ friendlyName: name, limit: 20 }),
      name,
      () =>
        client.addresses.create({
          friendlyName: name,
          customerName: a.customer_name,
          street: a.street,
          ...(a.street_secondary ? { streetSecondary: a.street_secondary } : {}),
          city: a.city,
          region: a.region,
          postalCode: a.postal_code,
          isoCountry: a.iso_country,
        }),
    );
    await setColumns(deps, b.id, { address_sid: addressSid });
    sets.address_sid = addressSid;
  }
  let endUserSid = b.end_user_sid;
  if (!endUserSid) {
    const name = tag(b, "end_user");
    endUserSid = await findOrCreate(
      "end users",
      () => rc.endUsers.list({ limit: 1000 }),
      name,
      () => rc.endUsers.create({ friendlyName: name, type: b.end_user_type, attributes: data.end_user }),
    );
    await setColumns(deps, b.id, { end_user_sid: endUserSid });
  }
  const documentSids = [...b.document_sids];
  if (documentSids.length < data.documents.length) {
    const existing = await twilioCall("list supporting documents", () =>
      rc.supportingDocuments.list({ limit: 1000 }),
    );
    for (let i = documentSids.length; i < data.documents.length; i++) {
      const d = data.documents[i];
      const key = tag(b, `document:${i}`);
      const name = d.name ? `${d.name} (${key})` : key;
      const attributes = { ...d.attributes, ...(addressSid ? { address_sids: [addressSid] } : {}) };
      const found = existing.find((x) => x.friendlyName === name);
      const sid =
        found?.sid ??
        (
          await twilioCall("create a supporting document", () =>
            rc.supportingDocuments.create({ friendlyName: name, type: d.type, attributes }),
          )
        ).sid;
      documentSids.push(sid);
      await setColumns(deps, b.id, { document_sids: documentSids });
    }
  }
  let bundleSid = b.bundle_sid;
  if (!bundleSid) {
    const name = `subtext:${b.id}`;
    bundleSid = await findOrCreate(
      "bundles",
      () => rc.bundles.list({ friendlyName: name, limit: 20 }),
      name,
      () =>
        rc.bundles.create({
          friendlyName: name,
          email: data.email,
          regulationSid: b.regulation_sid,
        }),
    );
    await setColumns(deps, b.id, { bundle_sid: bundleSid });
  }
  // The assignments: this submission's items, and none of an earlier one's.
  const want = new Set([endUserSid, ...documentSids]);
  const assigned = await twilioCall("list the bundle's items", () =>
    rc.bundles(bundleSid!).itemAssignments.list({ limit: 100 }),
  );
  for (const a of assigned) {
    if (!want.has(a.objectSid))
      await twilioCall("take an old item out of the bundle", () =>
        rc.bundles(bundleSid!).itemAssignments(a.sid).remove(),
      );
  }
  const have = new Set(assigned.map((a) => a.objectSid));
  for (const sid of want) {
    if (!have.has(sid))
      await twilioCall("assign an item to the bundle", () =>
        rc.bundles(bundleSid!).itemAssignments.create({ objectSid: sid }),
      );
  }
  return (await findBundle(deps.db, b.id))!;
}

interface EvaluationResult {
  passed?: boolean;
  requirement_name?: string;
  requirement_friendly_name?: string;
  failure_reason?: string | null;
  error_code?: number | null;
}

/** Why each rejected document failed, and the bundle's own reason. */
async function rejectionReasons(
  client: TwilioClient,
  b: BundleRow,
  bundleReason: string | null,
): Promise<BundleReason[]> {
  const rc: Rc = client.numbers.v2.regulatoryCompliance;
  const reasons: BundleReason[] = [];
  for (const [i, sid] of b.document_sids.entries()) {
    const d = await twilioCall("read a supporting document", () => rc.supportingDocuments(sid).fetch());
    if (d.status !== "rejected") continue;
    const code = (d.errors as { code?: number }[] | null)?.[0]?.code ?? null;
    reasons.push({
      code: "document_rejected",
      message: d.failureReason ?? "Twilio rejected the document.",
      document: i,
      requirement: null,
      twilio_code: code,
    });
  }
  if (bundleReason && !reasons.some((r) => r.message === bundleReason))
    reasons.push({
      code: "bundle_rejected",
      message: bundleReason,
      document: null,
      requirement: null,
      twilio_code: null,
    });
  if (reasons.length === 0)
    reasons.push({
      code: "bundle_rejected",
      message: "Twilio rejected the bundle without a reason.",
      document: null,
      requirement: null,
      twilio_code: null,
    });
  return reasons;
}

/** The bundle's own failure_reason (the SDK's Bundle instance does not carry it). */
async function bundleFailureReason(client: TwilioClient, sid: string): Promise<string | null> {
  const res = await twilioCall("read the bundle", () =>
    client.request({
      method: "get",
      uri: `https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles/${sid}`,
    }),
  );
  const body = (typeof res.body === "string" ? JSON.parse(res.body) : res.body) as {
    failure_reason?: string | null;
  };
  return body?.failure_reason ?? null;
}

/** The job gave up (a day of failed retries): the bundle is rejected so it can be resubmitted. */
export async function failStuckBundle(deps: FlowDeps, id: string, error: unknown): Promise<void> {
  const b = await findBundle(deps.db, id);
  if (!b || (b.state !== "submitted" && b.state !== "in_review")) return;
  const message = error instanceof Error ? error.message : String(error);
  await transition(deps, b, "rejected", {
    failure: {
      reasons: [{ code: "bundle_stuck", message, document: null, requirement: null, twilio_code: null }],
    },
  });
}

/** The job: build and submit (finding what a crashed attempt made), then follow the review. */
export async function runBundle(deps: FlowDeps, job: JobRow<BundlePayload>): Promise<Snooze | undefined> {
  let b = await findBundle(deps.db, job.payload.bundle_id);
  if (!b || (b.state !== "submitted" && b.state !== "in_review")) return;
  const tenant = await findTenant(deps.db, b.tenant_id);
  if (!tenant) return;
  const client = await tenantTwilio(deps, tenant);
  const rc: Rc = client.numbers.v2.regulatoryCompliance;

  let status = b.bundle_sid
    ? (await twilioCall("read the bundle", () => rc.bundles(b!.bundle_sid!).fetch())).status
    : null;
  // A rejection this submission has not been sent for yet: the edited items go to Twilio first.
  const reviewed = b.twilio_status === "pending-review" || b.twilio_status === "in-review";
  if (status === null || status === "draft" || (status === "twilio-rejected" && !reviewed)) {
    const data = await readData(deps, b);
    try {
      b = await build(deps, client, b, data);
    } catch (err) {
      const reason = refusal(err);
      if (!reason) throw err;
      await transition(deps, b, "rejected", { failure: { reasons: [reason] } });
      return;
    }
    // A crashed attempt may have submitted it already.
    status = (await twilioCall("read the bundle", () => rc.bundles(b!.bundle_sid!).fetch())).status;
  }
  if (status === "draft" || (status === "twilio-rejected" && !reviewed)) {
    const evaluation = await twilioCall("evaluate the bundle", () =>
      rc.bundles(b!.bundle_sid!).evaluations.create(),
    );
    if (evaluation.status !== "compliant") {
      const reasons = (evaluation.results as EvaluationResult[])
        .filter((r) => !r.passed)
        .map((r) => ({
          code: "evaluation_failed",
          message: r.failure_reason ?? `${r.requirement_friendly_name ?? r.requirement_name} is not met.`,
          document: null,
          requirement: r.requirement_name ?? null,
          twilio_code: r.error_code ?? null,
        }));
      await transition(deps, b, "rejected", { twilio_status: "draft", failure: { reasons } });
      return;
    }
    try {
      status = (
        await twilioCall("submit the bundle", () =>
          rc.bundles(b!.bundle_sid!).update({ status: "pending-review" }),
        )
      ).status;
    } catch (err) {
      const reason = refusal(err);
      if (!reason) throw err;
      await transition(deps, b, "rejected", { failure: { reasons: [reason] } });
      return;
    }
    await setColumns(deps, b.id, { twilio_status: status });
  }

  const now = deps.clock.now();
  if (status === "twilio-approved") {
    await transition(deps, b, "approved", { twilio_status: status });
    return;
  }
  if (status === "twilio-rejected") {
    const reasons = await rejectionReasons(client, b, await bundleFailureReason(client, b.bundle_sid!));
    await transition(deps, b, "rejected", { twilio_status: status, failure: { reasons } });
    return;
  }
  if (status === "in-review" && b.state === "submitted")
    await transition(deps, b, "in_review", { twilio_status: status });
  else await setColumns(deps, b.id, { twilio_status: status });
  // 30 s, then half the time waited so far, at most an hour (Twilio reviews in 1–3 business days).
  const waited = now.getTime() - (b.submitted_at ?? b.created_at).getTime();
  return { retryAt: new Date(now.getTime() + Math.min(MAX_POLL_MS, Math.max(30_000, waited / 2))) };
}
