/**
 * Opt-out / opt-in / help keyword matching for inbound messages.
 *
 * Twilio's rule (its Default Opt-Out, `twilioDefaultKeyword`): the whole body, trimmed of
 * whitespace and case-insensitive, must be exactly one of its default keywords; "STOP!" and
 * "STOP PLEASE" are not ("Twilio support for opt-out keywords (SMS STOP filtering)",
 * https://help.twilio.com/articles/223134027). We are more forgiving about how people type on
 * phones (trailing "." or "!", NBSP, full-width letters from CJK keyboards, zero-width characters
 * pasted in; "stop please", "OPT OUT") but never match a keyword inside a sentence: "please stop
 * by at 5" is not an opt-out. What we match and Twilio does not, Twilio leaves unanswered: the
 * caller answers it (`needsOwnReply`).
 *
 * Custom keywords extend the defaults, they never replace them: carriers require STOP and its
 * synonyms to work on every US/CA long code and toll-free number.
 */

export type KeywordKind = "opt_out" | "opt_in" | "help";

export type KeywordLists = Record<KeywordKind, readonly string[]>;
export type KeywordReplies = Record<KeywordKind, string>;

/** Twilio's default keyword lists (REVOKE and OPTOUT were added in 2025). */
export const DEFAULT_KEYWORDS: KeywordLists = {
  opt_out: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"],
  opt_in: ["START", "UNSTOP", "YES"],
  help: ["HELP", "INFO"],
};

export interface KeywordLanguageConfig {
  keywords?: Partial<KeywordLists>;
  replies?: Partial<KeywordReplies>;
}

/** Per Messaging Service configuration, passed in by the caller. */
export interface KeywordConfig extends KeywordLanguageConfig {
  /** Prefixed to the default replies ("Jane's Bakery: …") so the recipient knows who answers. */
  brand_name?: string;
  /** Extra keywords and replies per language tag ("es", "fr-CA"). */
  languages?: Record<string, KeywordLanguageConfig>;
}

export interface KeywordMatch {
  kind: KeywordKind;
  /** The keyword as matched, normalized (upper case). */
  keyword: string;
  /** The language whose list matched, or null for the defaults and top-level extras. */
  language: string | null;
  reply: string;
}

// Checked in this order: when a custom list puts one word in two kinds, opting out wins.
const KINDS: readonly KeywordKind[] = ["opt_out", "opt_in", "help"];

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const EDGES = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

/**
 * Reduces a body to the form keywords are compared in: NFKC (full-width → ASCII, NBSP →
 * space), invisible characters removed, surrounding whitespace and punctuation trimmed, inner
 * whitespace collapsed, upper case.
 */
export function normalizeKeywordBody(body: string): string {
  return body.normalize("NFKC").replace(INVISIBLE, "").replace(EDGES, "").replace(/\s+/g, " ").toUpperCase();
}

/**
 * Politeness around an unambiguous opt-out word ("stop please", "please unsubscribe", "STOP
 * NOW"). CANCEL, END and QUIT are left out: "cancel please" in answer to an appointment
 * reminder cancels the appointment.
 */
const POLITE = new Set(["PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX"]);
const UNAMBIGUOUS_OPT_OUT = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT", "REVOKE"]);
/** Default opt-out keywords people write as two words. */
const PHRASES: Record<string, string> = { "STOP ALL": "STOPALL", "OPT OUT": "OPTOUT", "OPT-OUT": "OPTOUT" };

/** An opt-out written with politeness or as a phrase, as its keyword; else null. */
function politeOptOut(word: string): string | null {
  const phrase = PHRASES[word];
  if (phrase) return phrase;
  const words = word.split(" ");
  const kept = words.filter((w) => !POLITE.has(w.replace(/[\s\p{P}]+/gu, "")));
  if (kept.length !== 1 || kept.length === words.length) return null;
  const core = kept[0].replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
  const keyword = PHRASES[core] ?? core;
  return UNAMBIGUOUS_OPT_OUT.has(keyword) ? keyword : null;
}

/**
 * The keyword Twilio itself acts on (opt-out list, auto-reply) on US and Canadian long codes
 * and toll-free numbers: the whole body, trimmed of whitespace, case-insensitive, is one of its
 * default keywords. Nothing else: no punctuation, no full-width letters, no extra words.
 */
export function twilioDefaultKeyword(body: string): KeywordKind | null {
  const word = body.trim().toUpperCase();
  return KINDS.find((kind) => DEFAULT_KEYWORDS[kind].includes(word)) ?? null;
}

/**
 * Whether a body we matched as a keyword gets no answer from Twilio, so that we must answer it
 * ourselves for the person to get one: a custom keyword, or a default one written in a way
 * Twilio's exact rule does not take ("STOP!", "stop please", "Ｈｅｌｐ").
 */
export function needsOwnReply(body: string, match: KeywordMatch): boolean {
  return twilioDefaultKeyword(body) !== match.kind;
}

export function defaultReply(kind: KeywordKind, brandName?: string): string {
  const text = {
    opt_out:
      "You are unsubscribed and will get no more messages from this number. Reply START to resubscribe.",
    opt_in:
      "You are subscribed again and will receive messages. Reply HELP for help, STOP to unsubscribe. Msg & data rates may apply.",
    help: "Reply STOP to unsubscribe or START to resubscribe. Msg & data rates may apply.",
  }[kind];
  return brandName ? `${brandName}: ${text}` : text;
}

function listFor(kind: KeywordKind, config: KeywordLanguageConfig | undefined): string[] {
  return (config?.keywords?.[kind] ?? []).map(normalizeKeywordBody);
}

function replyFor(kind: KeywordKind, config: KeywordConfig, language: string | null): string {
  const fromLanguage = language === null ? undefined : config.languages?.[language]?.replies?.[kind];
  return fromLanguage ?? config.replies?.[kind] ?? defaultReply(kind, config.brand_name);
}

/**
 * Classifies an inbound body. `language` is a hint (e.g. the recipient's stored language): its
 * list is searched first, and its reply answers a default keyword such as STOP.
 */
export function matchKeyword(
  body: string,
  config: KeywordConfig = {},
  options: { language?: string } = {},
): KeywordMatch | null {
  const word = normalizeKeywordBody(body);
  if (word === "") return null;
  const languages = Object.keys(config.languages ?? {});
  const hint = options.language && languages.includes(options.language) ? options.language : undefined;
  const order: (string | null)[] = [...(hint ? [hint] : []), null, ...languages.filter((l) => l !== hint)];
  const polite = politeOptOut(word);
  for (const kind of KINDS) {
    for (const language of order) {
      const list =
        language === null
          ? [...DEFAULT_KEYWORDS[kind], ...listFor(kind, config)]
          : listFor(kind, config.languages?.[language]);
      if (list.includes(word)) {
        const reply = replyFor(kind, config, language ?? hint ?? null);
        return { kind, keyword: word, language, reply };
      }
    }
  }
  if (polite)
    return {
      kind: "opt_out",
      keyword: polite,
      language: null,
      reply: replyFor("opt_out", config, hint ?? null),
    };
  return null;
}

/** All keywords of one kind that a configuration accepts, normalized and de-duplicated. */
export function keywordsOf(kind: KeywordKind, config: KeywordConfig = {}): string[] {
  const all = [...DEFAULT_KEYWORDS[kind], ...listFor(kind, config)];
  for (const language of Object.values(config.languages ?? {})) all.push(...listFor(kind, language));
  return [...new Set(all)];
}
