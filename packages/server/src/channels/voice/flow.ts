/**
 * A declarative IVR flow: named nodes, each one TwiML verb (or a menu), linked by node ids.
 *
 *   { "start": "menu", "nodes": {
 *       "menu": { "type": "gather", "prompt": [{ "say": "Press 1 for sales, 2 to leave a message." }],
 *                 "choices": [{ "digits": "1", "speech": ["sales"], "next": "sales" },
 *                             { "digits": "2", "next": "voicemail" }],
 *                 "max_retries": 2, "on_failure": "bye" },
 *       "sales": { "type": "dial", "number": "+14155550100", "on_no_answer": "voicemail" },
 *       "voicemail": { "type": "record", "prompt": [{ "say": "Leave a message after the beep." }],
 *                      "transcribe": true, "next": "bye" },
 *       "bye": { "type": "say", "text": "Goodbye.", "next": "end" },
 *       "end": { "type": "hangup" } } }
 *
 * A node without `next` ends the call after it.
 */
export type Prompt =
  | { say: string; voice?: string; language?: string; loop?: number }
  | { play: string; loop?: number };

export interface Choice {
  /** Keys pressed, e.g. "1" or "42". */
  digits?: string;
  /** Words or phrases that select this choice when said (case and punctuation ignored). */
  speech?: string[];
  next: string;
}

export type FlowNode =
  | { type: "say"; text: string; voice?: string; language?: string; loop?: number; next?: string }
  | { type: "play"; url: string; loop?: number; next?: string }
  | {
      type: "gather";
      prompt: Prompt[];
      choices: Choice[];
      input?: ("dtmf" | "speech")[];
      /** Seconds of silence before the caller counts as not answering (Twilio's default 5). */
      timeout?: number;
      num_digits?: number;
      /** Tries after the first one, for no input and for an invalid choice (default 2). */
      max_retries?: number;
      no_input_prompt?: Prompt[];
      invalid_prompt?: Prompt[];
      /** Where to go once the retries are used up (default: apologise and hang up). */
      on_failure?: string;
      language?: string;
    }
  | {
      type: "dial";
      number: string;
      caller_id?: string;
      timeout?: number;
      /** After a completed conversation (default: hang up). */
      next?: string;
      /** When the dialled party is busy, does not answer or fails (default: `next`). */
      on_no_answer?: string;
    }
  | {
      type: "record";
      prompt?: Prompt[];
      max_length?: number;
      timeout?: number;
      transcribe?: boolean;
      play_beep?: boolean;
      next?: string;
    }
  | { type: "redirect"; next?: string; url?: string }
  | { type: "hangup" };

export type NodeType = FlowNode["type"];

export interface FlowDefinition {
  start: string;
  /** Defaults for every Say (Twilio voices, e.g. "Polly.Joanna", and languages, e.g. "en-US"). */
  voice?: string;
  language?: string;
  nodes: Record<string, FlowNode>;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_GATHER_TIMEOUT = 5;
export const DEFAULT_NO_INPUT = "Sorry, I didn't get that.";
export const DEFAULT_INVALID = "Sorry, that is not one of the options.";
export const DEFAULT_FAILURE = "Sorry, we could not understand your choice. Goodbye.";

/** A node's outgoing links, and whether following it needs the caller's input. */
export interface Edge {
  to: string;
  path: string;
  input: boolean;
}

export function edgesOf(node: FlowNode, id: string): Edge[] {
  const at = (field: string) => `/nodes/${id}/${field}`;
  const edge = (to: string | undefined, path: string, input = false): Edge[] =>
    to ? [{ to, path, input }] : [];
  switch (node.type) {
    case "say":
    case "play":
    case "record":
      return edge(node.next, at("next"));
    case "redirect":
      return edge(node.next, at("next"));
    case "dial":
      return [...edge(node.next, at("next")), ...edge(node.on_no_answer, at("on_no_answer"))];
    case "gather":
      return [
        ...node.choices.flatMap((c, i) => edge(c.next, at(`choices/${i}/next`), true)),
        ...edge(node.on_failure, at("on_failure")),
      ];
    case "hangup":
      return [];
  }
}
