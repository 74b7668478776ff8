import { describe, expect, it } from "vitest";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

describe("accounts and keys", () => {
  it("a parent creates a subaccount that answers with Twilio's fields and a fresh auth token", async () => {
    const sub = await em.parent.api.v2010.accounts.create({ friendlyName: "Sleepwell Inn" });
    expect(sub.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(sub.ownerAccountSid).toBe(em.emulator.parent.sid);
    expect(sub.friendlyName).toBe("Sleepwell Inn");
    expect(sub.status).toBe("active");
    expect(sub.authToken).toMatch(/^[0-9a-f]{32}$/);
    expect(sub.dateCreated).toBeInstanceOf(Date);
    const fetched = await em.parent.api.v2010.accounts(sub.sid).fetch();
    expect(fetched.friendlyName).toBe("Sleepwell Inn");
  });

  it("lists subaccounts page by page and filters by friendly name", async () => {
    for (let i = 0; i < 5; i++) await em.parent.api.v2010.accounts.create({ friendlyName: `Paging ${i}` });
    const all = await em.parent.api.v2010.accounts.list({ pageSize: 2 });
    expect(all.filter((a) => a.friendlyName.startsWith("Paging")).length).toBe(5);
    const page = await em.parent.api.v2010.accounts.page({ pageSize: 2 });
    expect(page.instances.length).toBe(2);
    expect(page.nextPageUrl).toContain("PageToken=");
    const named = await em.parent.api.v2010.accounts.list({ friendlyName: "Paging 3" });
    expect(named.map((a) => a.friendlyName)).toEqual(["Paging 3"]);
  });

  it("an API key created in a subaccount acts on that subaccount only", async () => {
    const sub = await em.parent.api.v2010.accounts.create({ friendlyName: "Key owner" });
    const key = await em.parent.api.v2010.accounts(sub.sid).newKeys.create({ friendlyName: "subtext" });
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(key.secret.length).toBeGreaterThanOrEqual(32);

    const asKey = em.client(key.sid, key.secret, sub.sid);
    const sibling = await em.parent.api.v2010.accounts.create({ friendlyName: "Sibling" });
    const denied = await twilioError(asKey.api.v2010.accounts(sibling.sid).fetch());
    expect(denied).toMatchObject({ status: 401, code: 20003 });
    const parentDenied = await twilioError(asKey.api.v2010.accounts(em.emulator.parent.sid).fetch());
    expect(parentDenied.code).toBe(20003);
    // Standard keys cannot manage keys or accounts, as Twilio's.
    const manage = await twilioError(asKey.api.v2010.accounts(sub.sid).newKeys.create({}));
    expect(manage.code).toBe(20003);

    const listed = await em.parent.api.v2010.accounts(sub.sid).keys.list();
    expect(listed.map((k) => k.sid)).toContain(key.sid);
    await em.parent.api.v2010.accounts(sub.sid).keys(key.sid).remove();
    const revoked = await twilioError(asKey.api.v2010.accounts(sub.sid).fetch());
    expect(revoked).toMatchObject({ status: 401, code: 20003 });
  });

  it("a subaccount's own credentials cannot see a sibling", async () => {
    const a = await em.parent.api.v2010.accounts.create({ friendlyName: "A" });
    const b = await em.parent.api.v2010.accounts.create({ friendlyName: "B" });
    const asA = em.client(a.sid, a.authToken);
    expect((await twilioError(asA.api.v2010.accounts(b.sid).fetch())).code).toBe(20003);
    const own = await asA.api.v2010.accounts.list();
    expect(own.map((x) => x.sid)).toEqual([a.sid]);
  });

  it("a suspended subaccount's credentials stop working until it is reactivated; closed is final", async () => {
    const sub = await em.parent.api.v2010.accounts.create({ friendlyName: "Suspend me" });
    const asSub = em.client(sub.sid, sub.authToken);
    await em.parent.api.v2010.accounts(sub.sid).update({ status: "suspended" });
    expect((await twilioError(asSub.api.v2010.accounts(sub.sid).fetch())).code).toBe(20005);
    await em.parent.api.v2010.accounts(sub.sid).update({ status: "active" });
    expect((await asSub.api.v2010.accounts(sub.sid).fetch()).status).toBe("active");
    await em.parent.api.v2010.accounts(sub.sid).update({ status: "closed" });
    const reopen = await twilioError(em.parent.api.v2010.accounts(sub.sid).update({ status: "active" }));
    expect(reopen.status).toBe(400);
  });

  it("wrong credentials get 20003 with Twilio's error body", async () => {
    const bad = em.client(em.emulator.parent.sid, "not-the-token");
    const err = await twilioError(bad.api.v2010.accounts.list());
    expect(err).toMatchObject({ status: 401, code: 20003 });
  });

  it("the control API lists every account with its token", async () => {
    const { accounts } = await em.control("GET", "accounts");
    const parent = accounts.find((a: any) => a.sid === em.emulator.parent.sid);
    expect(parent.auth_token).toBe(em.emulator.parent.authToken);
    expect(parent.owner_account_sid).toBe(parent.sid);
  });
});
