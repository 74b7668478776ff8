/**
 * Leaving low-volume standard: secondary vetting (Aegis) gives the brand a trust score, the
 * registration becomes standard, and its lane's rate changes mid-traffic with the shaping still
 * exact; Campaign Verify tokens for political campaigns (docs/onboarding.md, "Leaving
 * low-volume standard"), over HTTP against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { laneRate } from "@subtext/telecom/lanes";
import { messagingOf } from "../../src/messaging/module.js";
import { readyToSend } from "../support/messaging.js";
import { submitRegistration } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let t: { tenant: any; key: string; registration: any };
let base: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await readyToSend(stack, "low_volume_standard");
  base = `/v1/tenants/${t.tenant.id}/registrations/${t.registration.id}`;
  // Delivery is not what this measures: spare the run the emulator's status callbacks.
  await stack.emulator.control("POST", "faults", {
    kind: "drop_callbacks",
    path: "/twilio/messages/status/",
  });
}, 300_000);
afterAll(() => stack?.close());

/** Ticks the dispatcher every millisecond of our clock for `ms`, waiting for its calls each time. */
async function run(ms: number) {
  const dispatcher = messagingOf(stack.services).dispatcher;
  for (let i = 0; i < ms; i++) {
    stack.clock.advance(1);
    if ((await dispatcher.tick()) > 0) await dispatcher.drain();
  }
  await dispatcher.drain();
}

/** When each of the tenant's messages was handed to Twilio (first attempts), in ms of our clock, in order. */
async function handedOver(): Promise<number[]> {
  const { rows } = await stack.db.query<{ at: Date }>(
    "SELECT started_at AS at FROM message_attempts WHERE tenant_id = $1 AND n = 1 ORDER BY started_at, message_id",
    [t.tenant.id],
  );
  return rows.map((r) => r.at.getTime());
}

/** Both clocks past the vetting's review, then what became due runs. */
async function finishVetting() {
  await stack.emulator.control("POST", "clock/advance", { seconds: 60 });
  stack.clock.advance(60_000);
  await stack.jobs.runDue();
}

