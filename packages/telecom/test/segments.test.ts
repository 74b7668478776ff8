import { createRequire } from "node:module";
import fc from "fast-check";
import { SegmentedMessage } from "sms-segments-calculator";
import { describe, expect, it } from "vitest";
import {
  countSegments,
  exceedsBodyLimit,
  gsm7Septets,
  isGsm7,
  MAX_BODY_CHARACTERS,
} from "@subtext/telecom/segments";
import { smartEncode, smartEncodingSaving } from "@subtext/telecom/smart-encoding";

const a = (n: number) => "a".repeat(n);
const FAMILY = "👨‍👩‍👧‍👦"; // 11 UTF-16 code units, one grapheme
const FLAG = "🇺🇸"; // 4 code units, one grapheme

describe("segment counting", () => {
  it.each([
    ["an empty body", "", "GSM-7", 1, 0, 0],
    ["160 GSM characters", a(160), "GSM-7", 1, 160, 160],
    ["161 GSM characters", a(161), "GSM-7", 2, 161, 161],
    ["306 GSM characters (two full parts)", a(306), "GSM-7", 2, 306, 306],
    ["307 GSM characters", a(307), "GSM-7", 3, 307, 307],
    ["80 euro signs (2 septets each)", "€".repeat(80), "GSM-7", 1, 80, 160],
    ["81 euro signs", "€".repeat(81), "GSM-7", 2, 81, 162],
    ["159 characters and a euro sign", a(159) + "€", "GSM-7", 2, 160, 161],
    ["CR LF as two septets", a(158) + "\r\n", "GSM-7", 1, 160, 160],
    ["70 Cyrillic letters", "я".repeat(70), "UCS-2", 1, 70, 70],
    ["71 Cyrillic letters", "я".repeat(71), "UCS-2", 2, 71, 71],
    ["134 Cyrillic letters", "я".repeat(134), "UCS-2", 2, 134, 134],
    ["135 Cyrillic letters", "я".repeat(135), "UCS-2", 3, 135, 135],
    ["68 letters and an emoji (70 units)", a(68) + "😀", "UCS-2", 1, 69, 70],
    ["69 letters and an emoji (71 units)", a(69) + "😀", "UCS-2", 2, 70, 71],
    ["a lower-case c-cedilla, which is not GSM-7", "ça", "UCS-2", 1, 2, 2],
    ["a euro sign in UCS-2 (one code unit)", "€😀", "UCS-2", 1, 2, 3],
    ["1600 GSM characters", a(1600), "GSM-7", 11, 1600, 1600],
    ["1600 UCS-2 characters", "я".repeat(1600), "UCS-2", 24, 1600, 1600],
  ])("counts %s", (_name, body, encoding, segments, characters, units) => {
    expect(countSegments(body)).toEqual({ encoding, segments, characters, units });
  });

  it.each([
    ["an ESC pair is never split at the 153 boundary", a(152) + "€" + a(10), [a(152), "€" + a(10)]],
    ["a surrogate pair is never split at the 67 boundary", a(66) + "😀" + a(10), [a(66), "😀" + a(10)]],
    ["a ZWJ emoji stays in one segment", a(60) + FAMILY + a(10), [a(60), FAMILY + a(10)]],
    ["a flag stays in one segment", a(65) + FLAG + a(5), [a(65), FLAG + a(5)]],
  ])("%s", (_name, body, texts) => {
    expect(countSegments(body, { segmentTexts: true }).segment_texts).toEqual(texts);
  });

  it("returns the whole body as the only segment text of a single-segment message", () => {
    expect(countSegments("Hello €", { segmentTexts: true }).segment_texts).toEqual(["Hello €"]);
  });

  it("splits a grapheme longer than a segment at code points instead of overflowing", () => {
    const zalgo = "e" + "\u0301".repeat(80);
    const result = countSegments(zalgo, { segmentTexts: true });
    expect(result).toMatchObject({ encoding: "UCS-2", segments: 2, units: 81 });
    expect(result.segment_texts?.map((t) => t.length)).toEqual([67, 14]);
  });

  it.each([
    [a(MAX_BODY_CHARACTERS), false],
    [a(MAX_BODY_CHARACTERS + 1), true],
    ["😀".repeat(MAX_BODY_CHARACTERS), false],
  ])("applies Twilio's 1600-character limit to a body of %#", (body, exceeds) => {
    expect(exceedsBodyLimit(body)).toBe(exceeds);
  });
});

