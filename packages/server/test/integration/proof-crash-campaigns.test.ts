/**
 * Crash proof for added campaigns and brand vettings: a real `subtext` process adds a campaign
 * to an approved low-volume standard brand and asks for secondary vetting; each time Twilio (the
 * emulator) has done a create whose answer never arrives (hang_after), the process is killed
 * with SIGKILL. A runtime in this process then finishes the work on a ManualClock. The
 * subaccount ends up with exactly what the same work without crashes creates — none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/jobs/clock.js";
import { type Deployment, deploy, expireLeases, inProcess, onboardTenants } from "../proof/deployment.js";
import { type OnboardingStack, driveRegistrations } from "../support/onboarding.js";

const NOT_RESOURCES = new Set(["messages", "accounts", "keys", "messaging_settings"]);
const CHECKS = new Set(["trusthub_evaluations"]);

const campaign = {
  use_case: "2FA",
  description:
    "Acme Sandwich Company sends one-time sign-in codes to customers who log in on acmesandwich.com.",
  message_flow:
    "Customers enter their mobile number and tick the unchecked SMS consent box at https://acmesandwich.com/login. Terms: https://acmesandwich.com/terms; privacy: https://acmesandwich.com/privacy.",
  message_samples: [
    "Acme Sandwich Company: your sign-in code is [code]. Reply STOP to opt out.",
    "Acme Sandwich Company: [code] is your code. Reply HELP for help, STOP to opt out.",
  ],
  has_embedded_links: false,
  has_embedded_phone: false,
};

let d: Deployment;
let tenants: { tenant: { id: string; subaccount_sid: string } }[];

function resources(subaccountSid: string): Record<string, number> {
  const collections = (d.emulator.world.store as unknown as { collections: Map<string, Map<string, any>> })
    .collections;
  const out: Record<string, number> = {};
  for (const [name, docs] of collections) {
    if (NOT_RESOURCES.has(name)) continue;
    const n = [...docs.values()].filter((doc) => doc.account_sid === subaccountSid).length;
    if (n > 0) out[name] = n;
  }
  return out;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const n = (after[name] ?? 0) - (before[name] ?? 0);
    if (n !== 0) out[name] = n;
  }
  return out;
}

async function registrationOf(tenantId: string): Promise<string> {
  const { rows } = d.testDb
    ? await d.testDb.db.query<{ id: string }>("SELECT id FROM registrations WHERE tenant_id = $1", [tenantId])
    : { rows: [] as { id: string }[] };
  if (rows[0]) return rows[0].id;
  return (await d.api("GET", `/v1/tenants/${tenantId}/registrations`)).body.data[0].id;
}

/** Drives the added campaign to approved and the vetting to its end, on a ManualClock. */
async function finish(stack: OnboardingStack, tenantId: string, cid: string) {
  await driveRegistrations(stack, [{ tenantId, id: cid }]);
  for (let i = 0; i < 20; i++) {
    const { rows } = await stack.db.query<{ state: string }>(
      "SELECT v.state FROM registration_vettings v WHERE v.tenant_id = $1",
      [tenantId],
    );
    if (rows.length > 0 && rows.every((r) => r.state !== "in_progress")) return rows.map((r) => r.state);
    // Both clocks to the vetting job's next run (at least a minute: the review's time at Twilio).
    const next = await stack.db.maybeOne<{ at: Date | null }>(
      "SELECT min(run_at) AS at FROM jobs WHERE kind = 'onboarding.vetting' AND failed_at IS NULL",
    );
    const ms = Math.max(60_000, (next?.at?.getTime() ?? 0) - stack.clock.now().getTime());
    await stack.emulator.control("POST", "clock/advance", { seconds: Math.ceil(ms / 1000) });
    stack.clock.advance(ms);
    await stack.jobs.runDue();
  }
  throw new Error("the vetting did not finish");
}

beforeAll(async () => {
  d = await deploy();
  tenants = await onboardTenants(d, ["low_volume_standard", "low_volume_standard"]);
}, 300_000);
afterAll(() => d?.close());

