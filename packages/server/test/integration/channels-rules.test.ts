/**
 * The channels' pure rules, tested with tables (no database, no network): Verify's limits and
 * error mapping, WhatsApp's send decision, IVR flow validation, menu answers and TwiML.
 */
import { describe, expect, it } from "vitest";
import { verifyError } from "../../src/channels/verify/errors.js";
import {
  DEFAULT_VERIFY_SETTINGS,
  decide,
  estimate,
  mergeSettings,
} from "../../src/channels/verify/limits.js";
import { verifyFriendlyName } from "../../src/channels/verify/service.js";
import type { FlowDefinition } from "../../src/channels/voice/flow.js";
import { gatherOutcome, matchChoice } from "../../src/channels/voice/input.js";
import { renderNode } from "../../src/channels/voice/twiml.js";
import { validateFlow } from "../../src/channels/voice/validate.js";
import { approvalPollDelayMs, decideWhatsAppSend, placeholders } from "@subtext/telecom/whatsapp/rules";

const MIN = 60_000;

describe("Verify limits (sliding window over two fixed windows)", () => {
  const limit = { max: 5, window_seconds: 600 };
  const w = 600_000;
  const at = (count: number, lastMs: number | null = null) => ({ count, lastMs });
  it.each([
    ["an empty window", 0, 0, 0, true],
    ["four in this window", 0, 4, 0, true],
    ["five in this window", 0, 5, 0, false],
    ["five in the previous window, at its end", 5, 0, 0, false],
    ["five in the previous window, half slid out", 5, 0, w / 2, true],
    ["four before and two now, a tenth in", 4, 2, w / 10, false],
  ])("with %s the next request is allowed: %s", (_label, previous, current, elapsed, allowed) => {
    const now = 10 * w + elapsed;
    expect(decide(limit, at(previous), at(current), now).allowed).toBe(allowed);
  });

  it("forgets a previous window whose latest request is a whole window ago", () => {
    const start = 10 * w;
    // Five at the very start of the previous window: the weighting alone would still count 4.5.
    expect(estimate(at(5), 0, start + w / 10, w)).toBeCloseTo(4.5);
    expect(estimate(at(5, start - w), 0, start + w / 10, w)).toBe(0);
    expect(decide(limit, at(5, start - w), at(0), start + w / 10).allowed).toBe(true);
    expect(decide(limit, at(5, start - 1), at(0), start + w / 10).allowed).toBe(false);
  });

  // [previous, its latest request (ms before this window), current, its latest (ms into it), now (ms into it)]
  it.each([
    [5, 1, 0, null, 0],
    [5, w - 1, 0, null, 0],
    [3, w / 2, 3, 0.1 * w, 0.2 * w],
    [0, null, 5, 0.1 * w, 0.9 * w],
    [0, null, 5, 98_000, 98_000],
    [7, 1, 5, 0.4 * w, 0.5 * w],
    [4, null, 5, null, 0.3 * w],
  ])(
    "a refusal (previous %s, latest %s ms before; current %s, latest at %s; now at %s) waits at most the window, and then the request fits",
    (previous, previousBefore, current, currentLatest, elapsed) => {
      const start = 20 * w;
      const now = start + elapsed;
      const prev = at(previous, previousBefore === null ? null : start - previousBefore);
      const cur = at(current, currentLatest === null ? null : start + currentLatest);
      const d = decide(limit, prev, cur, now);
      expect(d.allowed).toBe(false);
      if (d.allowed) return;
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(limit.window_seconds);
      const later = now + d.retryAfterSeconds * 1000;
      const crossed = Math.floor(later / w) > Math.floor(now / w);
      const [p, c] = crossed ? [cur, at(0)] : [prev, cur];
      expect(decide(limit, p, c, later).allowed).toBe(true);
      // And not a second earlier (the wait is the true one, rounded up to the second).
      if (d.retryAfterSeconds > 1) {
        const sooner = later - 1000;
        const crossedSooner = Math.floor(sooner / w) > Math.floor(now / w);
        const [ps, cs] = crossedSooner ? [cur, at(0)] : [prev, cur];
        expect(decide(limit, ps, cs, sooner).allowed).toBe(false);
      }
    },
  );

  it("five at once, 98 seconds into the window: wait exactly the window, not into the next one's decay", () => {
    const now = 30 * w + 98_000;
    expect(decide(limit, at(0), at(5, now), now)).toEqual({ allowed: false, retryAfterSeconds: 600 });
  });

  it("stored overrides change only the fields they name", () => {
    const s = mergeSettings(DEFAULT_VERIFY_SETTINGS, {
      limits: { per_ip: { max: 3 } },
      fallback: { after_seconds: 30 },
    });
    expect(s.limits.per_ip).toEqual({
      max: 3,
      window_seconds: DEFAULT_VERIFY_SETTINGS.limits.per_ip.window_seconds,
    });
    expect(s.limits.per_destination).toEqual(DEFAULT_VERIFY_SETTINGS.limits.per_destination);
    expect(s.fallback).toEqual({ enabled: true, after_seconds: 30, channel: "call" });
  });

  it.each([
    ["Acme", "Acme"],
    ["Shop 12345678", "Shop 1234"],
    ["Visit https://acme.test now", "Visit now"],
    ["A name that is far too long for Verify to accept", "A name that is far too long fo"],
    ["9999 99", "9999"],
    ["", "Verify"],
  ])("the Verify service name for %j is %j", (name, expected) => {
    expect(verifyFriendlyName(name)).toBe(expected);
  });
});

