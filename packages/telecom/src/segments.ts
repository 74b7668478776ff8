/**
 * Exact SMS segment counting, as Twilio bills and throttles it (10DLC MPS counts segments).
 *
 * The rules follow Twilio's own calculator (TwilioDevEd/message-segment-calculator, npm
 * `sms-segments-calculator`), which the unit tests use as an oracle:
 * - GSM-7 when every character is in the GSM 03.38 basic set (1 septet) or its extension
 *   table (ESC + char, 2 septets); otherwise UCS-2 for the whole message.
 * - A segment carries 140 octets; a multipart message spends 6 of them on the UDH, hence
 *   160/153 septets and 70/67 UTF-16 code units.
 * - A character is never split across segments: not an ESC pair, not a surrogate pair, not a
 *   grapheme cluster (ZWJ emoji, flags, skin tones).
 * We do not use the calculator as the engine: it splits graphemes with a 2018 library, it
 * overflows a segment when one grapheme is longer than a segment, and it cannot return the
 * text of each segment. Intl.Segmenter is current and built in.
 */

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
  /** Unicode code points in the body (what a person would call characters, emoji = 1 each). */
  characters: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** The text carried by each segment, when asked for. */
  segment_texts?: string[];
}

export const SEGMENT_LIMITS = {
  "GSM-7": { single: 160, multipart: 153 },
  "UCS-2": { single: 70, multipart: 67 },
} as const;

/** Twilio refuses longer bodies with error 21617. */
export const MAX_BODY_CHARACTERS = 1600;

// GSM 03.38 basic set (without ESC) and the extension table, as JavaScript characters.
const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("^{}\\[~]|€\f");

/** Septets one character costs in GSM-7: 1 (basic set), 2 (extension table) or 0 (not GSM-7). */
export function gsm7Septets(char: string): 0 | 1 | 2 {
  if (GSM7_BASIC.has(char)) return 1;
  if (GSM7_EXTENSION.has(char)) return 2;
  return 0;
}

const graphemeSegmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Splits a body into the units that must never be split. CR LF is one grapheme for Unicode
 * but two GSM characters, and Twilio's calculator counts it as two, so we do too.
 */
function splitGraphemes(body: string): string[] {
  const graphemes: string[] = [];
  for (const { segment } of graphemeSegmenter.segment(body)) {
    if (segment === "\r\n") graphemes.push("\r", "\n");
    else graphemes.push(segment);
  }
  return graphemes;
}

export function isGsm7(body: string): boolean {
  for (const char of body) if (gsm7Septets(char) === 0) return false;
  return true;
}

interface Token {
  text: string;
  units: number;
}

function tokenize(body: string, encoding: SmsEncoding): Token[] {
  // Every GSM-7 character is one UTF-16 unit and none combines with another, so in GSM-7 text
  // each character is its own grapheme (CR LF is split anyway): skip the segmenter, which is
  // most of the cost of counting on the send path.
  if (encoding === "GSM-7") return Array.from(body, (c) => ({ text: c, units: gsm7Septets(c) }));
  const graphemes = splitGraphemes(body);
  const tokens: Token[] = [];
  const max = SEGMENT_LIMITS["UCS-2"].multipart;
  for (const g of graphemes) {
    if (g.length <= max) {
      tokens.push({ text: g, units: g.length });
      continue;
    }
    // A grapheme longer than a segment (e.g. "Zalgo" text) cannot stay whole: fall back to
    // code points so that at least surrogate pairs stay together.
    for (const cp of g) tokens.push({ text: cp, units: cp.length });
  }
  return tokens;
}

/** Greedy packing; equivalent to the calculator's "fill, then add the UDH and move overflow". */
function pack(tokens: Token[], capacity: number): string[] {
  const texts: string[] = [];
  let current = "";
  let used = 0;
  for (const token of tokens) {
    if (used + token.units > capacity && used > 0) {
      texts.push(current);
      current = "";
      used = 0;
    }
    current += token.text;
    used += token.units;
  }
  if (used > 0 || texts.length === 0) texts.push(current);
  return texts;
}

export function countSegments(body: string, options: { segmentTexts?: boolean } = {}): SegmentCount {
  const encoding: SmsEncoding = isGsm7(body) ? "GSM-7" : "UCS-2";
  const tokens = tokenize(body, encoding);
  const units = tokens.reduce((sum, t) => sum + t.units, 0);
  const limits = SEGMENT_LIMITS[encoding];
  const texts = units <= limits.single ? [body] : pack(tokens, limits.multipart);
  const result: SegmentCount = {
    encoding,
    segments: texts.length,
    characters: [...body].length,
    units,
  };
  if (options.segmentTexts) result.segment_texts = texts;
  return result;
}

/** Whether Twilio would refuse the body as too long (21617). Counts code points. */
export function exceedsBodyLimit(body: string): boolean {
  return [...body].length > MAX_BODY_CHARACTERS;
}
