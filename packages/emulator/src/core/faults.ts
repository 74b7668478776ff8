import { newSid } from "./sid.js";

/**
 * Injected faults. A rule matches requests (or outgoing callbacks) by path substring and method,
 * fires with probability `rate` (and at most `count` times), and does one thing:
 * - status: answer `status` (429 → 20429 with Retry-After, 5xx → 20500) without doing the work;
 * - latency: wait `latency_ms` before doing the work;
 * - hang_after: do the work, then wait `latency_ms` before answering (the client times out:
 *   an ambiguous attempt whose effect happened);
 * - drop_callbacks / duplicate_callbacks / delay_callbacks: for callbacks the emulator sends.
 */
export type FaultKind =
  | "status"
  | "latency"
  | "hang_after"
  | "drop_callbacks"
  | "duplicate_callbacks"
  | "delay_callbacks";

export interface FaultRule {
  id: string;
  kind: FaultKind;
  path?: string;
  method?: string;
  rate: number;
  count?: number;
  status?: number;
  latency_ms?: number;
  fired: number;
}

export class Faults {
  private rules: FaultRule[] = [];

  add(input: Partial<FaultRule> & { kind: FaultKind }): FaultRule {
    const rule: FaultRule = {
      id: newSid("FR"),
      rate: 1,
      fired: 0,
      ...input,
      kind: input.kind,
    };
    this.rules.push(rule);
    return rule;
  }

  list() {
    return [...this.rules];
  }

  clear() {
    this.rules = [];
  }

  /** The first matching rule of one of `kinds` that fires for this request, if any. */
  pick(kinds: FaultKind[], path: string, method = "POST"): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!kinds.includes(rule.kind)) continue;
      if (rule.path && !path.includes(rule.path)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (Math.random() >= rule.rate) continue;
      rule.fired++;
      return rule;
    }
    return undefined;
  }
}
