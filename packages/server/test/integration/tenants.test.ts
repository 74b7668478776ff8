import twilio from "twilio";
import { emulatorHttpClient } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantTwilio } from "../../src/tenancy/credentials.js";
import { findTenant } from "../../src/tenancy/tenants.js";
import { type ApiResponse, type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

type EmulatorAccount = { sid: string; owner_account_sid: string; friendly_name: string; status: string };
const accounts = async () =>
  (await stack.emulator.control<{ accounts: EmulatorAccount[] }>("GET", "accounts")).accounts;
const parentSdk = () =>
  twilio(stack.emulator.parent.sid, stack.emulator.parent.authToken, {
    httpClient: emulatorHttpClient(stack.emulator.url),
  });

describe("creating a tenant", () => {
  it("creates its Twilio subaccount, named after it, and one API key in that subaccount", async () => {
    const res = await stack.api("POST", "/v1/tenants", {
      body: { name: "Jane's Bakery", environment: "staging" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Jane's Bakery", environment: "staging", status: "active" });
    expect(res.body.id).toMatch(/^ten_[0-9A-Z]{26}$/);

    const sub = (await accounts()).find((a) => a.sid === res.body.subaccount_sid);
    expect(sub).toMatchObject({
      owner_account_sid: stack.emulator.parent.sid,
      friendly_name: `Jane's Bakery (${res.body.id})`,
      status: "active",
    });
    const keys = await parentSdk().api.v2010.accounts(res.body.subaccount_sid).keys.list();
    expect(keys.map((k) => k.sid)).toEqual([res.body.twilio_key_sid]);
  });

  it("defaults the environment to production and lists tenants newest first with a cursor", async () => {
    const a = await stack.api("POST", "/v1/tenants", { body: { name: "First" } });
    const b = await stack.api("POST", "/v1/tenants", { body: { name: "Second" } });
    expect(a.body.environment).toBe("production");
    const page1 = await stack.api("GET", "/v1/tenants?limit=1");
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((t: { id: string }) => t.id)).toEqual([b.body.id]);
    expect(page1.body.has_more).toBe(true);
    const page2 = await stack.api("GET", `/v1/tenants?limit=1&starting_after=${page1.body.next_cursor}`);
    expect(page2.body.data.map((t: { id: string }) => t.id)).toEqual([a.body.id]);
  });

  it("makes the tenant's Twilio calls with its own key, not the parent's credentials", async () => {
    const { tenant } = await stack.newTenant();
    const row = (await findTenant(stack.db, tenant.id))!;
    const client = await tenantTwilio(stack.services, row);
    expect(client.username).toBe(tenant.twilio_key_sid);
    expect(client.accountSid).toBe(tenant.subaccount_sid);
    // A standard key works inside its account (it may not read the account itself, as on Twilio).
    const numbers = await client.api.v2010
      .accounts(tenant.subaccount_sid)
      .incomingPhoneNumbers.list({ limit: 1 });
    expect(numbers).toEqual([]);

    // Deleting that key in Twilio breaks the tenant's calls: they really depend on it.
    await parentSdk().api.v2010.accounts(tenant.subaccount_sid).keys(tenant.twilio_key_sid).remove();
    await expect(
      client.api.v2010.accounts(tenant.subaccount_sid).incomingPhoneNumbers.list({ limit: 1 }),
    ).rejects.toMatchObject({
      status: 401,
    });
  });

  it("resumes after a crash without creating a second subaccount or leaving an orphaned key", async () => {
    // A previous attempt created the subaccount and a key in Twilio, then died before
    // recording either: only the pending row and its job survived.
    const { createTenantRowForTest } = await pendingTenant("Crashy Co");
    const orphanParent = parentSdk();
    const sub = await orphanParent.api.v2010.accounts.create({
      friendlyName: createTenantRowForTest.friendly_name,
    });
    const orphan = await orphanParent.api.v2010
      .accounts(sub.sid)
      .newKeys.create({ friendlyName: `Subtext (${createTenantRowForTest.id})` });

    await stack.clock.advance(2 * 60_000);
    await stack.jobs.runDue();

    const row = (await findTenant(stack.db, createTenantRowForTest.id))!;
    expect(row.status).toBe("active");
    expect(row.subaccount_sid).toBe(sub.sid);
    const named = (await accounts()).filter((a) => a.friendly_name === createTenantRowForTest.friendly_name);
    expect(named).toHaveLength(1);
    const keys = await orphanParent.api.v2010.accounts(sub.sid).keys.list();
    expect(keys.map((k) => k.sid)).toEqual([row.twilio_key_sid]);
    expect(row.twilio_key_sid).not.toBe(orphan.sid);
  });

  it("keeps the tenant as provisioning with the error when Twilio fails, and finishes it later", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 503,
      path: "/2010-04-01/Accounts.json",
    });
    let res: ApiResponse;
    try {
      res = await stack.api("POST", "/v1/tenants", { body: { name: "Unlucky Ltd" } });
    } finally {
      await stack.emulator.control("DELETE", "faults");
    }
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("provisioning");
    expect(res.body.provisioning_error).toMatchObject({ code: "twilio_unavailable" });

    await stack.clock.advance(60 * 60_000);
    await stack.jobs.runDue();
    const after = await stack.api("GET", `/v1/tenants/${res.body.id}`);
    expect(after.body).toMatchObject({ status: "active", provisioning_error: null });
    expect(after.body.subaccount_sid).toMatch(/^AC/);
  });
});

