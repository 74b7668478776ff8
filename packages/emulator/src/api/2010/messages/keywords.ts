import type { World } from "../../../world.js";

/**
 * Twilio's default opt-out handling for US/CA long codes and toll-free numbers
 * (docs/twilio-facts.md, "Opt-out keywords"): the whole body, trimmed and case-insensitive, must
 * be one keyword. "STOP!" and "STOP PLEASE" are not ("Only single-word messages will trigger
 * the block": https://help.twilio.com/articles/223134027).
 */
export type Keyword = "STOP" | "START" | "HELP";

/** Accounts whose keyword handling Twilio Support turned off (control/keyword-handling.ts). */
export const KEYWORD_HANDLING = "keyword_handling";
export interface KeywordHandlingDoc {
  sid: string;
  enabled: boolean;
}

/** Whether Twilio handles keywords for the account (the default), or the account does. */
export function keywordHandling(world: World, accountSid: string): boolean {
  return world.store.get<KeywordHandlingDoc>(KEYWORD_HANDLING, accountSid)?.enabled ?? true;
}

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
