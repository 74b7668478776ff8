/**
 * The pure onboarding rules, as tables: the state machine, the gate's readiness, Twilio codes
 * → hints, the ETA, the merge patch and the reuse keys. No database, no network.
 */
import { describe, expect, it } from "vitest";
import { pollDelay } from "../../src/onboarding/flows/step.js";
import { explain, isFinalRejection } from "../../src/onboarding/hints.js";
import { mergePatch, reuseKeys } from "../../src/onboarding/intake.js";
import { isReady, sendingProfileOf } from "../../src/onboarding/sending-profile.js";
import { REGISTRATION_STATES, TRANSITIONS, nextState, transition } from "../../src/onboarding/states.js";
import { sampleRegistration } from "../support/onboarding.js";
import { registrationEta } from "../../src/onboarding/timeline.js";

describe("the registration state machine", () => {
  it.each([
    ["submitted", "start", "in_progress"],
    ["in_progress", "review_started", "in_review"],
    ["in_review", "otp_requested", "awaiting_otp"],
    ["awaiting_otp", "otp_verified", "in_progress"],
    ["in_review", "all_approved", "approved"],
    ["awaiting_otp", "stage_failed", "failed"],
    ["failed", "resubmitted", "in_progress"],
    ["approved", "suspended", "suspended"],
    ["approved", "stage_failed", "failed"],
  ] as const)("%s --%s--> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it.each([
    ["approved", "resubmitted"],
    ["suspended", "resubmitted"],
    ["suspended", "start"],
    ["failed", "all_approved"],
    ["awaiting_otp", "all_approved"],
    ["submitted", "otp_verified"],
  ] as const)("refuses %s --%s--> with an illegal_transition error", (from, event) => {
    expect(nextState(from, event)).toBeUndefined();
    expect(() => transition(from, event)).toThrow(
      expect.objectContaining({ code: "illegal_transition", status: 409 }),
    );
  });

  it("reaches every state from submitted, and suspended is terminal", () => {
    const seen = new Set<string>(["submitted"]);
    for (let size = 0; size !== seen.size; ) {
      size = seen.size;
      for (const [from, , to] of TRANSITIONS) if (seen.has(from)) seen.add(to);
    }
    expect([...seen].sort()).toEqual([...REGISTRATION_STATES].sort());
    expect(TRANSITIONS.filter(([from]) => from === "suspended")).toEqual([]);
  });
});

const approved10dlc = {
  id: "reg_A",
  kind: "standard" as const,
  channel: "10dlc" as const,
  state: "approved" as const,
  brand_sid: "BN1",
  brand_status: "APPROVED",
  brand_identity_status: "VETTED_VERIFIED",
  trust_score: 75,
  messaging_service_sid: "MG1",
  campaign_status: "VERIFIED",
  phone_number_sid: "PN1",
  phone_number: "+14155550100",
  sender_attached: true,
  tollfree_verification_sid: null,
  tollfree_status: null,
  created_at: new Date("2030-01-07T12:00:00Z"),
  brand_submitted_at: null,
  campaign_submitted_at: null,
  review_started_at: null,
  failure: null,
};

const number10dlc = {
  phone_number: "+14155550100",
  phone_number_sid: "PN1",
  type: "local" as const,
  messaging_service_sid: "MG1",
  registration_id: "reg_A",
  tollfree_status: null as string | null,
};

describe("the gate", () => {
  it.each([
    ["everything approved and attached", {}, true],
    ["campaign still in review", { campaign_status: "IN_PROGRESS" }, false],
    ["brand not approved", { brand_status: "IN_REVIEW" }, false],
    ["number not attached to the campaign's service", { sender_attached: false }, false],
    ["registration not approved", { state: "in_review" }, false],
    [
      "sole proprietor with OTP unanswered",
      { kind: "sole_proprietor", brand_identity_status: "UNVERIFIED" },
      false,
    ],
    ["sole proprietor verified", { kind: "sole_proprietor", brand_identity_status: "VERIFIED" }, true],
    [
      "toll-free verified",
      { kind: "toll_free", channel: "toll_free", tollfree_status: "TWILIO_APPROVED" },
      true,
    ],
    ["toll-free in review", { kind: "toll_free", channel: "toll_free", tollfree_status: "IN_REVIEW" }, false],
  ] as const)("%s → ready %s", (_what, change, ready) => {
    expect(isReady({ ...approved10dlc, ...change } as never)).toBe(ready);
  });

  it("prefers a ready 10DLC lane over a ready toll-free one", () => {
    const tf = {
      ...approved10dlc,
      id: "reg_B",
      kind: "toll_free",
      channel: "toll_free",
      tollfree_status: "TWILIO_APPROVED",
      tollfree_verification_sid: "HH1",
    };
    const numbers = [
      { ...number10dlc },
      {
        ...number10dlc,
        phone_number: "+18885550100",
        phone_number_sid: "PN2",
        type: "toll_free" as const,
        messaging_service_sid: "MG2",
        registration_id: "reg_B",
        tollfree_status: "TWILIO_APPROVED",
      },
    ];
    const profile = sendingProfileOf("ten_1", [tf as never, approved10dlc as never], numbers);
    expect(profile.lane).toEqual({
      id: "reg_A",
      kind: "10dlc_campaign",
      brandType: "STANDARD",
      trustScore: 75,
      brandId: "BN1",
    });
  });

  it("sends from the numbers in the campaign's service, and closes when none is left", () => {
    const second = { ...number10dlc, phone_number: "+14155550101", phone_number_sid: "PN3" };
    const elsewhere = {
      ...second,
      phone_number: "+14155550102",
      phone_number_sid: "PN4",
      messaging_service_sid: null,
    };
    const open = sendingProfileOf("ten_1", [approved10dlc as never], [number10dlc, second, elsewhere]);
    expect(open.ready).toBe(true);
    expect(open.senders.map((s) => s.phoneNumberSid)).toEqual(["PN1", "PN3"]);
    const none = sendingProfileOf("ten_1", [approved10dlc as never], [elsewhere]);
    expect(none.ready).toBe(false);
    expect(none.blockedReason).toMatchObject({ code: "no_sender", registrationId: "reg_A" });
  });

  it("gives a toll-free registration the numbers whose own verification Twilio approved", () => {
    const tf = {
      ...approved10dlc,
      kind: "toll_free",
      channel: "toll_free",
      tollfree_status: "TWILIO_APPROVED",
    };
    const tfNumber = (sid: string, status: string) => ({
      ...number10dlc,
      phone_number: `+1888555${sid.slice(2).padStart(4, "0")}`,
      phone_number_sid: sid,
      type: "toll_free" as const,
      tollfree_status: status,
    });
    const profile = sendingProfileOf(
      "ten_1",
      [tf as never],
      [tfNumber("PN1", "TWILIO_APPROVED"), tfNumber("PN2", "IN_REVIEW"), tfNumber("PN3", "TWILIO_APPROVED")],
    );
    expect(profile.senders.map((s) => s.phoneNumberSid)).toEqual(["PN1", "PN3"]);
  });

  it("tells why it is closed", () => {
    const failed = sendingProfileOf(
      "ten_1",
      [{ ...approved10dlc, state: "failed", failure: { stage: "campaign" } } as never],
      [number10dlc],
    );
    expect(failed.blockedReason).toMatchObject({ code: "registration_failed", registrationId: "reg_A" });
    expect(failed.blockedReason?.message).toContain("campaign stage");
  });
});