describe("suspending and closing a tenant", () => {
  it("suspends, reactivates and closes its subaccount too, and keeps its records", async () => {
    const { tenant, key } = await stack.newTenant();
    const status = async () => (await accounts()).find((a) => a.sid === tenant.subaccount_sid)?.status;

    const suspended = await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "suspended" } });
    expect(suspended.body.status).toBe("suspended");
    expect(await status()).toBe("suspended");
    const refused = await stack.api("GET", `/v1/tenants/${tenant.id}`, { token: key });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("tenant_suspended");

    await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "active" } });
    expect(await status()).toBe("active");
    expect((await stack.api("GET", `/v1/tenants/${tenant.id}`, { token: key })).status).toBe(200);

    const closed = await stack.api("PATCH", `/v1/tenants/${tenant.id}`, {
      body: { status: "closed", name: "Gone Inc" },
    });
    expect(closed.body).toMatchObject({
      status: "closed",
      name: "Gone Inc",
      subaccount_sid: tenant.subaccount_sid,
    });
    expect(closed.body.closed_at).not.toBeNull();
    expect(await status()).toBe("closed");
    expect((await stack.api("GET", `/v1/tenants/${tenant.id}`)).body.status).toBe("closed");
  });

  it("refuses to reopen a closed tenant, with a stable code and no change", async () => {
    const { tenant } = await stack.newTenant();
    await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "closed" } });
    const res = await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "active" } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("tenant_closed");
    expect((await stack.api("GET", `/v1/tenants/${tenant.id}`)).body.status).toBe("closed");
    const keyRes = await stack.api("POST", `/v1/tenants/${tenant.id}/api-keys`, { body: {} });
    expect(keyRes.status).toBe(409);
  });

  it("changes nothing locally when Twilio refuses the status change", async () => {
    const { tenant } = await stack.newTenant();
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 500,
      path: `/2010-04-01/Accounts/${tenant.subaccount_sid}.json`,
    });
    try {
      const res = await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "suspended" } });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("twilio_unavailable");
    } finally {
      await stack.emulator.control("DELETE", "faults");
    }
    expect((await stack.api("GET", `/v1/tenants/${tenant.id}`)).body.status).toBe("active");
  });
});

/** The state a crash right after the first commit leaves behind: a pending row and its job. */
async function pendingTenant(name: string) {
  const { insertPendingTenant, friendlyNameFor } = await import("../../src/tenancy/tenants.js");
  const { newId } = await import("../../src/db/ids.js");
  const { PROVISION_TENANT } = await import("../../src/tenancy/provision.js");
  const id = newId("ten");
  const row = await stack.db.tx(async (tx) => {
    const r = await insertPendingTenant(tx, {
      id,
      name,
      environment: "production",
      friendlyName: friendlyNameFor(name, id),
    });
    await stack.jobs.enqueue(
      tx,
      PROVISION_TENANT,
      { tenant_id: id },
      {
        key: `${PROVISION_TENANT}:${id}`,
        runAt: new Date(stack.clock.now().getTime() + 60_000),
      },
    );
    return r;
  });
  return { createTenantRowForTest: row };
}