describe("leaving low-volume standard", () => {
  it("refuses a kind change by PATCH and a second registration, each pointing at what to do", async () => {
    const patch = await stack.api("PATCH", base, { token: t.key, body: { kind: "standard" } });
    expect(patch.status).toBe(422);
    expect(patch.body.error.code).toBe("kind_immutable");
    expect(patch.body.error.hint).toContain(`${base}/vettings`);
    const again = await stack.api("POST", `/v1/tenants/${t.tenant.id}/registrations`, {
      token: t.key,
      body: { ...t.registration.document, kind: "standard" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("registration_exists");
    expect(again.body.error.hint).toContain(`${base}/campaigns`);
    expect(again.body.error.hint).toContain(`${base}/vettings`);
    expect(again.body.error.hint).not.toContain("PATCH");
    const bad = [
      [{ provider: "campaign-verify" }, 422, "vetting_token_required"],
      [{ provider: "aegis", vetting_token: "cv|x" }, 422, "vetting_token_unexpected"],
      [{ provider: "somebody" }, 400, "invalid_request"],
    ] as const;
    for (const [body, status, code] of bad) {
      const res = await stack.api("POST", `${base}/vettings`, { token: t.key, body });
      expect(res.status).toBe(status);
      if (status === 422) expect(res.body.error.code).toBe(code);
    }
    expect((await stack.api("GET", `${base}/vettings`, { token: t.key })).body.data).toHaveLength(0);
  });

  it("raises the lane's rate mid-traffic when secondary vetting completes, with the shaping exact before and after", {
    timeout: 300_000,
  }, async () => {
    const lvs = laneRate({ kind: "low_volume_standard" });
    const batch = await stack.api("POST", "/v1/messages/batch", {
      token: t.key,
      body: {
        messages: Array.from({ length: 80 }, (_, i) => ({
          to: `+1415730${String(i).padStart(4, "0")}`,
          body: "Acme Sandwich Company: order update",
        })),
      },
    });
    expect(batch.body.accepted).toBe(80);
    // Low-volume standard: one segment every 1000/3.75 ms, never faster.
    await run(3_000);
    const before = await handedOver();
    expect(before.length).toBe(12);
    const gaps = before.slice(1).map((at, i) => at - before[i]);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(Math.floor(1000 / lvs.mps));
      expect(gap).toBeLessThanOrEqual(Math.ceil(1000 / lvs.mps));
    }

    const asked = await stack.api("POST", `${base}/vettings`, { token: t.key, body: { provider: "aegis" } });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({
      provider: "aegis",
      state: "in_progress",
      kind_before: "low_volume_standard",
    });
    expect(asked.body.vetting_sid).toMatch(/^VT/);
    const twice = await stack.api("POST", `${base}/vettings`, { token: t.key, body: { provider: "aegis" } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("vetting_in_progress");
    await finishVetting();

    const [vetting] = (await stack.api("GET", `${base}/vettings`, { token: t.key })).body.data;
    expect(vetting).toMatchObject({ state: "succeeded", kind_after: "standard", vetting_status: "SUCCESS" });
    expect(vetting.trust_score).toBeGreaterThanOrEqual(1);
    const reg = (await stack.api("GET", base, { token: t.key })).body;
    expect(reg).toMatchObject({ kind: "standard", state: "approved" });
    expect(reg.resources.trust_score).toBe(vetting.trust_score);
    const events = (await stack.api("GET", "/v1/events?type=registration.updated", { token: t.key })).body
      .data;
    const upgraded = events.find((e: any) => e.data.event === "vetting_completed");
    expect(upgraded.data).toMatchObject({
      registration_id: t.registration.id,
      kind: "standard",
      previous_kind: "low_volume_standard",
      trust_score: vetting.trust_score,
    });

    // The rest goes at the standard rate of that score, from the first tick after the change.
    const standard = laneRate({ kind: "standard", trust_score: vetting.trust_score });
    await run(Math.ceil((80 * 1000) / standard.mps) + 500);
    const lane = (await stack.api("GET", "/v1/lanes", { token: t.key })).body.data[0];
    expect(lane).toMatchObject({
      rate_kind: "standard",
      trust_score: vetting.trust_score,
      mps: standard.mps,
    });
    expect(lane.tmobile_daily_cap).toBe(standard.tmobile_daily_cap);
    expect(lane.daily_cap).toBeNull();
    expect(lane.queued).toBe(0);
    const change = lane.history.find((h: any) => h.reason === "registration");
    expect(change).toMatchObject({
      rate_kind: "standard",
      mps: standard.mps,
      previous: { rate_kind: "low_volume_standard", mps: lvs.mps },
    });
    const after = (await handedOver()).slice(before.length);
    expect(after).toHaveLength(80 - before.length);
    // GCRA from the change on: a full bucket (burst) at once, then one every 1000/mps ms, to the ms.
    const tc = Date.parse(change.at);
    const interval = 1000 / standard.mps;
    after.forEach((at, k) => {
      const due = tc + Math.max(0, Math.ceil((k + 1 - lane.burst) * interval - 1e-9));
      expect(Math.abs(at - due)).toBeLessThanOrEqual(1);
    });
  });

  it("imports a Campaign Verify token for political campaigns, and reports a bad token as failed", {
    timeout: 120_000,
  }, async () => {
    const bad = await stack.api("POST", `${base}/vettings`, {
      token: t.key,
      body: { provider: "campaign-verify", vetting_token: "not-a-token-1234" },
    });
    expect(bad.status).toBe(202);
    expect(bad.body.vetting_token_hint).toBe("…1234");
    await finishVetting();
    let vettings = (await stack.api("GET", `${base}/vettings`, { token: t.key })).body.data;
    expect(vettings[0]).toMatchObject({ id: bad.body.id, state: "failed", vetting_class: "POLITICAL" });
    expect(vettings[0].failure.hint).toContain("Campaign Verify token");

    const good = await stack.api("POST", `${base}/vettings`, {
      token: t.key,
      body: {
        provider: "campaign-verify",
        vetting_token: "cv|1.0|tcr|10dlc|9975c339-d46f-49b7-a399-aa1e2b3c4d5e",
      },
    });
    expect(good.status).toBe(202);
    await finishVetting();
    vettings = (await stack.api("GET", `${base}/vettings`, { token: t.key })).body.data;
    expect(vettings[0]).toMatchObject({ id: good.body.id, state: "succeeded", kind_after: "standard" });
    const political = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: {
        use_case: "POLITICAL",
        description:
          "Acme Sandwich Company sends voter registration reminders to customers who asked for them.",
        message_flow:
          "Customers tick the unchecked SMS consent box at https://acmesandwich.com/civic. Terms: https://acmesandwich.com/terms; privacy: https://acmesandwich.com/privacy.",
        message_samples: [
          "Acme Sandwich Company: voter registration closes on [date]. Reply STOP to opt out.",
          "Acme Sandwich Company: find your polling place at [place]. Reply HELP for help, STOP to opt out.",
        ],
        has_embedded_links: false,
        has_embedded_phone: false,
      },
    });
    expect(political.status).toBe(202);
    expect(political.body).toMatchObject({ use_case: "POLITICAL", state: "submitted" });
  });

  it("has no vetting or added campaign for a sole proprietor", async () => {
    const sp = await submitRegistration(stack, "sole_proprietor");
    const path = `/v1/tenants/${sp.tenant.id}/registrations/${sp.registration.id}`;
    const vet = await stack.api("POST", `${path}/vettings`, { token: sp.key, body: { provider: "aegis" } });
    expect(vet.status).toBe(409);
    expect(vet.body.error.code).toBe("vetting_not_available");
    const add = await stack.api("POST", `${path}/campaigns`, {
      token: sp.key,
      body: sp.registration.document.campaign,
    });
    expect(add.status).toBe(409);
    expect(add.body.error.code).toBe("campaign_limit");
  });
});
