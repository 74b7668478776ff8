/**
 * A small XML reader for TwiML: elements, attributes, text, entities, CDATA, comments and the
 * XML declaration. TwiML never needs namespaces, DTDs or processing instructions beyond `<?xml?>`,
 * so this stays a few dozen lines instead of a dependency.
 */

export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  children: TwimlNode[];
  /** The text content of the element and its descendants (SSML inside <Say> included). */
  text: string;
}

export class TwimlParseError extends Error {}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTR = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses an XML document into its root element. Throws TwimlParseError when malformed. */
export function parseXml(source: string): TwimlNode {
  let i = 0;
  const fail = (why: string): never => {
    throw new TwimlParseError(`${why} at offset ${i}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i])) i++;
      if (source.startsWith("<?", i)) {
        const end = source.indexOf("?>", i);
        if (end < 0) fail("unterminated declaration");
        i = end + 2;
      } else if (source.startsWith("<!--", i)) {
        const end = source.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else return;
    }
  };

  const element = (): TwimlNode => {
    if (source[i] !== "<") fail("expected an element");
    i++;
    NAME.lastIndex = i;
    const m = NAME.exec(source);
    if (!m) return fail("expected an element name");
    const node: TwimlNode = { name: m[0], attrs: {}, children: [], text: "" };
    i = NAME.lastIndex;
    for (;;) {
      ATTR.lastIndex = i;
      const a = ATTR.exec(source);
      if (!a) break;
      node.attrs[a[1]] = decode(a[3] ?? a[4] ?? "");
      i = ATTR.lastIndex;
    }
    while (/\s/.test(source[i] ?? "")) i++;
    if (source.startsWith("/>", i)) {
      i += 2;
      return node;
    }
    if (source[i] !== ">") fail(`malformed start tag <${node.name}>`);
    i++;
    for (;;) {
      if (i >= source.length) fail(`unclosed <${node.name}>`);
      if (source.startsWith("</", i)) {
        const close = `</${node.name}`;
        if (!source.startsWith(close, i)) fail(`mismatched closing tag for <${node.name}>`);
        i += close.length;
        while (/\s/.test(source[i] ?? "")) i++;
        if (source[i] !== ">") fail(`malformed closing tag for <${node.name}>`);
        i++;
        return node;
      }
      if (source.startsWith("<!--", i)) {
        const end = source.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (source.startsWith("<![CDATA[", i)) {
        const end = source.indexOf("]]>", i);
        if (end < 0) fail("unterminated CDATA");
        node.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (source[i] === "<") {
        const child = element();
        node.children.push(child);
        node.text += child.text;
      } else {
        const end = source.indexOf("<", i);
        const raw = source.slice(i, end < 0 ? source.length : end);
        node.text += decode(raw);
        i += raw.length;
      }
    }
  };

  skipMisc();
  const root = element();
  skipMisc();
  if (i < source.length) fail("content after the root element");
  return root;
}

/** A TwiML voice document: the verbs of its <Response>. */
export function parseTwiml(source: string): TwimlNode[] {
  const root = parseXml(source);
  if (root.name !== "Response")
    throw new TwimlParseError(`the root element is <${root.name}>, not <Response>`);
  return root.children;
}
