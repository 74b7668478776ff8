/**
 * TwiML for a flow, built with the SDK's VoiceResponse (it escapes text and URLs). Pure: the
 * same flow, node and context give the same document.
 *
 * One document plays consecutive prompt nodes (say, play) inline and stops at the first node
 * that needs Twilio to come back to us: a menu (Gather → its action, then a Redirect for no
 * input), a recording (Record → action, transcribeCallback, and a Redirect for silence), a dial
 * (Dial → action), a redirect or a hang-up.
 */
import twilio from "twilio";
import {
  DEFAULT_FAILURE,
  DEFAULT_GATHER_TIMEOUT,
  DEFAULT_INVALID,
  DEFAULT_NO_INPUT,
  type FlowDefinition,
  type FlowNode,
  type Prompt,
} from "./flow.js";

type VoiceResponse = twilio.twiml.VoiceResponse;
type Sayer = Pick<VoiceResponse, "say" | "play">;

/** Where Twilio comes back to, per node (absolute URLs: Twilio resolves nothing for us). */
export interface FlowUrls {
  node(id: string): string;
  gather(id: string, attempt: number): string;
  noInput(id: string, attempt: number): string;
  recorded(id: string): string;
  transcription(id: string): string;
  dialed(id: string): string;
  /** Whether a tenant URL (play, redirect) may be used now (tenant-urls.ts). */
  allowed(url: string): boolean;
}

export interface RenderContext {
  /** The menu is played again: which try this is, and why. */
  attempt?: number;
  reason?: "no_input" | "invalid";
}

/** Prompt nodes played in one document before we ask Twilio to come back anyway. */
const MAX_INLINE = 20;

export function renderNode(
  flow: FlowDefinition,
  id: string,
  urls: FlowUrls,
  ctx: RenderContext = {},
): string {
  const vr = new twilio.twiml.VoiceResponse();
  let current: string | undefined = id;
  const played = new Set<string>();
  while (current !== undefined) {
    const node: FlowNode | undefined = flow.nodes[current];
    if (!node) return cannotContinue(vr, flow);
    if (played.has(current) || played.size >= MAX_INLINE) {
      vr.redirect({ method: "POST" }, urls.node(current));
      return vr.toString();
    }
    played.add(current);
    switch (node.type) {
      case "say":
        vr.say(sayAttrs(flow, node), node.text);
        current = node.next;
        continue;
      case "play":
        play(vr, node, node.url, urls);
        current = node.next;
        continue;
      case "gather":
        gather(vr, flow, current, node, urls, current === id ? ctx : {});
        return vr.toString();
      case "record":
        record(vr, flow, current, node, urls);
        return vr.toString();
      case "dial": {
        const dial = vr.dial({
          action: urls.dialed(current),
          method: "POST",
          ...(node.timeout ? { timeout: node.timeout } : {}),
          ...(node.caller_id ? { callerId: node.caller_id } : {}),
        });
        dial.number(node.number);
        return vr.toString();
      }
      case "redirect":
        // A flow saved under older rules may hold a URL refused now: the call ends instead.
        if (node.url && !urls.allowed(node.url)) return cannotContinue(vr, flow);
        vr.redirect({ method: "POST" }, node.url ?? urls.node(node.next!));
        return vr.toString();
      case "hangup":
        vr.hangup();
        return vr.toString();
    }
  }
  // The last node had no next: the flow is over.
  vr.hangup();
  return vr.toString();
}

/** A menu given up on: its on_failure node, else an apology and a hang-up. */
export function renderFailure(flow: FlowDefinition, next: string | null, urls: FlowUrls): string {
  if (next) return renderNode(flow, next, urls);
  const vr = new twilio.twiml.VoiceResponse();
  vr.say(sayAttrs(flow), DEFAULT_FAILURE);
  vr.hangup();
  return vr.toString();
}

/** A one-off message (POST /v1/calls with `say`). */
export function renderMessage(text: string, voice?: string, language?: string): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.say(sayAttrs({ voice, language }), text);
  vr.hangup();
  return vr.toString();
}

