/**
 * Every path to ready-to-send against the emulator, the gate before and after approval, and
 * many tenants onboarding at once.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import { getSendingProfile } from "../../src/onboarding/sending-profile.js";
import { driveRegistrations, onboardReadyTenant, submitRegistration } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

const LANES: Record<RegistrationKind, object> = {
  sole_proprietor: { kind: "10dlc_campaign", brandType: "SOLE_PROPRIETOR", trustScore: null },
  standard: { kind: "10dlc_campaign", brandType: "STANDARD", trustScore: 75 },
  low_volume_standard: { kind: "10dlc_campaign", brandType: "LOW_VOLUME_STANDARD", trustScore: null },
  toll_free: { kind: "toll_free_number" },
};

describe("every path to ready-to-send", { timeout: 120_000 }, () => {
  for (const kind of Object.keys(LANES) as RegistrationKind[]) {
    it(`${kind.replace(/_/g, " ")}: registered, reviewed and ready, with one of each Twilio resource`, async () => {
      const { tenant, registration, profile } = await onboardReadyTenant(stack, kind);
      expect(registration).toMatchObject({ state: "approved", eta: null, failure: null });
      expect(registration.steps.every((s: any) => s.status === "done" && s.completed_at)).toBe(true);
      expect(profile).toMatchObject({
        ready: true,
        kind,
        registrationId: registration.id,
        lane: LANES[kind],
      });
      expect(profile.senders).toEqual([
        {
          phoneNumber: registration.resources.phone_number,
          phoneNumberSid: registration.resources.phone_number_sid,
          type: kind === "toll_free" ? "toll_free" : "local",
        },
      ]);
      const client = await subaccountClient(tenant.subaccount_sid);
      const service = await client.messaging.v1.services(profile.messagingServiceSid!).fetch();
      expect(service.statusCallback).toBe(`${stack.url}/twilio/messages/status/${tenant.id}`);
      expect(service.inboundRequestUrl).toBe(`${stack.url}/twilio/messages/inbound/${tenant.id}`);
      const pool = await client.messaging.v1.services(service.sid).phoneNumbers.list();
      expect(pool.map((p) => p.sid)).toEqual([registration.resources.phone_number_sid]);
      expect(await client.incomingPhoneNumbers.list()).toHaveLength(1);
      if (kind === "toll_free") {
        expect(await client.messaging.v1.tollfreeVerifications.list()).toHaveLength(1);
        return;
      }
      const [brand] = await client.messaging.v1.brandRegistrations.list();
      expect(brand).toMatchObject({
        brandType: kind === "sole_proprietor" ? "SOLE_PROPRIETOR" : "STANDARD",
        skipAutomaticSecVet: kind === "low_volume_standard",
        status: "APPROVED",
      });
      const [campaign] = await client.messaging.v1.services(service.sid).usAppToPerson.list();
      expect(campaign).toMatchObject({
        campaignStatus: "VERIFIED",
        brandRegistrationSid: brand.sid,
        usAppToPersonUsecase: kind === "sole_proprietor" ? "SOLE_PROPRIETOR" : "ACCOUNT_NOTIFICATION",
      });
      expect(await client.trusthub.v1.customerProfiles.list()).toHaveLength(1);
      expect(await client.trusthub.v1.trustProducts.list()).toHaveLength(1);
    });
  }

  it("the gate: no registration, then pending with an ETA, then ready", async () => {
    const { tenant } = await stack.newTenant();
    expect(await getSendingProfile(stack.db, tenant.id)).toMatchObject({
      ready: false,
      senders: [],
      blockedReason: { code: "registration_required" },
    });
    const { ref } = await submitRegistration(stack, "standard");
    const pending = await getSendingProfile(stack.db, ref.tenantId);
    expect(pending).toMatchObject({
      ready: false,
      blockedReason: { code: "registration_pending", registrationId: ref.id },
    });
    expect(pending.blockedReason?.eta).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(pending.lane).toBeUndefined();
    const [approved] = await driveRegistrations(stack, [ref], {
      until: (r) => r.resources.brand_status === "APPROVED" && r.resources.sender_attached,
    });
    // Brand approved and the number attached, but no verified campaign yet: still closed.
    expect(approved.state).not.toBe("approved");
    expect((await getSendingProfile(stack.db, ref.tenantId)).ready).toBe(false);
    await driveRegistrations(stack, [ref]);
    expect((await getSendingProfile(stack.db, ref.tenantId)).ready).toBe(true);
  });

  it("each state change emits registration.updated, in order", async () => {
    const { registration } = await onboardReadyTenant(stack, "sole_proprietor");
    const { rows } = await stack.db.query<{ state: string; event: string }>(
      `SELECT data->>'state' AS state, data->>'event' AS event FROM events
       WHERE type = 'registration.updated' AND data->>'registration_id' = $1 ORDER BY id`,
      [registration.id],
    );
    expect(rows).toEqual([
      { state: "in_progress", event: "start" },
      { state: "awaiting_otp", event: "otp_requested" },
      { state: "in_progress", event: "otp_verified" },
      { state: "in_review", event: "review_started" },
      { state: "approved", event: "all_approved" },
    ]);
  });

  it("50 tenants onboarded concurrently all reach ready-to-send, no campaign shared", async () => {
    const kinds: RegistrationKind[] = ["sole_proprietor", "standard", "low_volume_standard", "toll_free"];
    const submitted = await Promise.all(
      Array.from({ length: 50 }, (_, i) => submitRegistration(stack, kinds[i % kinds.length])),
    );
    const views = await driveRegistrations(
      stack,
      submitted.map((s) => s.ref),
      { maxRounds: 600 },
    );
    expect(views.every((v) => v.state === "approved")).toBe(true);
    const profiles = await Promise.all(submitted.map((s) => getSendingProfile(stack.db, s.tenant.id)));
    expect(profiles.every((p) => p.ready)).toBe(true);
    const services = profiles.map((p) => p.messagingServiceSid);
    expect(new Set(services).size).toBe(50);
    const numbers = profiles.map((p) => p.senders[0].phoneNumber);
    expect(new Set(numbers).size).toBe(50);
  }, 300_000);
});