describe("the GSM-7 alphabet", () => {
  it("matches Twilio's calculator table character for character", () => {
    const table: Record<number, number[]> = createRequire(import.meta.url)(
      "sms-segments-calculator/dist/libs/UnicodeToGSM.js",
    ).default;
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      const expected = table[code]?.length ?? 0;
      if (gsm7Septets(char) !== expected) throw new Error(`U+${code.toString(16)} differs`);
    }
    expect(gsm7Septets("€")).toBe(2);
    expect(gsm7Septets("`")).toBe(0);
  });

  it.each([
    ["plain ASCII", "Order 42 is ready!", true],
    ["the extension table", "{[~|^]}\\€", true],
    ["a grave accent", "`", false],
    ["a curly apostrophe", "it’s", false],
  ])("classifies %s", (_name, body, expected) => {
    expect(isGsm7(body)).toBe(expected);
  });
});

// Whole graphemes, so that the 2018 splitter inside the calculator and Intl.Segmenter agree.
const TOKENS = ["a", "Z", " ", "€", "{", "\n", "\r", "é", "ç", "я", "😀", "👍🏽", FAMILY, FLAG, "中"];
const bodies = fc.array(fc.constantFrom(...TOKENS), { maxLength: 400 }).map((t) => t.join(""));

describe("agreement with Twilio's calculator", () => {
  it("gives the same encoding and segment count for any mix of tricky characters", () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const ours = countSegments(body);
        const theirs = new SegmentedMessage(body);
        expect(ours.encoding).toBe(theirs.encodingName);
        expect(ours.segments).toBe(theirs.segmentsCount);
      }),
      { numRuns: 500 },
    );
  });
});

describe("segment count invariants", () => {
  const anyChar = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });

  it("never decreases when a character is appended", () => {
    const anyBody = fc.oneof(bodies, fc.string({ unit: "binary", maxLength: 400 }));
    fc.assert(
      fc.property(anyBody, anyChar, (body, char) => {
        expect(countSegments(body + char).segments).toBeGreaterThanOrEqual(countSegments(body).segments);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps every character: the segment texts join back into the body", () => {
    fc.assert(
      fc.property(fc.oneof(bodies, fc.string({ unit: "binary", maxLength: 400 })), (body) => {
        const result = countSegments(body, { segmentTexts: true });
        expect(result.segment_texts?.join("")).toBe(body);
        expect(result.segment_texts).toHaveLength(result.segments);
      }),
    );
  });
});

describe("smart encoding", () => {
  it.each([
    ["curly quotes", "“Hi” it’s me", '"Hi" it\'s me'],
    ["dashes and ellipsis", "Open 9–5 — see you…", "Open 9-5 - see you..."],
    ["full-width letters", "ＳＴＯＰ", "STOP"],
    ["a zero-width space", "a\u200Bb", "ab"],
    ["text that is already GSM-7", "Plain text", "Plain text"],
  ])("replaces %s", (_name, body, expected) => {
    expect(smartEncode(body)).toBe(expected);
  });

  it("reports the segments a curly apostrophe costs", () => {
    const body = `Jane’s Bakery: ${a(140)}`;
    expect(smartEncodingSaving(body)).toMatchObject({
      body: `Jane's Bakery: ${a(140)}`,
      original: { encoding: "UCS-2", segments: 3 },
      encoded: { encoding: "GSM-7", segments: 1 },
      segments_saved: 2,
    });
  });

  it("saves nothing when a character without a look-alike remains", () => {
    expect(smartEncodingSaving("“Hi” 😀").segments_saved).toBe(0);
  });
});
