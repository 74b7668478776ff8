import type { World } from "../../../world.js";
import { newCall } from "./factory.js";
import { log, resolveUrl } from "./lifecycle.js";
import {
  CALLERS,
  CALLS,
  type Call,
  type CallStatus,
  type CallerScript,
  type Outcome,
  type Step,
  callPrice,
} from "./model.js";
import type { TwimlNode } from "./twiml.js";

const int = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : fallback;
};

/** How a dialled party answers, from its script: what happens and after how many seconds. */
export function dialOutcome(script: CallerScript, timeout: number, timeLimit: number) {
  const ring = script.ring_seconds ?? 5;
  switch (script.answer ?? "human") {
    case "busy":
      return { status: "busy" as const, ring: Math.min(ring, 2), talk: 0 };
    case "failed":
      return { status: "failed" as const, ring: 0, talk: 0 };
    case "no-answer":
      return { status: "no-answer" as const, ring: timeout, talk: 0 };
    default:
      if (ring > timeout) return { status: "no-answer" as const, ring: timeout, talk: 0 };
      return { status: "completed" as const, ring, talk: Math.min(script.talk_seconds ?? 10, timeLimit) };
  }
}

/**
 * <Dial>: a child call (direction outbound-dial) to the first <Number> (or the bare number),
 * answered, busy, unanswered or failed per the dialled number's script. Afterwards `action` is
 * requested with DialCallStatus; without an action the document continues with the next verb.
 */
export function dial(world: World, call: Call, node: TwimlNode): Outcome {
  const numberNode = node.children.find((c) => c.name === "Number");
  const other = node.children.find((c) => c.name !== "Number");
  const number = (numberNode?.text ?? (node.children.length === 0 ? node.text : "")).trim();
  if (!number) {
    // <Client>, <Sip>, <Conference>, <Queue>: not emulated, the dial fails.
    log(world, call, { verb: "Dial", noun: other?.name ?? null, status: "failed", skipped: true });
    return { step: { kind: "dialed", child: "", status: "failed", talk: 0, attrs: node.attrs } };
  }
  const script = world.store.get<CallerScript & { sid: string }>(CALLERS, number) ?? {};
  const outcome = dialOutcome(script, int(node.attrs.timeout, 30), int(node.attrs.timeLimit, 14_400));
  const child = newCall(world, {
    account_sid: call.account_sid,
    parent_call_sid: call.sid,
    from: node.attrs.callerId ?? call.from,
    to: number,
    direction: "outbound-dial",
    status: "ringing",
    timeout: int(node.attrs.timeout, 30),
    script,
  });
  log(world, call, { verb: "Dial", number, call_sid: child.sid });
  return {
    wait: (outcome.ring + outcome.talk) * 1000,
    step: { kind: "dialed", child: child.sid, status: outcome.status, talk: outcome.talk, attrs: node.attrs },
  };
}

export function dialed(world: World, call: Call, step: Extract<Step, { kind: "dialed" }>): Outcome {
  const child = step.child ? world.store.get<Call>(CALLS, step.child) : undefined;
  if (child) {
    const ended = world.store.patch<Call>(CALLS, child.sid, {
      status: step.status as CallStatus,
      start_time: step.status === "completed" ? world.clock.now() - step.talk * 1000 : null,
      end_time: world.clock.now(),
      date_updated: world.clock.now(),
    })!;
    world.store.patch<Call>(CALLS, child.sid, { price: callPrice(ended) });
    const entry = [...call.transcript].reverse().find((e) => e.verb === "Dial" && e.call_sid === child.sid);
    if (entry) {
      entry.status = step.status;
      entry.duration = step.talk;
      world.store.patch<Call>(CALLS, call.sid, { transcript: call.transcript });
    }
  }
  const url = resolveUrl(call, step.attrs.action);
  if (!step.attrs.action || !url) return { step: { kind: "next" } };
  const params: Record<string, string> = {
    DialCallStatus: step.status,
    DialBridged: String(step.status === "completed"),
    ...(child ? { DialCallSid: child.sid } : {}),
    ...(step.status === "completed" ? { DialCallDuration: String(step.talk) } : {}),
  };
  return { step: { kind: "fetch", url, method: (step.attrs.method ?? "POST").toUpperCase(), params } };
}
