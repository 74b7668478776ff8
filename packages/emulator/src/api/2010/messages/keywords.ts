/**
 * Twilio's default opt-out handling for US/CA long codes and toll-free numbers
 * (docs/twilio-facts.md, "Opt-out keywords"): the whole body, trimmed and case-insensitive, must
 * be one keyword.
 */
export type Keyword = "STOP" | "START" | "HELP";

const KEYWORDS: Record<string, Keyword> = {
  STOP: "STOP",
  STOPALL: "STOP",
  UNSUBSCRIBE: "STOP",
  CANCEL: "STOP",
  END: "STOP",
  QUIT: "STOP",
  REVOKE: "STOP",
  OPTOUT: "STOP",
  START: "START",
  YES: "START",
  UNSTOP: "START",
  HELP: "HELP",
  INFO: "HELP",
};

export function classifyKeyword(body: string): Keyword | null {
  return KEYWORDS[body.trim().toUpperCase()] ?? null;
}

/** Default auto-replies, paraphrasing Twilio's. */
export const AUTO_REPLIES: Record<Keyword, string> = {
  STOP: "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.",
  START:
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
  HELP: "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
};
