import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namedExample } from "../docs/markdown.js";
import { subtextProcesses } from "./subtext-processes.js";

const ADMIN = `st_admin_${randomBytes(18).toString("hex")}`;

const processes = subtextProcesses(ADMIN);
afterAll(processes.close);
const { run } = processes;

async function get(base: string, path: string, token: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
}

describe("subtext demo against a running subtext start", { timeout: 120_000 }, () => {
  let api: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = await processes.freshEnv("demo");
    api = (await processes.startSubtext(env)).api;
  }, 180_000);

  it("creates an approved tenant, delivers a message and shows the handset's answer, in under a minute", async () => {
    // The admin token from the environment, as after `export SUBTEXT_ADMIN_TOKEN=…`.
    const started = Date.now();
    const demo = await run(env, "demo", "--url", api);
    expect(demo.out).not.toMatch(/^error:/m);
    expect(demo.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);

    // Each step, with the curl that does the same.
    const out = demo.out;
    for (const line of [
      /\$ curl -s "\$SUBTEXT\/v1\/system" -H "Authorization: Bearer \$ADMIN"/,
      /\$ curl -s -X POST "\$SUBTEXT\/v1\/tenants" -H "Authorization: Bearer \$ADMIN" .* -d '\{"name":/,
      /\$ curl -s -X POST "\$SUBTEXT\/v1\/tenants\/ten_\w+\/registrations" -H "Authorization: Bearer \$KEY" .*"kind":"sole_proprietor"/,
      /\$ curl -s -X POST "\$SUBTEXT\/v1\/sandbox\/clock\/advance" .* -d '\{"by":"5m"\}'/,
      /\$ curl -s -X POST "\$EMULATOR\/_emulator\/handsets\/%2B1\d{10}\/otp-reply" -H "Authorization: Bearer \$EMULATOR_TOKEN" .* -d '\{"body":"YES"\}'/,
      /\$ curl -s -X POST "\$SUBTEXT\/v1\/messages" -H "Authorization: Bearer \$KEY"/,
      /\$ curl -s -X POST "\$EMULATOR\/_emulator\/handsets\/%2B1\d{10}\/messages" /,
      /\$ curl -s "\$SUBTEXT\/v1\/messages\?from=%2B1\d{10}" -H "Authorization: Bearer \$KEY"/,
    ]) {
      expect(out).toMatch(line);
    }
    expect(out).toMatch(/: approved$/m);

    // The document it registers is docs/onboarding.md's example, with a handset number of its own.
    const posted = JSON.parse(/\/registrations" .* -d '(\{.*\})'$/m.exec(out)![1]);
    const example = JSON.parse(namedExample("docs/onboarding.md", "sole_proprietor").text);
    expect(posted.business.mobile_phone_number).toMatch(/^\+151255501\d\d$/);
    expect(posted).toEqual({
      ...example,
      business: { ...example.business, mobile_phone_number: posted.business.mobile_phone_number },
    });
    expect(out).not.toContain(ADMIN); // the admin token is the user's; the demo never prints it

    // What the demo claims, as the API shows it afterwards.
    const done =
      /Done in [\d.]+ s: tenant (ten_\w+) is approved, message (msg_\w+) delivered, reply (msg_\w+) received/.exec(
        out,
      );
    expect(done).not.toBeNull();
    const [, tenantId, messageId, replyId] = done!;
    const key = /KEY=(sk_\S+)/.exec(out)![1];

    const registrations = await get(api, `/v1/tenants/${tenantId}/registrations`, key);
    expect(registrations.status).toBe(200);
    const list = registrations.body.data ?? registrations.body;
    expect(list.map((r: any) => r.state)).toEqual(["approved"]);

    const message = await get(api, `/v1/messages/${messageId}`, key);
    expect(message.body).toMatchObject({ direction: "outbound", status: "delivered" });
    const reply = await get(api, `/v1/messages/${replyId}`, key);
    expect(reply.body).toMatchObject({
      direction: "inbound",
      status: "received",
      from: message.body.to,
      to: message.body.from,
      body: "Thank you! Someone will be home.",
    });

    // Again on the same sandbox: a second demo tenant of its own.
    const again = await run(env, "demo", "--url", api);
    expect(again.code).toBe(0);
    expect(/tenant (ten_\w+) is approved/.exec(again.out)![1]).not.toBe(tenantId);
  });

  it("says how to give the admin token when it has none, and stops", async () => {
    const { SUBTEXT_ADMIN_TOKEN: _, ...noToken } = env;
    const demo = await run(noToken, "demo", "--url", api);
    expect(demo.code).toBe(1);
    expect(demo.out).toContain(
      "subtext demo needs the admin token: pass --admin-token st_admin_… or set SUBTEXT_ADMIN_TOKEN",
    );
    expect(demo.out).not.toContain("$ curl");

    const wrong = await run(
      noToken,
      "demo",
      "--url",
      api,
      "--admin-token",
      `st_admin_${randomBytes(18).toString("hex")}`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/refused the admin token \(401\)/);

    // The flag works as well as the variable (the start banner prints the token once).
    const flagged = await run(noToken, "demo", "--url", api, "--admin-token", ADMIN);
    expect(flagged.code).toBe(0);
  });

  it("refuses live mode with a clear message, before calling anything", async () => {
    const demo = await run(
      {
        ...env,
        TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString("hex")}`,
        TWILIO_AUTH_TOKEN: randomBytes(16).toString("hex"),
      },
      "demo",
      "--url",
      api,
    );
    expect(demo.code).toBe(1);
    expect(demo.out).toMatch(/^error: subtext demo runs in sandbox mode only: .*live mode/m);
    expect(demo.out).not.toContain("$ curl");
  });
});
