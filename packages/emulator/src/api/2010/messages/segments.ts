import { SegmentedMessage } from "sms-segments-calculator";

export interface Segmentation {
  segments: number;
  encoding: "GSM-7" | "UCS-2";
}

/** Characters of the GSM-7 basic set that are also plain ASCII, one septet each (no CR: see below). */
const ASCII_GSM = /^[A-Za-z0-9 \n@$!"#%&'()*+,\-./:;<=>?_]*$/;

/**
 * Exact SMS segment count, as Twilio's own calculator (TwilioDevEd/message-segment-calculator)
 * computes it; smart encoding first maps Unicode look-alikes to GSM-7 (docs/twilio-facts.md,
 * "Segments and encoding").
 * Plain-ASCII GSM text (most traffic) is counted directly: one septet per character, 160 in a
 * single segment, 153 per part beyond; the calculator costs ~70 µs a message, which would make
 * it the most expensive part of a create.
 */
export function segmentsOf(body: string, smartEncoded: boolean): Segmentation {
  if (body === "") return { segments: 1, encoding: "GSM-7" };
  if (ASCII_GSM.test(body))
    return { segments: body.length <= 160 ? 1 : Math.ceil(body.length / 153), encoding: "GSM-7" };
  const message = new SegmentedMessage(body, "auto", smartEncoded);
  return { segments: message.segmentsCount, encoding: message.encodingName };
}

/** The calculator alone (for tests that hold the fast path to it). */
export function calculatorSegments(body: string, smartEncoded: boolean): number {
  return new SegmentedMessage(body, "auto", smartEncoded).segmentsCount;
}
