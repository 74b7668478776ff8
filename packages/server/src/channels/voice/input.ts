/**
 * What a menu does with the caller's answer. Pure.
 * `attempt` counts from 0 (the first time the menu played).
 */
import { DEFAULT_MAX_RETRIES, type FlowNode } from "./flow.js";

type Gather = Extract<FlowNode, { type: "gather" }>;

export type GatherOutcome =
  | { kind: "choice"; index: number; next: string }
  | { kind: "retry"; reason: "no_input" | "invalid"; attempt: number }
  | { kind: "failed"; reason: "no_input" | "invalid"; next: string | null };

export interface CallerInput {
  digits?: string | null;
  speech?: string | null;
}

/** Lower case words without punctuation, so "Sales, please!" contains "sales". */
export function normalizeSpeech(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function matchChoice(node: Gather, input: CallerInput): number | null {
  const digits = input.digits?.trim();
  if (digits) {
    const i = node.choices.findIndex((c) => c.digits === digits);
    return i >= 0 ? i : null;
  }
  const said = input.speech ? ` ${normalizeSpeech(input.speech)} ` : "";
  if (said.trim() === "") return null;
  const i = node.choices.findIndex((c) =>
    (c.speech ?? []).some((phrase) => {
      const p = normalizeSpeech(phrase);
      return p !== "" && said.includes(` ${p} `);
    }),
  );
  return i >= 0 ? i : null;
}

export function gatherOutcome(node: Gather, input: CallerInput, attempt: number): GatherOutcome {
  const given = Boolean(input.digits?.trim() || input.speech?.trim());
  if (given) {
    const index = matchChoice(node, input);
    if (index !== null) return { kind: "choice", index, next: node.choices[index].next };
  }
  const reason = given ? "invalid" : "no_input";
  const retries = node.max_retries ?? DEFAULT_MAX_RETRIES;
  if (attempt < retries) return { kind: "retry", reason, attempt: attempt + 1 };
  return { kind: "failed", reason, next: node.on_failure ?? null };
}
