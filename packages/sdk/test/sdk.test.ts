import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToSend } from "../../server/test/support/messaging.js";
import { type Receiver, startReceiver } from "../../server/test/integration/events-receiver.js";
import { type Stack, openTestDb, startStack } from "../../server/test/integration/harness.js";
import {
  DOCUMENT_FILE,
  REGENERATE,
  SCHEMA_FILE,
  buildOpenApiDocument,
  documentChanges,
  renderSchema,
} from "../scripts/generation.js";
import {
  type LowVolumeStandardRegistration,
  type RegistrationDocument,
  type Subtext,
  SubtextApiError,
  WebhookVerificationError,
  createSubtext,
  isSubtextApiError,
  verifyWebhook,
} from "../src/index.js";

/** The error a call rejected with (fails the test if it resolved). */
async function failure(promise: Promise<unknown>): Promise<SubtextApiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected an error, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SubtextApiError);
  return outcome.error as SubtextApiError;
}

// Building the document migrates a fresh database: seconds, more on a loaded machine. Inline
// vitest projects do not inherit the root config's timeouts, so they are set here.
const SLOW = { timeout: 60_000 };
const SETUP_MS = 120_000;

describe("the SDK's generated files", SLOW, () => {
  it("openapi.json is the document the server builds now", async () => {
    const testDb = await openTestDb();
    const current = await buildOpenApiDocument(testDb.db).finally(() => testDb.drop());
    const committed = JSON.parse(readFileSync(DOCUMENT_FILE, "utf8"));
    expect(
      documentChanges(committed, current),
      `packages/sdk/openapi.json is stale: run \`${REGENERATE}\``,
    ).toEqual([]);
  });

  it("src/schema.ts holds the types generated from openapi.json", async () => {
    const committed = JSON.parse(readFileSync(DOCUMENT_FILE, "utf8"));
    const fresh = readFileSync(SCHEMA_FILE, "utf8") === (await renderSchema(committed));
    expect(fresh, `packages/sdk/src/schema.ts is stale or edited by hand: run \`${REGENERATE}\``).toBe(true);
  });
});