describe("Twilio's reasons → our hints", () => {
  it.each([
    ["sole_proprietor", 30712, "", "mobile_reuse_limit", ["business.mobile_phone_number"]],
    [
      "standard",
      30799,
      "",
      "tax_id_mismatch",
      ["business.legal_name", "business.tax_id", "business.business_type"],
    ],
    ["sole_proprietor", 18604, "", "email_invalid", ["business.email"]],
    ["standard", 18604, "", "email_invalid", ["business.contact.email"]],
    ["toll_free", 30858, "", "insecure_url_in_sample", ["toll_free.production_message_sample"]],
    [
      "sole_proprietor",
      null,
      "Email is a suspected disposable address.",
      "email_invalid",
      ["business.email"],
    ],
    ["standard", 99999, "Something new", "rejected", []],
  ] as const)("%s %s %s → %s", (kind, code, reason, ours, fields) => {
    const r = explain(kind, { twilio_code: code, reason });
    expect(r).toMatchObject({ code: ours, fields });
    expect(r.hint.length).toBeGreaterThan(20);
  });

  it("treats forbidden content as final", () => {
    expect([30897, 30464, 30466, 30893].map(isFinalRejection)).toEqual([true, true, true, false]);
  });
});

describe("the ETA in business days", () => {
  const base = {
    state: "in_review" as const,
    brand_submitted_at: null,
    campaign_submitted_at: null,
    review_started_at: null,
  };
  it.each([
    // Tuesday 2030-01-08: brand 3–5 + campaign 10–15 business days = 13–20.
    ["standard", { created_at: new Date("2030-01-08T10:00:00Z") }, "2030-01-25", "2030-02-05"],
    // Campaign submitted Friday 2030-01-11: 10–15 business days.
    [
      "standard",
      {
        created_at: new Date("2030-01-02T10:00:00Z"),
        campaign_submitted_at: new Date("2030-01-11T10:00:00Z"),
      },
      "2030-01-25",
      "2030-02-01",
    ],
    // Toll-free verification submitted Saturday 2030-01-12: 3–5 business days from Monday.
    [
      "toll_free",
      { created_at: new Date("2030-01-12T10:00:00Z"), review_started_at: new Date("2030-01-12T10:00:00Z") },
      "2030-01-16",
      "2030-01-18",
    ],
  ] as const)("%s %o → %s … %s", (kind, dates, earliest, latest) => {
    expect(registrationEta({ ...base, kind, ...dates } as never)).toMatchObject({ earliest, latest });
  });

  it("has none once approved", () => {
    expect(
      registrationEta({ ...base, kind: "standard", state: "approved", created_at: new Date() } as never),
    ).toBeNull();
  });
});

describe("editing and counting", () => {
  it("merges a patch: objects merge, null removes, arrays replace", () => {
    expect(
      mergePatch({ a: { b: 1, c: 2 }, list: [1, 2], gone: "x" }, { a: { c: 3 }, list: [9], gone: null }),
    ).toEqual({ a: { b: 1, c: 3 }, list: [9] });
  });

  it("normalizes the values TCR limits, and counts none for toll-free", () => {
    const doc = sampleRegistration("sole_proprietor", 42) as any;
    doc.business.email = " Jane.0042@JanesBakery.com ";
    expect(reuseKeys(doc)).toEqual({
      reuse_mobile: "+14155550042",
      reuse_email: "jane.0042@janesbakery.com",
      reuse_address: "142 main st|unit 0042|springfield|il|62701|us",
    });
    expect(reuseKeys(sampleRegistration("toll_free", 42))).toEqual({
      reuse_mobile: null,
      reuse_email: null,
      reuse_address: null,
    });
  });

  it("polls reviews at 30 s, doubling, at most hourly", () => {
    expect([0, 1, 2, 7, 20].map(pollDelay)).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
  });
});
