/**
 * The sole proprietor's OTP over its whole life (24-hour texts, retriggers, reminders, the
 * 30-day expiry and its remediation), and what happens after approval: a brand lost while its
 * campaign waits, and a suspension found by the daily watch.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSendingProfile } from "../../src/onboarding/sending-profile.js";
import {
  driveRegistrations,
  onboardReadyTenant,
  readRegistration,
  submitRegistration,
} from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Moves our clock and the emulator's by the same amount, then runs what fell due. */
async function advance(ms: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds: ms / 1000 });
  stack.clock.advance(ms);
  await stack.jobs.runDue();
}

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

describe("the sole proprietor's OTP", { timeout: 120_000 }, () => {
  it("expires after 24 h, may be retriggered only then, is reminded near day 30, and an expired brand is registered again", async () => {
    const { tenant, key, ref } = await submitRegistration(stack, "sole_proprietor");
    const otpPath = `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/otp`;
    const [waiting] = await driveRegistrations(stack, [ref], {
      answerOtp: false,
      until: (r) => r.state === "awaiting_otp",
    });
    expect(waiting.otp).toMatchObject({ status: "sent", retriggers: 0, warnings: [] });
    expect(await getSendingProfile(stack.db, tenant.id)).toMatchObject({
      ready: false,
      blockedReason: { code: "registration_pending", registrationId: ref.id },
    });
    const mobile = waiting.document.business.mobile_phone_number;

    const tooSoon = await stack.api("POST", otpPath, { token: key });
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe("otp_retrigger_too_soon");
    const retryAfter = Number(tooSoon.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(23 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);

    await advance(DAY + 60_000);
    const expired = await readRegistration(stack, ref);
    expect(expired.otp.status).toBe("expired");
    expect(expired.otp.warnings[0]).toContain("expired");
    await expect(
      stack.emulator.control("POST", `handsets/${encodeURIComponent(mobile)}/otp-reply`, {}),
    ).rejects.toThrow(/409/);

    const resent = await stack.api("POST", otpPath, { token: key });
    expect(resent.status).toBe(202);
    expect(resent.body.otp).toMatchObject({ status: "sent", retriggers: 1 });
    expect((await stack.api("POST", otpPath, { token: key })).status).toBe(429);
    const texts = (await stack.emulator.control("GET", `handsets/${encodeURIComponent(mobile)}/otp`))
      .messages;
    expect(texts.map((t: any) => t.status)).toEqual(["superseded", "pending"]);

    // Six days before the 30-day deadline: the 7-day reminder has gone out.
    const deadline = Date.parse(expired.otp.deadline);
    await advance(deadline - 6 * DAY - stack.clock.now().getTime());
    const reminded = await readRegistration(stack, ref);
    expect(reminded.state).toBe("awaiting_otp");
    expect(reminded.otp.warnings.join(" ")).toContain("6 days left");
    const { rows } = await stack.db.query<{ warning: string }>(
      "SELECT data->>'otp_warning' AS warning FROM events WHERE data->>'registration_id' = $1 AND data ? 'otp_warning'",
      [ref.id],
    );
    expect(rows.map((r) => r.warning)).toEqual([expect.stringContaining("7 days left")]);

    // Past the deadline TCR fails the brand (30752); resubmitting registers a new one.
    await advance(7 * DAY);
    await advance(HOUR);
    const lapsed = await readRegistration(stack, ref);
    expect(lapsed.failure).toMatchObject({
      stage: "brand",
      reasons: [{ code: "otp_expired", twilio_code: 30752 }],
    });
    const oldBrand = lapsed.resources.brand_sid;
    expect(
      (
        await stack.api("POST", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/resubmit`, {
          token: key,
        })
      ).status,
    ).toBe(202);
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done.otp.status).toBe("verified");
    expect(done.resources.brand_sid).not.toBe(oldBrand);
    const client = await subaccountClient(tenant.subaccount_sid);
    const brands = await client.messaging.v1.brandRegistrations.list();
    expect(brands.map((b) => b.status).sort()).toEqual(["APPROVED", "FAILED"]);
    expect(await client.trusthub.v1.customerProfiles.list()).toHaveLength(1);
    expect(await client.trusthub.v1.trustProducts.list()).toHaveLength(1);
  });

  it("is refused when no OTP waits", async () => {
    const { key, ref } = await submitRegistration(stack, "standard");
    const res = await stack.api("POST", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/otp`, {
      token: key,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("otp_not_pending");
  });
});

describe("after the brand is approved", { timeout: 120_000 }, () => {
  it("a brand that fails while its campaign is in review takes the campaign down; resubmitting rebuilds it", async () => {
    const { tenant, key, ref } = await submitRegistration(stack, "standard");
    const [reviewing] = await driveRegistrations(stack, [ref], {
      until: (r) =>
        r.resources.campaign_status === "PENDING" || r.resources.campaign_status === "IN_PROGRESS",
    });
    const service = reviewing.resources.messaging_service_sid;
    await stack.emulator.control("POST", `reviews/${reviewing.resources.brand_sid}/outcome`, {
      outcome: "failed",
      error_code: 30799,
      reason: "We were unable to verify the details of the registration data.",
    });
    const [lost] = await driveRegistrations(stack, [ref], { until: (r) => r.state === "failed" });
    expect(lost.failure).toMatchObject({ stage: "brand", reasons: [{ code: "tax_id_mismatch" }] });
    const client = await subaccountClient(tenant.subaccount_sid);
    expect(await client.messaging.v1.services(service).usAppToPerson.list()).toHaveLength(0);

    await stack.api("POST", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/resubmit`, { token: key });
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done.resources).toMatchObject({ messaging_service_sid: service, campaign_status: "VERIFIED" });
    expect(await client.messaging.v1.brandRegistrations.list()).toHaveLength(1);
  });

  it("a suspension found by the daily watch closes the gate and is not retried", async () => {
    const { tenant, key, registration } = await onboardReadyTenant(stack, "low_volume_standard");
    await stack.emulator.control("POST", `reviews/${registration.resources.brand_sid}/outcome`, {
      outcome: "suspended",
    });
    expect((await getSendingProfile(stack.db, tenant.id)).ready).toBe(true); // until the watch looks
    // Accepted while the gate was open, due after the suspension.
    const to = "+14155550177";
    const scheduled = await stack.api("POST", "/v1/messages", {
      token: key,
      body: {
        to,
        body: "See you Tuesday",
        send_at: new Date(stack.clock.now().getTime() + 2 * DAY).toISOString(),
      },
    });
    expect(scheduled.status).toBe(202);
    await advance(DAY);
    const ref = { tenantId: tenant.id, id: registration.id };
    const suspended = await readRegistration(stack, ref);
    expect(suspended).toMatchObject({ state: "suspended", failure: { stage: "brand", remediable: false } });
    expect(await getSendingProfile(stack.db, tenant.id)).toMatchObject({
      ready: false,
      blockedReason: { code: "registration_suspended" },
    });
    const retry = await stack.api(
      "POST",
      `/v1/tenants/${tenant.id}/registrations/${registration.id}/resubmit`,
      { token: key },
    );
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe("registration_suspended");

    // The message falls due: the dispatcher holds the lane instead of sending blocked traffic.
    await advance(2 * DAY);
    let lane: any;
    for (let i = 0; i < 200; i++) {
      lane = (await stack.api("GET", "/v1/lanes", { token: key })).body.data[0];
      if (lane.held_reason === "registration_suspended") break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(lane).toMatchObject({ held_reason: "registration_suspended" });
    const message = await stack.api("GET", `/v1/messages/${scheduled.body.id}`, { token: key });
    expect(message.body).toMatchObject({ status: "queued", attempts: 0 });
    const { messages } = await stack.emulator.control("GET", `messages?to=${encodeURIComponent(to)}`);
    expect(messages).toHaveLength(0);
    const { rows } = await stack.db.query("SELECT 1 FROM jobs WHERE key LIKE $1", [`%${registration.id}%`]);
    expect(rows).toHaveLength(0);
  });
});
