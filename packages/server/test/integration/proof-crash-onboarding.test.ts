/**
 * Crash proof for onboarding: real `subtext` processes start three registrations (sole
 * proprietor, standard, toll-free) against a slow Twilio and are killed with SIGKILL at random
 * moments of the flows, three times, restarted each time. Then a runtime in this process finishes
 * the flows on a ManualClock (Twilio's reviews and our 30-second settles take minutes of real
 * time). Every tenant reaches ready-to-send, and each subaccount holds exactly the Twilio
 * resources that a crash-free onboarding of the same kind creates — none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/jobs/clock.js";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import { driveRegistrations, sampleRegistration } from "../support/onboarding.js";
import { type Deployment, deploy, expireLeases, inProcess, onboardTenants } from "../proof/deployment.js";
import { ENGINE } from "./harness.js";

const KINDS: RegistrationKind[] = ["sole_proprietor", "standard", "toll_free"];
const KILLS = 3;
const ROLES: ("all" | "api" | "worker")[] = ENGINE === "postgres" ? ["api", "worker"] : ["all"];
/**
 * Where a process dies: Twilio has done the create but its answer has not arrived (hang_after),
 * one of these creates chosen at random each round. A round whose point the flows have passed
 * already kills at a random moment instead.
 */
const POINTS = [
  "/trusthub/v1/EndUsers",
  "/Addresses.json",
  "/trusthub/v1/SupportingDocuments",
  "/trusthub/v1/CustomerProfiles",
  "/trusthub/v1/TrustProducts",
  "/IncomingPhoneNumbers.json",
  "/Tollfree/Verifications",
];
/** Twilio records of a flow's own doing (messages are the OTP texts, counted on their own). */
const NOT_RESOURCES = new Set(["messages", "accounts", "keys", "messaging_settings"]);
/**
 * Evaluations are checks, not things: evaluating a bundle again after a crash (its answer lost)
 * is the right move and costs nothing. They may exceed the reference; everything else must match.
 */
const CHECKS = new Set(["trusthub_evaluations"]);

let d: Deployment;
const reference = new Map<RegistrationKind, Record<string, number>>();

/** What the emulator holds for one subaccount, per collection. */
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

beforeAll(async () => {
  d = await deploy();
  // Crash-free references, one per kind, in this process.
  for (const [i, t] of (await onboardTenants(d, KINDS)).entries())
    reference.set(KINDS[i], resources(t.tenant.subaccount_sid));
  // Twilio answers slowly, so the processes die with calls in flight.
  await d.emu("POST", "faults", { kind: "latency", method: "POST", rate: 0.5, latency_ms: 250 });
}, 180_000);
afterAll(() => d?.close());

describe("kill -9 in the middle of onboarding flows", () => {
  it("resumes every flow to ready-to-send and creates no Twilio resource twice", {
    timeout: 240_000,
  }, async () => {
    await Promise.all(ROLES.map((role) => d.start(role, role)));
    const regs: { tenantId: string; id: string; kind: RegistrationKind; subaccount: string }[] = [];
    for (const kind of KINDS) {
      const tenant = (await d.api("POST", "/v1/tenants", { body: { name: `Crash ${kind}` } })).body;
      const created = await d.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
        body: sampleRegistration(kind),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(202);
      regs.push({ tenantId: tenant.id, id: created.body.id, kind, subaccount: tenant.subaccount_sid });
    }
    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const point = POINTS[Math.floor(Math.random() * POINTS.length)];
      const fault = await d.emu("POST", "faults", {
        kind: "hang_after",
        path: point,
        method: "POST",
        count: 1,
        latency_ms: 20_000,
      });
      const deadline = Date.now() + 1_000 + Math.random() * 3_000;
      let hit = false;
      while (!hit && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        hit = (await d.emu("GET", "faults")).faults.some(
          (f: { id: string; fired: number }) => f.id === fault.id && f.fired > 0,
        );
      }
      const role = ROLES[Math.floor(Math.random() * ROLES.length)];
      const victim = d.procs.filter((p) => p.name.startsWith(role) && p.alive()).at(-1)!;
      await victim.kill9();
      kills.push(`${victim.name} ${hit ? `inside POST …${point}` : "at a random moment"}`);
      await d.emu("DELETE", "faults");
      await d.emu("POST", "faults", { kind: "latency", method: "POST", rate: 0.5, latency_ms: 250 });
      // The dead process held its jobs' leases for minutes: expire them (what time would do).
      // Only its own: the living keep renewing theirs.
      await expireLeases(d, victim.child.pid);
      await d.start(role, `${role}-r${k + 1}`);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 1_500));
    await Promise.all(d.procs.map((p) => p.kill9()));
    await expireLeases(d);

    // The rest of each flow in this process, with time moved instead of waited for.
    await d.emu("DELETE", "faults");
    const local = await inProcess(d, new ManualClock(Date.now() + 10 * 60_000));
    try {
      const done = await driveRegistrations(local.stack, regs);
      expect(done.map((r) => r.state)).toEqual(regs.map(() => "approved"));
    } finally {
      await local.close();
    }
    const failures: string[] = [];
    const rechecked: string[] = [];
    for (const r of regs) {
      const got = resources(r.subaccount);
      const want = reference.get(r.kind)!;
      for (const name of new Set([...Object.keys(got), ...Object.keys(want)])) {
        const [g, w] = [got[name] ?? 0, want[name] ?? 0];
        if (CHECKS.has(name) ? g < w : g !== w)
          failures.push(`${r.kind}: ${g} ${name}, crash-free onboarding makes ${w}`);
        else if (g !== w) rechecked.push(`${r.kind}: ${name} ${g} (crash-free ${w})`);
      }
    }
    console.log(`kills: ${kills.join(", ")}; re-run checks: ${rechecked.join(", ") || "none"}`);
    expect(failures, failures.join("\n")).toEqual([]);
  });
});