/** The flow is over. */
export function renderHangup(): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.hangup();
  return vr.toString();
}

/** Said when something on our side fails mid-call: better than Twilio's "application error". */
export function renderApology(): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.say("Sorry, we cannot take your call right now. Please try again later. Goodbye.");
  vr.hangup();
  return vr.toString();
}

function sayAttrs(
  flow: Pick<FlowDefinition, "voice" | "language">,
  own: { voice?: string; language?: string; loop?: number } = {},
) {
  const voice = own.voice ?? flow.voice;
  const language = own.language ?? flow.language;
  return {
    ...(voice ? { voice: voice as never } : {}),
    ...(language ? { language: language as never } : {}),
    ...(own.loop !== undefined ? { loop: own.loop } : {}),
  };
}

function cannotContinue(vr: VoiceResponse, flow: FlowDefinition): string {
  vr.say(sayAttrs(flow), "Sorry, this call cannot continue. Goodbye.");
  vr.hangup();
  return vr.toString();
}

/** Plays a tenant URL, unless the URL policy refuses it now (then it is skipped). */
function play(to: Sayer, p: { loop?: number }, url: string, urls: FlowUrls): void {
  if (urls.allowed(url)) to.play(p.loop !== undefined ? { loop: p.loop } : {}, url);
}

function prompts(to: Sayer, flow: FlowDefinition, list: Prompt[] | undefined, urls: FlowUrls): void {
  for (const p of list ?? []) {
    if ("say" in p) to.say(sayAttrs(flow, p), p.say);
    else play(to, p, p.play, urls);
  }
}

function gather(
  vr: VoiceResponse,
  flow: FlowDefinition,
  id: string,
  node: Extract<FlowNode, { type: "gather" }>,
  urls: FlowUrls,
  ctx: RenderContext,
): void {
  const attempt = ctx.attempt ?? 0;
  if (ctx.reason === "no_input") prompts(vr, flow, node.no_input_prompt ?? [{ say: DEFAULT_NO_INPUT }], urls);
  if (ctx.reason === "invalid") prompts(vr, flow, node.invalid_prompt ?? [{ say: DEFAULT_INVALID }], urls);
  const input = node.input ?? ["dtmf"];
  const lengths = new Set(node.choices.filter((c) => c.digits).map((c) => c.digits!.length));
  // Reading exactly as many keys as every choice has answers at once, without waiting for '#'.
  const numDigits =
    node.num_digits ?? (lengths.size === 1 && !input.includes("speech") ? [...lengths][0] : undefined);
  const hints = node.choices.flatMap((c) => c.speech ?? []);
  const g = vr.gather({
    input,
    action: urls.gather(id, attempt),
    method: "POST",
    timeout: node.timeout ?? DEFAULT_GATHER_TIMEOUT,
    ...(numDigits ? { numDigits } : {}),
    ...(input.includes("speech") ? { speechTimeout: "auto" } : {}),
    ...(hints.length ? { hints: hints.join(", ") } : {}),
    ...((node.language ?? flow.language) ? { language: (node.language ?? flow.language) as never } : {}),
  });
  prompts(g, flow, node.prompt, urls);
  // Reached only when the caller said and pressed nothing before the timeout.
  vr.redirect({ method: "POST" }, urls.noInput(id, attempt));
}

function record(
  vr: VoiceResponse,
  flow: FlowDefinition,
  id: string,
  node: Extract<FlowNode, { type: "record" }>,
  urls: FlowUrls,
): void {
  prompts(vr, flow, node.prompt, urls);
  vr.record({
    action: urls.recorded(id),
    method: "POST",
    maxLength: node.max_length ?? 120,
    timeout: node.timeout ?? 5,
    playBeep: node.play_beep ?? true,
    ...(node.transcribe ? { transcribe: true, transcribeCallback: urls.transcription(id) } : {}),
  });
  // Silence records nothing and Twilio falls through to here, without calling the action.
  if (node.next) vr.redirect({ method: "POST" }, urls.node(node.next));
  else vr.hangup();
}
