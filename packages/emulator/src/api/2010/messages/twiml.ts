/** A <Message> verb of a messaging TwiML answer. */
export interface TwimlMessage {
  body: string;
  media: string[];
  to?: string;
}

/**
 * Reads the <Message> verbs of a messaging TwiML document: `<Message>text</Message>` or
 * `<Message to="…"><Body>text</Body><Media>url</Media></Message>`. An empty or non-TwiML
 * answer sends nothing, as with Twilio.
 */
export function parseMessagingTwiml(xml: string): TwimlMessage[] {
  if (!/<Response[\s>/]/.test(xml)) return [];
  const out: TwimlMessage[] = [];
  const verb = /<Message\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Message>)/g;
  for (const match of xml.matchAll(verb)) {
    const attrs = match[1] ?? "";
    const inner = match[2] ?? "";
    const to = /\bto\s*=\s*"([^"]*)"/.exec(attrs)?.[1];
    const media = [...inner.matchAll(/<Media>([\s\S]*?)<\/Media>/g)].map((m) => decode(m[1].trim()));
    const bodyTag = /<Body>([\s\S]*?)<\/Body>/.exec(inner);
    const text = bodyTag
      ? bodyTag[1]
      : inner.replace(/<Media>[\s\S]*?<\/Media>/g, "").replace(/<[^>]+>/g, "");
    const body = decode(text.trim());
    if (body === "" && media.length === 0) continue;
    out.push({ body, media, ...(to ? { to: decode(to) } : {}) });
  }
  return out;
}

function decode(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
