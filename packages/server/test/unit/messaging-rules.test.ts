import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseImport, toCsvLine } from "../../src/messaging/optouts/csv.js";
import { quietHoursEnd, recipientTimeZone } from "@subtext/telecom/quiet-hours";
import { GroupCommit } from "../../src/messaging/send/group-commit.js";
import { requestHash, validateSend } from "../../src/messaging/send/validate.js";
import {
  type MessageStatus,
  MESSAGE_STATUSES,
  fromTwilioStatus,
  isFinal,
  isForward,
} from "../../src/messaging/status.js";
import { classifyCreateFailure, explainTwilioCode } from "@subtext/telecom/twilio-codes";

describe("message status moves", () => {
  it.each([
    ["queued", "sending", true],
    ["sending", "sent", true],
    ["sending", "delivered", true],
    ["sent", "delivered", true],
    ["sent", "undelivered", true],
    ["delivered", "sent", false],
    ["delivered", "undelivered", false],
    ["failed", "delivered", false],
    ["sent", "sending", false],
    ["sent", "sent", false],
    ["canceled", "sending", false],
  ] as [MessageStatus, MessageStatus, boolean][])("%s → %s is %s", (from, to, forward) => {
    expect(isForward(from, to)).toBe(forward);
  });

  it("never moves a final status, whatever arrives and in whatever order", () => {
    const status = fc.constantFrom(...MESSAGE_STATUSES);
    fc.assert(
      fc.property(status, fc.array(status, { maxLength: 20 }), (start, reports) => {
        let current = start;
        let finalSeen: MessageStatus | null = isFinal(start) ? start : null;
        for (const r of reports) {
          if (isForward(current, r)) current = r;
          if (finalSeen) expect(current).toBe(finalSeen);
          if (isFinal(current)) finalSeen ??= current;
        }
      }),
    );
  });

  it.each([
    ["accepted", "sending"],
    ["queued", "sending"],
    ["sent", "sent"],
    ["delivered", "delivered"],
    ["read", "delivered"],
    ["undelivered", "undelivered"],
    ["failed", "failed"],
    ["receiving", "received"],
    ["something-new", null],
  ])("Twilio's %s is our %s", (twilio, ours) => {
    expect(fromTwilioStatus(twilio)).toBe(ours);
  });
});

describe("classifying a failed messages.create", () => {
  it.each([
    [{ status: 429, code: 20429 }, "retry"],
    [{ status: 500, code: 20500 }, "ambiguous"],
    [{ status: 503 }, "ambiguous"],
    [{ status: 400, code: 21211 }, "permanent"],
    [{ status: 400, code: 21610 }, "permanent"],
    [{ status: 401, code: 20003 }, "retry"],
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "retry"],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "ambiguous"],
    [Object.assign(new Error("timed out"), { code: "ETIMEDOUT" }), "ambiguous"],
  ])("%o is %s", (err, kind) => {
    expect(classifyCreateFailure(err).kind).toBe(kind);
  });

  it("explains common codes in plain language and names unknown ones", () => {
    for (const code of [21211, 21610, 21614, 30003, 30004, 30005, 30006, 30007, 30032, 30034, 30036, 63016]) {
      expect(explainTwilioCode(code)?.length).toBeGreaterThan(30);
    }
    expect(explainTwilioCode(39999)).toBe("Twilio reported error 39999.");
    expect(explainTwilioCode(null)).toBeNull();
  });
});

describe("validating a send", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  it.each([
    [{ to: "+14155552671", body: "hi" }, null],
    [{ to: "+1 (415) 555-2671", body: "hi" }, null],
    [{ to: "4155552671", body: "hi" }, "phone_not_e164"],
    [{ to: "+442071838750", body: "hi" }, "phone_cannot_receive_sms"],
    [{ to: "+14155552671" }, "body_required"],
    [{ to: "+14155552671", body: "é".repeat(1601) }, "body_too_long"],
    [{ to: "+14155552671", body: "x", media_urls: ["ftp://x"] }, "invalid_media_url"],
    [{ to: "+14155552671", body: "x", send_at: "2029-12-31T23:00:00Z" }, "send_at_in_past"],
    [{ to: "+14155552671", body: "x", send_at: "2030-03-01T00:00:00Z" }, "send_at_too_far"],
    [{ to: "whatsapp:+14155552671", body: "x", channel: "sms" }, "channel_mismatch"],
    [{ to: "whatsapp:+1415", body: "x" }, "phone_invalid"],
  ] as const)("%o → %s", (input, code) => {
    const result = validateSend(input as never, now);
    if (code === null) expect(result.ok).toBe(true);
    else expect(result.ok ? null : result.findings[0].code).toBe(code);
  });

  it("takes WhatsApp by channel or by address: prefixed addresses, one unit whatever the length, landlines allowed", () => {
    const byChannel = validateSend({ to: "+14155552671", channel: "whatsapp", body: "ж".repeat(900) }, now);
    expect(byChannel.ok && byChannel.send).toMatchObject({
      channel: "whatsapp",
      to: "whatsapp:+14155552671",
      segments: 1,
      encoding: "UCS-2",
    });
    const byAddress = validateSend(
      { to: "whatsapp:+14155552671", from: "whatsapp:+14155550100", body: "hi" },
      now,
    );
    expect(byAddress.ok && byAddress.send).toMatchObject({
      channel: "whatsapp",
      from: "whatsapp:+14155550100",
    });
    // A UK landline cannot take an SMS, but may well have WhatsApp.
    expect(validateSend({ to: "+442079460000", body: "hi" }, now).ok).toBe(false);
    expect(validateSend({ to: "whatsapp:+442079460000", body: "hi" }, now).ok).toBe(true);
  });

  it("counts an MMS as one segment and an SMS exactly, with the smart-encoding saving", () => {
    const mms = validateSend(
      { to: "+14155552671", body: "x".repeat(500), media_urls: ["https://x.test/a.png"] },
      now,
    );
    expect(mms.ok && mms.send).toMatchObject({ channel: "mms", segments: 1 });
    const curly = "It’s ready. ".repeat(10);
    const off = validateSend({ to: "+14155552671", body: curly }, now);
    const on = validateSend({ to: "+14155552671", body: curly, smart_encoding: true }, now);
    expect(off.ok && off.send).toMatchObject({
      segments: 2,
      encoding: "UCS-2",
      segmentsSaved: 1,
      smartEncoded: false,
    });
    expect(on.ok && on.send).toMatchObject({
      segments: 1,
      encoding: "GSM-7",
      segmentsSaved: 1,
      smartEncoded: true,
    });
  });

  it("hashes a request independently of key order, and only when it has an idempotency key", () => {
    expect(requestHash({ to: "+1", body: "a", metadata: { x: 1, y: 2 } })).toBe(
      requestHash({ metadata: { y: 2, x: 1 }, body: "a", to: "+1" }),
    );
    expect(requestHash({ to: "+1", body: "a" })).not.toBe(requestHash({ to: "+1", body: "b" }));
    const keyless = validateSend({ to: "+14155552671", body: "a" }, now);
    expect(keyless.ok && keyless.send.requestHash).toBeNull();
  });
});

