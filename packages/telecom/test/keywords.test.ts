import { describe, expect, it } from "vitest";
import {
  DEFAULT_KEYWORDS,
  defaultReply,
  type KeywordConfig,
  keywordsOf,
  matchKeyword,
  needsOwnReply,
  normalizeKeywordBody,
  twilioDefaultKeyword,
} from "@subtext/telecom/keywords";

describe("default keywords", () => {
  it.each([
    ...DEFAULT_KEYWORDS.opt_out.map((k) => [k, "opt_out"] as const),
    ...DEFAULT_KEYWORDS.opt_in.map((k) => [k, "opt_in"] as const),
    ...DEFAULT_KEYWORDS.help.map((k) => [k, "help"] as const),
  ])("%s is a %s keyword", (body, kind) => {
    expect(matchKeyword(body)).toMatchObject({ kind, keyword: body, language: null });
  });

  it.each([
    ["lower case", "stop", "STOP"],
    ["mixed case", "UnSubscribe", "UNSUBSCRIBE"],
    ["surrounding spaces and a newline", "  stop \n", "STOP"],
    ["a trailing full stop", "Stop.", "STOP"],
    ["trailing exclamation marks", "STOP!!!", "STOP"],
    ["a non-breaking space", "\u00A0stop\u00A0", "STOP"],
    ["full-width letters", "ＳＴＯＰ", "STOP"],
    ["a full-width exclamation mark", "ｓｔｏｐ！", "STOP"],
    ["an ideographic space", "\u3000HELP\u3000", "HELP"],
    ["a zero-width space inside", "ST\u200BOP", "STOP"],
    ["quotes around it", '"cancel"', "CANCEL"],
  ])("tolerates %s", (_name, body, keyword) => {
    expect(matchKeyword(body)?.keyword).toBe(keyword);
  });

  it.each([
    ["a keyword inside a sentence", "please stop by at 5"],
    ["two keywords", "stop stop"],
    ["a keyword with an emoji", "STOP 🛑"],
    ["a longer word", "STOPPED"],
    ["an empty body", ""],
    ["only punctuation", "?!"],
    ["a spaced-out keyword", "S T O P"],
  ])("ignores %s", (_name, body) => {
    expect(matchKeyword(body)).toBeNull();
  });
});

describe("an opt-out in other words", () => {
  it.each([
    ["stop please", "STOP"],
    ["Please stop!", "STOP"],
    [" stop please ", "STOP"],
    ["please, unsubscribe", "UNSUBSCRIBE"],
    ["STOP NOW", "STOP"],
    ["stop thank you", "STOP"],
    ["Stop all", "STOPALL"],
    ["opt out", "OPTOUT"],
    ["Opt-out.", "OPTOUT"],
  ])("takes %j as an opt-out (%s)", (body, keyword) => {
    expect(matchKeyword(body)).toMatchObject({ kind: "opt_out", keyword });
  });

  it.each([
    ["cancel please", "may cancel an appointment"],
    ["please quit", "QUIT is ambiguous"],
    ["help please", "only opt-outs are read generously"],
    ["please please", "no keyword at all"],
    ["stop stop please", "two keywords"],
  ])("does not take %j (%s)", (body) => {
    expect(matchKeyword(body)).toBeNull();
  });

  it("answers it with the opt-out reply", () => {
    expect(matchKeyword("stop please", { brand_name: "Acme" })?.reply).toBe(defaultReply("opt_out", "Acme"));
  });
});