describe("kill -9 while adding a campaign and vetting the brand", () => {
  it("resumes both to the end and creates nothing at Twilio twice", { timeout: 480_000 }, async () => {
    // The reference: the same work without crashes, in this process.
    const [ref, victim] = tenants.map((t) => t.tenant);
    const before = resources(ref.subaccount_sid);
    const local0 = await inProcess(d, await emulatorClock());
    try {
      const rid = await registrationOf(ref.id);
      const added = await d.api("POST", `/v1/tenants/${ref.id}/registrations/${rid}/campaigns`, {
        body: campaign,
      });
      expect(added.status, JSON.stringify(added.body)).toBe(202);
      expect(
        (
          await d.api("POST", `/v1/tenants/${ref.id}/registrations/${rid}/vettings`, {
            body: { provider: "aegis" },
          })
        ).status,
      ).toBe(202);
      expect(await finish(local0.stack, ref.id, added.body.id)).toEqual(["succeeded"]);
    } finally {
      await local0.close();
    }
    const want = diff(resources(ref.subaccount_sid), before);
    expect(want).toMatchObject({ brand_vettings: 1 });

    const start = resources(victim.subaccount_sid);
    let proc = await d.start("all", "all");
    const rid = await registrationOf(victim.id);
    const kills: string[] = [];
    const killInside = async (point: string, act: () => Promise<unknown>) => {
      const fault = await d.emu("POST", "faults", {
        kind: "hang_after",
        path: point,
        method: "POST",
        count: 1,
        latency_ms: 20_000,
      });
      const acting = act().catch(() => undefined);
      const deadline = Date.now() + 15_000;
      let hit = false;
      while (!hit && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        hit = (await d.emu("GET", "faults")).faults.some(
          (f: { id: string; fired: number }) => f.id === fault.id && f.fired > 0,
        );
      }
      await proc.kill9();
      await acting;
      kills.push(`${point}: ${hit ? "inside the call" : "not reached"}`);
      await d.emu("DELETE", "faults");
      await expireLeases(d, proc.child.pid);
    };
    let cid = "";
    await killInside("/IncomingPhoneNumbers.json", async () => {
      const added = await d.api("POST", `/v1/tenants/${victim.id}/registrations/${rid}/campaigns`, {
        body: campaign,
      });
      cid = added.body.id;
    });
    expect(cid).toMatch(/^cmp_/);
    proc = await d.start("all", "all-r1");
    await killInside("/Compliance/Usa2p", async () => undefined);
    proc = await d.start("all", "all-r2");
    await killInside("/Vettings", () =>
      d.api("POST", `/v1/tenants/${victim.id}/registrations/${rid}/vettings`, {
        body: { provider: "aegis" },
      }),
    );
    expect(
      kills.filter((k) => k.endsWith("inside the call")).length,
      kills.join("; "),
    ).toBeGreaterThanOrEqual(2);

    const local = await inProcess(d, await emulatorClock(10 * 60_000));
    try {
      expect(await finish(local.stack, victim.id, cid)).toEqual(["succeeded"]);
      const view = await d.api("GET", `/v1/tenants/${victim.id}/registrations/${rid}`);
      expect(view.body.kind).toBe("standard");
    } finally {
      await local.close();
    }
    const got = diff(resources(victim.subaccount_sid), start);
    const failures: string[] = [];
    for (const name of new Set([...Object.keys(got), ...Object.keys(want)])) {
      const [g, w] = [got[name] ?? 0, want[name] ?? 0];
      if (CHECKS.has(name) ? g < w : g !== w) failures.push(`${g} ${name}, crash-free makes ${w}`);
    }
    console.log(`kills: ${kills.join("; ")}`);
    expect(failures, failures.join("\n")).toEqual([]);
  });
});

/** A ManualClock at the emulator's time (moved ahead by onboarding), plus `ahead` ms. */
async function emulatorClock(ahead = 0): Promise<ManualClock> {
  const { now } = await d.emu<{ now: string }>("GET", "clock");
  return new ManualClock(Date.parse(now) + ahead);
}
