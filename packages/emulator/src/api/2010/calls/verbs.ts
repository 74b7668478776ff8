import type { World } from "../../../world.js";
import { log, resolveUrl } from "./lifecycle.js";
import { CALLS, type Call, type CallStatus, type Outcome, type Step } from "./model.js";
import { dial } from "./dial.js";
import { record } from "./record.js";
import type { TwimlNode } from "./twiml.js";

const NEXT: Step = { kind: "next" };
const int = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : fallback;
};
/** loop="0" means "until the caller hangs up"; the emulator plays it ten times. */
const loops = (node: TwimlNode) => {
  const n = int(node.attrs.loop, 1);
  return n <= 0 ? 10 : Math.min(n, 1000);
};

/** Text-to-speech at about 150 words a minute. */
export function sayMs(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / 2.5)) * 1000;
}

/** A prompt verb (Say, Play, Pause) logged and timed; also used for prompts nested in <Gather>. */
function prompt(world: World, call: Call, node: TwimlNode, inside?: string): number {
  const where = inside ? { in: inside } : {};
  if (node.name === "Say") {
    const text = node.text.trim();
    const n = loops(node);
    log(world, call, {
      verb: "Say",
      text,
      voice: node.attrs.voice,
      language: node.attrs.language,
      loop: n,
      ...where,
    });
    return sayMs(text) * n;
  }
  if (node.name === "Play") {
    const digits = node.attrs.digits;
    if (digits) {
      log(world, call, { verb: "Play", digits, ...where });
      return digits.length * 500;
    }
    const n = loops(node);
    log(world, call, { verb: "Play", url: node.text.trim(), loop: n, ...where });
    return 5000 * n;
  }
  if (node.name === "Pause") {
    const length = int(node.attrs.length, 1);
    log(world, call, { verb: "Pause", length, ...where });
    return length * 1000;
  }
  log(world, call, { verb: node.name, skipped: true, ...where });
  return 0;
}

/** The request a verb's action makes, or null when there is no document to post back to. */
function action(call: Call, node: TwimlNode, params: Record<string, string>): Step | null {
  const url = resolveUrl(call, node.attrs.action);
  if (!url) return null;
  return { kind: "fetch", url, method: (node.attrs.method ?? "POST").toUpperCase(), params };
}

/**
 * <Gather>: plays its nested prompts, then takes the party's next scripted input (digits or
 * speech, per `input`). With input it requests `action` (default: the current document); with
 * none it falls through to the next verb, unless actionOnEmptyResult is set.
 */
function gather(world: World, call: Call, node: TwimlNode): Outcome {
  let ms = 0;
  for (const child of node.children) ms += prompt(world, call, child, "Gather");
  const modes = (node.attrs.input ?? "dtmf").split(/\s+/);
  const finishOnKey = node.attrs.finishOnKey ?? "#";
  const numDigits = int(node.attrs.numDigits, 0);
  let params: Record<string, string> | null = null;
  if (modes.includes("dtmf") && call.input.digits.length > 0) {
    let keys = call.input.digits.shift() ?? "";
    let finished = "";
    const cut = finishOnKey ? [...keys].findIndex((k) => finishOnKey.includes(k)) : -1;
    if (cut >= 0) {
      finished = keys[cut];
      keys = keys.slice(0, cut);
    }
    if (numDigits > 0) keys = keys.slice(0, numDigits);
    if (keys) params = { Digits: keys, ...(finished ? { FinishedOnKey: finished } : {}) };
  } else if (modes.includes("speech") && call.input.speech.length > 0) {
    const said = (call.input.speech.shift() ?? "").trim();
    if (said) params = { SpeechResult: said, Confidence: "0.92" };
  }
  const timeout = int(node.attrs.timeout, 5);
  log(world, call, {
    verb: "Gather",
    input: modes.join(" "),
    ...(params?.Digits ? { digits: params.Digits } : {}),
    ...(params?.SpeechResult ? { speech: params.SpeechResult } : {}),
    ...(params ? {} : { timed_out: true }),
  });
  world.store.patch<Call>(CALLS, call.sid, { input: call.input });
  if (params) return { wait: ms + 1000, step: action(call, node, params) ?? NEXT };
  const onEmpty = node.attrs.actionOnEmptyResult === "true";
  const empty = onEmpty ? action(call, node, { Digits: "" }) : null;
  return { wait: ms + timeout * 1000, step: empty ?? NEXT };
}

/** Executes one verb of the current document. */
export function execute(world: World, call: Call, node: TwimlNode): Outcome {
  switch (node.name) {
    case "Say":
    case "Play":
    case "Pause":
      return { wait: prompt(world, call, node), step: NEXT };
    case "Gather":
      return gather(world, call, node);
    case "Record":
      return record(world, call, node);
    case "Dial":
      return dial(world, call, node);
    case "Redirect": {
      const url = resolveUrl(call, node.text.trim());
      log(world, call, { verb: "Redirect", url });
      if (!url) return { step: { kind: "finish", status: "completed" } };
      return {
        step: { kind: "fetch", url, method: (node.attrs.method ?? "POST").toUpperCase(), params: {} },
      };
    }
    case "Hangup":
      log(world, call, { verb: "Hangup" });
      return { step: { kind: "finish", status: "completed" } };
    case "Reject": {
      const reason = node.attrs.reason ?? "rejected";
      log(world, call, { verb: "Reject", reason });
      // Only a call not answered yet can be rejected (busy or no-answer); otherwise it is a hang-up.
      const status: CallStatus =
        call.status === "in-progress" ? "completed" : reason === "busy" ? "busy" : "no-answer";
      return { step: { kind: "finish", status } };
    }
    default:
      // Enqueue, Connect, Start, Pay, Message… are not emulated: noted and skipped.
      log(world, call, { verb: node.name, skipped: true });
      return { step: NEXT };
  }
}