describe("Verify errors", () => {
  const rest = (code: number, status: number) => Object.assign(new Error(`twilio ${code}`), { code, status });
  it.each([
    [60200, 400, "verification_invalid_parameter", 400],
    [60202, 429, "verification_max_check_attempts", 429],
    [60203, 429, "verification_max_send_attempts", 429],
    [60205, 403, "verification_sms_to_landline", 422],
    [60223, 400, "verification_channel_disabled", 422],
    [20429, 429, "verification_rate_limited", 429],
    [20404, 404, "verification_not_found", 404],
    [21211, 400, "twilio_error", 502],
  ])("Twilio %i (HTTP %i) is %s with HTTP %i", (code, httpStatus, expected, status) => {
    const mapped = verifyError(rest(code, httpStatus), "start a verification", 90);
    expect(mapped).toMatchObject({ code: expected, status, twilio_code: code });
    if (status === 429) expect(mapped.headers?.["retry-after"]).toBe("90");
  });
});

describe("WhatsApp send decision", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const open = { last_inbound_at: ago(60 * MIN), closed_at: null };
  const base = {
    body: "Yes, it is ready.",
    hasMedia: false,
    contentSid: null,
    template: null,
    session: open,
    optIn: "active" as const,
    now,
  };
  const hx = "HX00000000000000000000000000000001";
  it.each([
    ["a reply inside the window", {}, "session"],
    [
      "a reply 23 h 59 after the contact's message",
      { session: { last_inbound_at: ago(24 * 60 * MIN - 1000), closed_at: null } },
      "session",
    ],
    [
      "a reply 24 h after",
      { session: { last_inbound_at: ago(24 * 60 * MIN), closed_at: null } },
      "whatsapp_session_closed",
    ],
    ["a message to someone who never wrote", { session: null }, "whatsapp_session_closed"],
    [
      "a reply after Twilio said 63016",
      { session: { last_inbound_at: ago(MIN), closed_at: ago(1000) } },
      "whatsapp_session_closed",
    ],
    ["a reply of 1,025 characters", { body: "x".repeat(1025) }, "whatsapp_body_too_long"],
    ["a reply of 1,024 characters", { body: "é".repeat(1024) }, "session"],
    ["an empty reply", { body: "" }, "body_required"],
    ["a reply to a contact who sent STOP", { optIn: "revoked" as const }, "whatsapp_opted_out"],
    [
      "an approved template outside the window",
      { body: "", contentSid: hx, template: { approval_status: "approved" }, session: null },
      "template",
    ],
    [
      "a pending template",
      { body: "", contentSid: hx, template: { approval_status: "pending" }, session: null },
      "whatsapp_template_not_approved",
    ],
    ["another tenant's template", { body: "", contentSid: hx, template: null }, "whatsapp_template_unknown"],
    [
      "a template with a body too",
      { contentSid: hx, template: { approval_status: "approved" } },
      "whatsapp_body_with_template",
    ],
    [
      "a template to a contact who never opted in",
      {
        body: "",
        contentSid: hx,
        template: { approval_status: "approved" },
        session: null,
        optIn: "none" as const,
      },
      "whatsapp_opt_in_required",
    ],
  ])("%s: %s", (_label, change, expected) => {
    const d = decideWhatsAppSend({ ...base, ...change });
    expect(d.ok ? d.kind : d.code).toBe(expected);
  });

  it("follows a review often at first and at most every 15 minutes later", () => {
    const submitted = new Date(0);
    expect(approvalPollDelayMs(submitted, new Date(0))).toBe(30_000);
    expect(approvalPollDelayMs(submitted, new Date(60 * MIN))).toBe(6 * MIN);
    expect(approvalPollDelayMs(submitted, new Date(24 * 60 * MIN))).toBe(15 * MIN);
    expect(placeholders("Hi {{1}}, order {{ 2 }} ({{1}})")).toEqual(["1", "2"]);
  });
});