describe("the SDK against a running stack", SLOW, () => {
  let stack: Stack;
  let admin: Subtext;
  const client = (token: string) => createSubtext({ baseUrl: stack.url, token });

  beforeAll(async () => {
    stack = await startStack({ workers: "manual" });
    admin = client(stack.adminToken);
  }, SETUP_MS);
  afterAll(() => stack?.close());

  it("tells an admin how the deployment runs, through the fetch it was given", async () => {
    const seen: Request[] = [];
    const traced = createSubtext({
      baseUrl: `${stack.url}/`,
      token: stack.adminToken,
      fetch: (input) => {
        seen.push(input as Request);
        return fetch(input);
      },
    });
    const system = await traced.system.get();
    expect(system).toMatchObject({ mode: "sandbox", engine: stack.engine, emulator_url: stack.emulator.url });
    expect(system.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(seen.map((r) => [r.method, r.url, r.headers.get("authorization")])).toEqual([
      ["GET", `${stack.url}/v1/system`, `Bearer ${stack.adminToken}`],
    ]);
  });

  it("creates a tenant and a key, and the key acts as that tenant only", async () => {
    const tenant = await admin.tenants.create({ name: "Jane's Bakery" });
    expect(tenant).toMatchObject({ name: "Jane's Bakery", status: "active" });
    expect(tenant.id).toMatch(/^ten_/);
    expect(await admin.tenants.get(tenant.id)).toMatchObject({ id: tenant.id, name: "Jane's Bakery" });
    const listed: string[] = [];
    for await (const t of admin.tenants.listAll({ limit: 1 })) listed.push(t.id);
    expect(listed).toContain(tenant.id);

    const key = await admin.apiKeys.create(tenant.id, { name: "backend" });
    expect(key.key).toMatch(/^sk_/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const asTenant = client(key.key);
    const page = await asTenant.messages.list();
    expect(page).toEqual({ data: [], has_more: false, next_cursor: null });
    const refused = await failure(asTenant.system.get());
    expect(refused).toMatchObject({ status: 403, code: "admin_required" });

    const suspended = await admin.tenants.update(tenant.id, { status: "suspended" });
    expect(suspended.status).toBe("suspended");
  });

  it("throws a typed error with the API's code, hint, details and request id on bad input", async () => {
    const invalid = await failure(admin.tenants.create({ name: 42 as unknown as string }));
    expect(invalid).toMatchObject({ name: "SubtextApiError", status: 400, code: "invalid_request" });
    expect(invalid.hint).toEqual(expect.any(String));
    expect(invalid.details.length).toBeGreaterThan(0);
    expect(invalid.requestId).toMatch(/^req_/);
    expect(isSubtextApiError(invalid, "invalid_request")).toBe(true);

    const missing = await failure(admin.tenants.get("ten_01JC0000000000000000000000"));
    expect(missing).toMatchObject({ status: 404, code: "not_found" });

    const wrongToken = await failure(client("sk_not_a_key").messages.list());
    expect(wrongToken.status).toBe(401);
  });

  it("refuses to send for a tenant without an approved registration, with the reason", async () => {
    const { key } = await stack.newTenant();
    const refused = await failure(client(key).messages.send({ to: "+14155550100", body: "hi" }));
    expect(refused).toMatchObject({ status: 403, code: "registration_required" });
    expect(refused.hint).toMatch(/registrations/);
  });

  it("recommends a path, then validates and submits a typed registration document", async () => {
    const { tenant, key } = await stack.newTenant();
    const subtext = client(key);
    const recommendation = await subtext.registrations.recommend({
      has_tax_id: true,
      country: "US",
      expected_daily_volume: 800,
      sender_type_wanted: "10dlc",
    });
    expect(recommendation).toMatchObject({
      kind: "low_volume_standard",
      daily_caps: { total: { max: 6000 } },
    });

    const document: LowVolumeStandardRegistration = {
      kind: "low_volume_standard",
      business: {
        legal_name: "Cedar Lane Veterinary Clinic LLC",
        tax_id: "83-2047516",
        tax_id_country: "US",
        business_type: "Limited Liability Corporation",
        business_industry: "HEALTHCARE",
        website: "https://cedarlanevet.com",
        address: {
          street: "418 Cedar Ln",
          city: "Madison",
          region: "WI",
          postal_code: "53703",
          iso_country: "US",
        },
        contact: {
          first_name: "Tom",
          last_name: "Becker",
          email: "tom@cedarlanevet.com",
          phone_number: "+16085550132",
          job_title: "GM",
        },
      },
      campaign: {
        use_case: "ACCOUNT_NOTIFICATION",
        description: "Cedar Lane Veterinary Clinic reminds pet owners of the appointments they booked.",
        message_flow:
          "Pet owners tick an unchecked SMS consent box on the booking form at https://cedarlanevet.com/book. Terms: https://cedarlanevet.com/terms; privacy: https://cedarlanevet.com/privacy.",
        message_samples: [
          "Cedar Lane Vet: [pet_name] is booked for [date] at [time]. Reply STOP to opt out.",
          "Cedar Lane Vet: [pet_name] is ready for pickup. Reply HELP for help, STOP to opt out.",
        ],
        has_embedded_links: false,
        has_embedded_phone: false,
      },
    };
    expect(await subtext.registrations.validate(document)).toEqual({ ok: true, findings: [] });

    // The types know which parts each kind has; so does the server.
    const mixed: RegistrationDocument = {
      kind: "toll_free",
      business: document.business,
      // @ts-expect-error a toll-free document has `toll_free`, not `campaign`
      campaign: document.campaign,
    };
    const judged = await subtext.registrations.validate(mixed);
    expect(judged.findings).toContainEqual(
      expect.objectContaining({ path: "campaign", code: "unknown_field" }),
    );

    const refused = await failure(
      subtext.registrations.create(tenant.id, {
        ...document,
        business: { ...document.business, tax_id: "12-34" },
      }),
    );
    expect(refused).toMatchObject({ status: 422, code: "registration_invalid" });
    expect(refused.details).toContainEqual(
      expect.objectContaining({ path: "business.tax_id", code: "ein_invalid" }),
    );

    const registration = await subtext.registrations.create(tenant.id, document);
    expect(registration).toMatchObject({ kind: "low_volume_standard", state: "submitted", document });
  });

  it("sends once per idempotency key, then reads, lists and cancels messages", async () => {
    const ready = await readyToSend(stack);
    const tenant = client(ready.key);
    const sendAt = new Date(stack.clock.now().getTime() + 3_600_000).toISOString();
    const input = { to: "+14155550111", body: "Your order is ready", send_at: sendAt };

    const first = await tenant.messages.send(input, { idempotencyKey: "order-42" });
    expect(first).toMatchObject({ status: "scheduled", to: "+14155550111", segments: 1, encoding: "GSM-7" });
    const again = await tenant.messages.send(input, { idempotencyKey: "order-42" });
    expect(again.id).toBe(first.id);
    const conflict = await failure(
      tenant.messages.send({ ...input, body: "Something else" }, { idempotencyKey: "order-42" }),
    );
    expect(conflict).toMatchObject({ status: 409, code: "idempotency_conflict" });

    const batch = await tenant.messages.sendBatch(
      [
        { ...input, to: "+14155550112" },
        { to: "not a number", body: "x" },
      ],
      { idempotencyKey: "batch-1" },
    );
    expect(batch).toMatchObject({ accepted: 1, rejected: 1 });
    expect(batch.results[1]).toMatchObject({ index: 1, accepted: false });

    expect((await tenant.messages.get(first.id)).id).toBe(first.id);
    const scheduled = await tenant.messages.list({ status: "scheduled" });
    expect(scheduled.data.map((m) => m.id).sort()).toEqual([first.id, batch.results[0].id].sort());
    expect((await tenant.messages.cancel(first.id)).status).toBe("canceled");
  });

  it("answers a send to an opted-out recipient with the code the README's example branches on", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const documented = [...readme.matchAll(/isSubtextApiError\(err, "([a-z_]+)"\)/g)].map((m) => m[1]);
    expect(documented).toHaveLength(1);
    const tenant = client((await readyToSend(stack)).key);
    await tenant.optOuts.add({ phone: "+14155550199" });
    const refused = await failure(tenant.messages.send({ to: "+14155550199", body: "Hi" }));
    expect(refused).toMatchObject({ status: 409, twilioCode: 21610 });
    expect(isSubtextApiError(refused, documented[0])).toBe(true);
    // The README's list of codes to branch on names it too.
    expect(readme).toContain(`\`${refused.code}\``);
  });

  describe("webhooks", () => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(() => receiver?.close());

    it("verifies a real delivery with the endpoint's secret, and refuses a forged one", async () => {
      const { key, tenant } = await stack.newTenant();
      const asTenant = client(key);
      const endpoint = await asTenant.webhookEndpoints.create({
        url: `${receiver.url}/hooks`,
        event_types: ["optout.changed"],
      });
      expect(endpoint.secret).toMatch(/^whsec_/);
      await asTenant.optOuts.add({ phone: "+14155550123", reason: "asked by phone" });
      expect((await asTenant.optOuts.list()).data.map((o) => o.phone)).toEqual(["+14155550123"]);

      await stack.jobs.runDue();
      const [got] = receiver.at("/hooks");
      const event = verifyWebhook(got.body, got.headers, endpoint.secret);
      expect(event).toMatchObject({ type: "optout.changed", tenant_id: tenant.id });
      expect(event.id).toBe(got.headers["webhook-id"]);
      const fetchHeaders = new Headers(got.headers as Record<string, string>);
      expect(verifyWebhook(new TextEncoder().encode(got.body), fetchHeaders, endpoint.secret)).toEqual(event);

      const otherSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
      expect(() => verifyWebhook(got.body, fetchHeaders, otherSecret)).toThrow(WebhookVerificationError);
      expect(verifyWebhook(got.body, fetchHeaders, [otherSecret, endpoint.secret])).toEqual(event);
      const forged = got.body.replace("optout.changed", "message.delivered");
      expect(() => verifyWebhook(forged, fetchHeaders, endpoint.secret)).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(got.body, {}, endpoint.secret)).toThrow(/webhook-id/);
    });
  });
});
