/**
 * Smart encoding: Twilio replaces Unicode look-alikes (curly quotes, dashes, NBSP, full-width
 * ASCII, …) with GSM-7 characters before encoding, when `smart_encoding` is on for the
 * Messaging Service or `SmartEncoded=true` on the message. One curly apostrophe otherwise turns
 * a 1-segment GSM-7 message into a 3-segment UCS-2 one.
 *
 * The map is Twilio's published one (~270 entries), taken from the `sms-segments-calculator`
 * package rather than copied, so it stays in step with the calculator the tests compare to.
 */
import { createRequire } from "node:module";
import { countSegments, type SegmentCount } from "./segments.js";

// require(), not import: the file is compiled CommonJS, and Node and Vite disagree on what its
// default import is; require() gives `{ default: map }` under both.
const SMART_ENCODING_MAP: Readonly<Record<string, string>> = createRequire(import.meta.url)(
  "sms-segments-calculator/dist/libs/SmartEncodingMap.js",
).default;

/** The body after Twilio's look-alike replacement (per code point, like Twilio). */
export function smartEncode(body: string): string {
  let out = "";
  for (const char of body) out += SMART_ENCODING_MAP[char] ?? char;
  return out;
}

export interface SmartEncodingSaving {
  /** The body as Twilio would send it with smart encoding on. */
  body: string;
  original: SegmentCount;
  encoded: SegmentCount;
  /** Segments saved per message (never negative). */
  segments_saved: number;
}

export function smartEncodingSaving(body: string): SmartEncodingSaving {
  const encodedBody = smartEncode(body);
  const original = countSegments(body);
  const encoded = countSegments(encodedBody);
  return {
    body: encodedBody,
    original,
    encoded,
    segments_saved: Math.max(0, original.segments - encoded.segments),
  };
}