const flow = (nodes: FlowDefinition["nodes"], start = Object.keys(nodes)[0]): FlowDefinition => ({
  start,
  nodes,
});
const menu = (extra: Record<string, unknown> = {}) =>
  ({
    type: "gather",
    prompt: [{ say: "Press 1 or say sales." }],
    choices: [{ digits: "1", speech: ["sales", "buy something"], next: "bye" }],
    input: ["dtmf", "speech"],
    ...extra,
  }) as FlowDefinition["nodes"][string];

describe("IVR flow validation", () => {
  it.each([
    ["a menu that leads somewhere", flow({ m: menu(), bye: { type: "hangup" } }), []],
    ["a link to a missing node", flow({ a: { type: "say", text: "Hi", next: "b" } }), ["unknown_node"]],
    ["a start that is not a node", flow({ a: { type: "hangup" } }, "zz"), ["unknown_node"]],
    [
      "prompts that loop",
      flow({ a: { type: "say", text: "A", next: "b" }, b: { type: "redirect", next: "a" } }),
      ["loop_without_input"],
    ],
    ["a node that redirects to itself", flow({ a: { type: "redirect", next: "a" } }), ["loop_without_input"]],
    [
      "a menu whose failure path leads back to it",
      flow({ m: menu({ on_failure: "m" }), bye: { type: "hangup" } }),
      ["loop_without_input"],
    ],
    ["a menu that a choice leads back to", flow({ m: menu({ choices: [{ digits: "9", next: "m" }] }) }), []],
    ["a node nothing leads to", flow({ a: { type: "hangup" }, b: { type: "hangup" } }), ["unreachable_node"]],
    ["a menu without choices", flow({ m: menu({ choices: [] }) }), ["menu_without_choices"]],
    [
      "two choices on the same key",
      flow({
        m: menu({
          choices: [
            { digits: "1", next: "x" },
            { digits: "1", next: "x" },
          ],
        }),
        x: { type: "hangup" },
      }),
      ["duplicate_choice"],
    ],
    [
      "speech in a keys-only menu",
      flow({ m: menu({ input: ["dtmf"] }), bye: { type: "hangup" } }),
      ["speech_not_enabled"],
    ],
    [
      "a choice longer than num_digits",
      flow({ m: menu({ num_digits: 1, choices: [{ digits: "12", next: "x" }] }), x: { type: "hangup" } }),
      ["choice_longer_than_num_digits"],
    ],
    ["a redirect with no target", flow({ r: { type: "redirect" } }), ["redirect_target"]],
  ])("%s: %j", (_label, f, codes) => {
    expect(validateFlow(f).map((x) => x.code)).toEqual(codes);
  });
});

