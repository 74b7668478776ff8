import type { World } from "../../../world.js";
import { dialOutcome, dialed } from "./dial.js";
import {
  HANGUP,
  RUN,
  answer,
  authToken,
  callParams,
  finish,
  later,
  log,
  progress,
  save,
} from "./lifecycle.js";
import { CALLS, type Call, ENDED, type Outcome, type Step } from "./model.js";
import { recorded } from "./record.js";
import { TwimlParseError, parseTwiml } from "./twiml.js";
import { execute } from "./verbs.js";

/** A call stops after this many TwiML documents or steps (Twilio detects loops similarly). */
const MAX_DOCUMENTS = 50;
const MAX_STEPS = 1000;
const APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye.";

/** Runs a call's steps until one has to wait for emulated time (then it is scheduled) or the call ends. */
export async function drive(world: World, sid: string, gen: number, first: Step) {
  let step: Step | null = first;
  while (step) {
    const call = world.store.get<Call>(CALLS, sid);
    if (!call || call.gen !== gen || ENDED.has(call.status)) return;
    if (call.steps + 1 > MAX_STEPS) {
      log(world, call, { verb: "Error", code: 11200, text: "step limit reached (loop?)" });
      finish(world, call, "completed");
      return;
    }
    save(world, call, { steps: call.steps + 1 });
    const outcome: Outcome = await perform(world, call, step);
    const current = world.store.get<Call>(CALLS, sid);
    if (!outcome || !current || current.gen !== gen || ENDED.has(current.status)) return;
    if (outcome.wait && outcome.wait > 0) {
      later(world, current, outcome.wait, outcome.step);
      return;
    }
    step = outcome.step;
  }
}

async function perform(world: World, call: Call, step: Step): Promise<Outcome> {
  switch (step.kind) {
    case "initiate":
      progress(world, call, "initiated");
      return { wait: 1000, step: { kind: "ring" } };
    case "ring":
      return ring(world, call);
    case "answer":
      answer(world, call);
      if (call.twiml !== null) return { step: { kind: "twiml", twiml: call.twiml } };
      return { step: fetchStep(call.url!, call.method, call.fallback_url, call.fallback_method) };
    case "incoming":
      return { step: fetchStep(call.url!, call.method, call.fallback_url, call.fallback_method) };
    case "fetch":
      return fetchDocument(world, call, step);
    case "twiml":
      return load(world, call, step.twiml, call.doc_url);
    case "next": {
      const verb = call.queue.shift();
      if (!verb) return { step: { kind: "finish", status: "completed" } };
      save(world, call, { queue: call.queue });
      return execute(world, call, verb);
    }
    case "recorded":
      return recorded(world, call, step);
    case "dialed":
      return dialed(world, call, step);
    case "finish":
      finish(world, call, step.status);
      return null;
  }
}

function fetchStep(url: string, method: string, fallbackUrl: string | null, fallbackMethod: string): Step {
  return {
    kind: "fetch",
    url,
    method,
    params: {},
    ...(fallbackUrl ? { fallback: { url: fallbackUrl, method: fallbackMethod } } : {}),
  };
}

/** Outbound: ringing, then the callee's scripted outcome decides what happens and when. */
function ring(world: World, call: Call): Outcome {
  save(world, call, { status: "ringing" });
  progress(world, call, "ringing");
  const o = dialOutcome(call.script, call.timeout, Number.POSITIVE_INFINITY);
  if (o.status === "completed") return { wait: o.ring * 1000, step: { kind: "answer" } };
  return { wait: o.ring * 1000, step: { kind: "finish", status: o.status } };
}

/** Requests a TwiML document (signed, with the call's parameters) and makes it the current one. */
async function fetchDocument(
  world: World,
  call: Call,
  step: Extract<Step, { kind: "fetch" }>,
): Promise<Outcome> {
  if (call.fetches + 1 > MAX_DOCUMENTS)
    return applicationError(world, call, 11200, "document limit reached (loop?)");
  save(world, call, { fetches: call.fetches + 1 });
  const gen = call.gen;
  const params = { ...callParams(call), ...step.params };
  const res = await world.callbacks.request(step.url, params, authToken(world, call), step.method);
  const current = world.store.get<Call>(CALLS, call.sid);
  if (!current || current.gen !== gen || ENDED.has(current.status)) return null;
  const failed = !res || res.status >= 400;
  if (failed && step.fallback)
    return {
      step: { kind: "fetch", url: step.fallback.url, method: step.fallback.method, params: step.params },
    };
  if (failed) {
    const why = res ? `HTTP ${res.status} from ${step.url}` : `no response from ${step.url}`;
    return applicationError(world, current, 11200, why);
  }
  return load(world, current, res.body, step.url);
}

/** Makes `source` the current document; an inbound call not answered yet is answered now, unless rejected. */
function load(world: World, call: Call, source: string, url: string | null): Outcome {
  let verbs: ReturnType<typeof parseTwiml>;
  try {
    verbs = parseTwiml(source);
  } catch (err) {
    const why = err instanceof TwimlParseError ? err.message : String(err);
    return applicationError(world, call, 12100, `document parse failure: ${why}`);
  }
  save(world, call, { queue: verbs, doc_url: url });
  if (call.status === "ringing" && verbs[0]?.name !== "Reject") answer(world, call);
  return { step: { kind: "next" } };
}

/** Twilio's behaviour on a broken application: an apology, then the call ends. */
function applicationError(world: World, call: Call, code: number, text: string): Outcome {
  if (call.status === "ringing") answer(world, call);
  log(world, call, { verb: "Error", code, text });
  log(world, call, { verb: "Say", text: APPLICATION_ERROR });
  save(world, call, { queue: [] });
  return { wait: 3000, step: { kind: "finish", status: "completed" } };
}

/** Starts a call's life on emulated time: outbound calls are initiated, inbound ones fetch TwiML. */
export function start(world: World, call: Call) {
  later(world, call, 0, call.direction === "inbound" ? { kind: "incoming" } : { kind: "initiate" });
}

/** Replaces what a live call is doing (Call update with Url/Twiml): new TwiML from now on. */
export function redirect(
  world: World,
  call: Call,
  next: { twiml: string } | { url: string; method: string },
) {
  world.scheduler.cancel((j) => j.kind === RUN && j.data.sid === call.sid);
  const moved = save(world, call, { gen: call.gen + 1, queue: [] });
  later(
    world,
    moved,
    0,
    "twiml" in next ? { kind: "twiml", twiml: next.twiml } : fetchStep(next.url, next.method, null, "POST"),
  );
}

export function registerEngine(world: World) {
  world.scheduler.on(RUN, ({ sid, gen, step }) => drive(world, sid, gen, step as Step));
  world.scheduler.on(HANGUP, ({ sid }) => {
    const call = world.store.get<Call>(CALLS, sid);
    if (call && !ENDED.has(call.status)) {
      log(world, call, { verb: "Hangup", by: "party" });
      finish(world, call, "completed");
    }
  });
}
