/**
 * Other spellings of one request path, as an attacker would try them to slip past a check made
 * on the raw URL while the router still finds the route: percent-encoded letters and digits,
 * doubled slashes, dot segments, upper case, a trailing slash, an encoded slash.
 */
const encodeChar = (c: string, upper = true) => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, "0");
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** Percent-encodes the first character of every segment that `pick` selects. */
function encodeFirst(path: string, pick: (segment: string, index: number) => boolean, upper = true): string {
  return path
    .split("/")
    .map((s, i) => (s && pick(s, i) ? encodeChar(s[0], upper) + s.slice(1) : s))
    .join("/");
}

/** Every spelling of `path` (a concrete path such as `/v1/events/evt_…`), labelled. */
export function spellingsOf(path: string): { how: string; path: string }[] {
  const [, first = "", ...rest] = path.split("/");
  const tail = rest.length ? `/${rest.join("/")}` : "";
  const out: { how: string; path: string }[] = [
    { how: "as documented", path },
    { how: "first letter percent-encoded", path: `/${encodeChar(first[0])}${first.slice(1)}${tail}` },
    {
      how: "first letter percent-encoded, lower-case hex",
      path: `/${encodeChar(first[0], false)}${first.slice(1)}${tail}`,
    },
    { how: "every segment's first character encoded", path: encodeFirst(path, () => true) },
    {
      how: "the whole first segment encoded",
      path: `/${[...first].map((c) => encodeChar(c)).join("")}${tail}`,
    },
    { how: "doubled leading slash", path: `/${path}` },
    { how: "doubled inner slashes", path: path.replaceAll("/", "//").slice(1) },
    { how: "dot segment", path: `/${first}/.${tail}` },
    { how: "dot-dot segment", path: `/x/../${first}${tail}` },
    { how: "encoded dot-dot segment", path: `/x/%2e%2e/${first}${tail}` },
    { how: "upper case", path: path.toUpperCase() },
    { how: "first segment upper case", path: `/${first.toUpperCase()}${tail}` },
    { how: "trailing slash", path: `${path}/` },
    { how: "encoded slash", path: `/${first}${tail.replace("/", "%2F")}` },
    { how: "semicolon parameter", path: `${path};x=1` },
    { how: "backslash", path: `/${first}${tail.replaceAll("/", "\\")}` },
  ];
  const digit = /\d/.exec(first);
  if (digit) {
    out.push({
      how: "digit percent-encoded",
      path: `/${first.replace(digit[0], encodeChar(digit[0]))}${tail}`,
    });
  }
  return out.filter((s, i, all) => all.findIndex((o) => o.path === s.path) === i);
}