describe("Twilio's own keyword rule", () => {
  it.each([
    ["STOP", "opt_out"],
    ["stop", "opt_out"],
    ["  Stop \n", "opt_out"],
    ["\tunsubscribe", "opt_out"],
    ["Help", "help"],
    ["info", "help"],
    ["start", "opt_in"],
    ["UNSTOP", "opt_in"],
  ])("acts on %j (%s)", (body, kind) => {
    expect(twilioDefaultKeyword(body)).toBe(kind);
  });

  it.each([
    "STOP!",
    "Stop.",
    " stop please",
    "ＳＴＯＰ",
    "ST\u200BOP",
    '"stop"',
    "help?",
    "stop stop",
    "ARRET",
  ])("ignores %j", (body) => {
    expect(twilioDefaultKeyword(body)).toBeNull();
  });

  it.each([
    ["STOP", false],
    [" stop ", false],
    ["HELP", false],
    ["STOP!", true],
    ["Stop.", true],
    [" stop please", true],
    ["help?", true],
    ["ＳＴＡＲＴ", true],
    ["NOMORE", true],
  ])("leaves %j to us: %s", (body, ours) => {
    const match = matchKeyword(body, { keywords: { opt_out: ["NOMORE"] } });
    expect(match).not.toBeNull();
    expect(needsOwnReply(body, match!)).toBe(ours);
  });
});

describe("custom keywords per Messaging Service", () => {
  const config: KeywordConfig = {
    brand_name: "Jane's Bakery",
    keywords: { opt_out: ["nomore"], help: ["support"] },
    replies: { help: "Jane's Bakery: call 555-0100 or reply STOP to opt out." },
    languages: {
      es: {
        keywords: { opt_out: ["alto", "parar"], opt_in: ["comenzar"], help: ["ayuda"] },
        replies: { opt_out: "Jane's Bakery: no recibirá más mensajes. Responda COMENZAR para volver." },
      },
      fr: { keywords: { opt_out: ["arrêt", "arret"], help: ["aide"] } },
    },
  };

  it.each([
    ["NOMORE", "opt_out", null],
    ["Support.", "help", null],
    ["alto", "opt_out", "es"],
    ["Comenzar", "opt_in", "es"],
    ["ARRÊT", "opt_out", "fr"],
    ["STOP", "opt_out", null],
  ])("matches %s as %s in language %s", (body, kind, language) => {
    expect(matchKeyword(body, config)).toMatchObject({ kind, language });
  });

  it.each([
    ["a configured reply", "support", "Jane's Bakery: call 555-0100 or reply STOP to opt out."],
    [
      "the language's reply",
      "parar",
      "Jane's Bakery: no recibirá más mensajes. Responda COMENZAR para volver.",
    ],
    ["the default reply with the brand name", "stop", defaultReply("opt_out", "Jane's Bakery")],
    [
      "the top-level reply when the language has none",
      "aide",
      "Jane's Bakery: call 555-0100 or reply STOP to opt out.",
    ],
  ])("answers with %s", (_name, body, reply) => {
    expect(matchKeyword(body, config)?.reply).toBe(reply);
  });

  it("answers a default keyword in the recipient's language when given as a hint", () => {
    expect(matchKeyword("STOP", config, { language: "es" })?.reply).toMatch(/^Jane's Bakery: no recibirá/);
  });

  it("lets opting out win when a custom list puts a word in two kinds", () => {
    const clash: KeywordConfig = { keywords: { opt_in: ["END"], help: ["QUIT"] } };
    expect(matchKeyword("end", clash)?.kind).toBe("opt_out");
    expect(matchKeyword("quit", clash)?.kind).toBe("opt_out");
  });

  it("never drops the default opt-out keywords", () => {
    expect(keywordsOf("opt_out", config)).toEqual([
      ...DEFAULT_KEYWORDS.opt_out,
      "NOMORE",
      "ALTO",
      "PARAR",
      "ARRÊT",
      "ARRET",
    ]);
  });
});

describe("default replies", () => {
  it.each([
    ["opt_out", /unsubscribed.*START/],
    ["opt_in", /HELP.*STOP.*rates may apply/],
    ["help", /STOP.*START.*rates may apply/],
  ] as const)("the %s reply says what to do next", (kind, pattern) => {
    expect(defaultReply(kind)).toMatch(pattern);
  });

  it("normalizes bodies the same way as keywords", () => {
    expect(normalizeKeywordBody("  ｈｅｌｐ  me ")).toBe("HELP ME");
  });
});