describe("quiet hours", () => {
  it.each([
    ["+12125550143", "America/New_York"],
    ["+14155550143", "America/Los_Angeles"],
    ["+13035550143", "America/Denver"],
    ["+16025550143", "America/Phoenix"],
    ["+13125550143", "America/Chicago"],
    ["+19075550143", "America/Anchorage"],
    ["+18085550143", "Pacific/Honolulu"],
    ["+16045550143", "America/Vancouver"],
    ["+447400123456", "Europe/London"],
    ["+61412345678", "Australia/Sydney"],
  ])("%s lives in %s", (phone, zone) => {
    expect(recipientTimeZone(phone)).toBe(zone);
  });

  it.each([
    // 23:30 in New York (winter, UTC-5) is inside 21:00–08:00; it ends at 08:00 local.
    ["2030-01-15T04:30:00Z", "21:00", "08:00", "2030-01-15T13:00:00.000Z"],
    ["2030-01-15T15:00:00Z", "21:00", "08:00", null],
    ["2030-01-15T13:00:00Z", "21:00", "08:00", null],
    ["2030-01-15T18:00:00Z", "12:00", "14:00", "2030-01-15T19:00:00.000Z"],
  ])("at %s with %s–%s the hold ends at %s", (at, start, end, expected) => {
    const result = quietHoursEnd(new Date(at), "America/New_York", { start, end });
    expect(result?.toISOString() ?? null).toBe(expected);
  });
});

describe("opt-out CSV", () => {
  it("imports numbers with optional scope and reason, skipping a header and reporting bad lines", () => {
    const { lines, problems } = parseImport(
      '\uFEFFphone,scope,reason\n+14155550100\n+14155550101,all,"moved, opted out"\n12345\n+14155550102,bogus\n',
    );
    expect(lines).toEqual([
      { line: 2, phone: "+14155550100", scope: null, reason: null },
      { line: 3, phone: "+14155550101", scope: "all", reason: "moved, opted out" },
    ]);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [4, "phone_not_e164"],
      [5, "invalid_scope"],
    ]);
  });

  it("quotes cells with commas and neutralizes spreadsheet formulas", () => {
    const line = toCsvLine({
      tenant_id: "ten_x",
      phone: "+14155550100",
      scope: "all",
      source: "api",
      keyword: null,
      reason: '=HYPERLINK("x"), bad',
      held_by_twilio: false,
      created_at: new Date("2030-01-01T00:00:00Z"),
    });
    expect(line).toBe(`+14155550100,all,api,,"'=HYPERLINK(""x""), bad",2030-01-01T00:00:00.000Z`);
  });
});

describe("group commit", () => {
  it("puts requests that arrive together in one flush, and each gets its own answer", async () => {
    const flushed: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        flushed.push(items);
        return items.map((i) => i * 10);
      },
      { maxBatch: 100, windowMs: 5, concurrency: 1 },
    );
    const answers = await Promise.all([1, 2, 3].map((i) => group.submit(i)));
    expect(answers).toEqual([10, 20, 30]);
    expect(flushed).toEqual([[1, 2, 3]]);
  });

  it("queues what arrives during a flush for the next one, and fails a whole group together", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const flushed: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        flushed.push(items);
        if (items.includes(1)) await gate;
        if (items.includes(13)) throw new Error("boom");
        return items;
      },
      { maxBatch: 2, windowMs: 1, concurrency: 1 },
    );
    const first = group.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const later = [11, 12, 13].map((i) => group.submit(i).catch((e: Error) => e.message));
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([11, 12, "boom"]);
    expect(flushed).toEqual([[1], [11, 12], [13]]);
  });
});