describe("menu answers", () => {
  const node = menu({ max_retries: 1, on_failure: "bye" }) as Extract<
    FlowDefinition["nodes"][string],
    { type: "gather" }
  >;
  it.each([
    [{ digits: "1" }, 0, { kind: "choice", next: "bye" }],
    [{ speech: "I'd like to buy something, please." }, 0, { kind: "choice", next: "bye" }],
    [{ speech: "Sales!" }, 0, { kind: "choice", next: "bye" }],
    [{ speech: "wholesale" }, 0, { kind: "retry", reason: "invalid", attempt: 1 }],
    [{ digits: "7" }, 0, { kind: "retry", reason: "invalid", attempt: 1 }],
    [{}, 0, { kind: "retry", reason: "no_input", attempt: 1 }],
    [{ digits: "" }, 1, { kind: "failed", reason: "no_input", next: "bye" }],
    [{ digits: "7" }, 1, { kind: "failed", reason: "invalid", next: "bye" }],
  ])("%j on try %i → %j", (input, attempt, outcome) => {
    expect(gatherOutcome(node, input, attempt)).toMatchObject(outcome);
  });
  it("matches keys before speech", () => {
    expect(matchChoice(node, { digits: "1", speech: "nothing" })).toBe(0);
  });
});

describe("TwiML from a flow", () => {
  const urls = {
    node: (id: string) => `https://x.test/n/${id}`,
    gather: (id: string, n: number) => `https://x.test/n/${id}/gather?attempt=${n}`,
    noInput: (id: string, n: number) => `https://x.test/n/${id}/no-input?attempt=${n}`,
    recorded: (id: string) => `https://x.test/n/${id}/recorded`,
    transcription: (id: string) => `https://x.test/n/${id}/transcription`,
    dialed: (id: string) => `https://x.test/n/${id}/dialed`,
    allowed: () => true,
  };
  const f: FlowDefinition = {
    start: "hi",
    voice: "Polly.Joanna",
    nodes: {
      hi: { type: "say", text: "Tom & Jerry's <shop>", next: "m" },
      m: {
        type: "gather",
        prompt: [{ say: "Press 1." }],
        choices: [{ digits: "1", next: "vm" }],
        timeout: 4,
      },
      vm: { type: "record", transcribe: true, next: "end" },
      end: { type: "hangup" },
    },
  };
  it("plays prompts inline up to a menu, with a Redirect for silence", () => {
    expect(renderNode(f, "hi", urls)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">Tom &amp; Jerry\'s &lt;shop&gt;</Say>' +
        '<Gather input="dtmf" action="https://x.test/n/m/gather?attempt=0" method="POST" timeout="4" numDigits="1">' +
        '<Say voice="Polly.Joanna">Press 1.</Say></Gather><Redirect method="POST">https://x.test/n/m/no-input?attempt=0</Redirect></Response>',
    );
  });
  it("apologises before a retried menu, and records with a transcription callback", () => {
    expect(renderNode(f, "m", urls, { attempt: 1, reason: "invalid" })).toContain(
      'Sorry, that is not one of the options.</Say><Gather input="dtmf" action="https://x.test/n/m/gather?attempt=1"',
    );
    expect(renderNode(f, "vm", urls)).toContain(
      'transcribe="true" transcribeCallback="https://x.test/n/vm/transcription"/><Redirect method="POST">https://x.test/n/end</Redirect>',
    );
  });
});
