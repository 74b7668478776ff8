/**
 * The IVR flow editor's model: the flow document (docs/channels.md, "Voice IVR") held as an
 * ordered list of nodes, so nodes keep their place while their ids are edited. The server
 * validates the document on save (shape: 400 invalid_request; graph: 422 invalid_flow, with a
 * finding per problem); this file only converts, and knows which form field a finding's path
 * belongs to.
 */
import type { Problem } from "../../lib/api";

export type FlowNode = Record<string, any> & { type: string };

export interface NodeEntry {
  /** React's key: stays while the id is edited. */
  key: number;
  id: string;
  node: FlowNode;
}

export interface Draft {
  name: string;
  start: string;
  voice: string;
  language: string;
  /** Comma- or space-separated E.164 numbers. */
  numbers: string;
  nodes: NodeEntry[];
}

export const NODE_TYPES = ["say", "play", "gather", "dial", "record", "redirect", "hangup"] as const;

export const TYPE_LABELS: Record<string, string> = {
  say: "Say text",
  play: "Play audio",
  gather: "Menu (gather)",
  dial: "Dial a number",
  record: "Record a message",
  redirect: "Redirect",
  hangup: "Hang up",
};

/** The fields the form shows per node type; a finding under one of them is shown beside it. */
export const NODE_FIELDS: Record<string, string[]> = {
  say: ["text", "voice", "language", "loop", "next"],
  play: ["url", "loop", "next"],
  gather: [
    "prompt",
    "input",
    "timeout",
    "num_digits",
    "max_retries",
    "choices",
    "no_input_prompt",
    "invalid_prompt",
    "on_failure",
    "language",
  ],
  dial: ["number", "caller_id", "timeout", "next", "on_no_answer"],
  record: ["prompt", "max_length", "timeout", "transcribe", "play_beep", "next"],
  redirect: ["next", "url"],
  hangup: [],
};

/** A fresh node of `type`, keeping the link onward when the new type has one. */
export function nodeOfType(type: string, previous?: FlowNode): FlowNode {
  const next = previous?.next ? { next: previous.next } : {};
  switch (type) {
    case "say":
      return { type, text: "", ...next };
    case "play":
      return { type, url: "", ...next };
    case "gather":
      return { type, prompt: [{ say: "" }], choices: [{ digits: "1", next: "" }] };
    case "dial":
      return { type, number: "", ...next };
    case "record":
      return { type, prompt: [{ say: "Leave a message after the beep." }], transcribe: true, ...next };
    case "redirect":
      return { type, ...next };
    default:
      return { type };
  }
}

export const STARTER: Draft = {
  name: "",
  start: "menu",
  voice: "",
  language: "",
  numbers: "",
  nodes: [
    {
      key: 0,
      id: "menu",
      node: {
        type: "gather",
        prompt: [{ say: "Press 1 to leave a message." }],
        choices: [{ digits: "1", next: "voicemail" }],
        on_failure: "bye",
      },
    },
    {
      key: 1,
      id: "voicemail",
      node: {
        type: "record",
        prompt: [{ say: "Leave a message after the beep." }],
        transcribe: true,
        next: "bye",
      },
    },
    { key: 2, id: "bye", node: { type: "say", text: "Thank you. Goodbye." } },
  ],
};

let keys = 1000;
export const nextKey = () => keys++;

/** The API's flow (GET /v1/ivr-flows/{id}) as a draft. */
export function draftOf(flow: any): Draft {
  return {
    name: flow.name ?? "",
    start: flow.start ?? "",
    voice: flow.voice ?? "",
    language: flow.language ?? "",
    numbers: (flow.phone_numbers ?? []).join(", "),
    nodes: Object.entries(flow.nodes ?? {}).map(([id, node]) => ({
      key: nextKey(),
      id,
      node: node as FlowNode,
    })),
  };
}

export function numbersOf(draft: Draft): string[] {
  return draft.numbers
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter(Boolean);
}

/** Empty strings and unset numbers are left out, so the server names what is missing. */
function clean(value: any): any {
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === "" || v === undefined || v === null || (typeof v === "number" && Number.isNaN(v))) continue;
      out[k] = clean(v);
    }
    return out;
  }
  return value;
}

/** The body of POST/PUT /v1/ivr-flows; `withNumbers`: send phone_numbers (the full list). */
export function documentOf(draft: Draft, withNumbers: boolean): Record<string, any> {
  return {
    name: draft.name.trim(),
    start: draft.start,
    ...(draft.voice.trim() ? { voice: draft.voice.trim() } : {}),
    ...(draft.language.trim() ? { language: draft.language.trim() } : {}),
    nodes: Object.fromEntries(draft.nodes.map((e) => [e.id, clean(e.node)])),
    ...(withNumbers ? { phone_numbers: numbersOf(draft) } : {}),
  };
}

/** A JSON document (the editor's JSON view) as a draft; throws with a readable message. */
export function draftOfJson(text: string): Draft {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`Not JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    throw new Error("The flow must be a JSON object.");
  if (!doc.nodes || typeof doc.nodes !== "object" || Array.isArray(doc.nodes))
    throw new Error('The flow needs "nodes": an object of node id → node.');
  for (const [id, node] of Object.entries(doc.nodes)) {
    if (!node || typeof node !== "object" || typeof (node as any).type !== "string")
      throw new Error(`Node "${id}" needs a "type".`);
  }
  return draftOf(doc);
}

/** Every link field of a node (start is the draft's), for renaming a node everywhere. */
export function renameLinks(node: FlowNode, from: string, to: string): FlowNode {
  const swap = (v: unknown) => (v === from ? to : v);
  const out: FlowNode = { ...node };
  for (const field of ["next", "on_failure", "on_no_answer"]) if (field in out) out[field] = swap(out[field]);
  if (Array.isArray(out.choices)) out.choices = out.choices.map((c: any) => ({ ...c, next: swap(c.next) }));
  return out;
}

export function renameNode(draft: Draft, key: number, to: string): Draft {
  const entry = draft.nodes.find((e) => e.key === key);
  if (!entry || entry.id === to) return draft;
  const from = entry.id;
  return {
    ...draft,
    start: draft.start === from ? to : draft.start,
    nodes: draft.nodes.map((e) => ({
      ...e,
      id: e.key === key ? to : e.id,
      node: renameLinks(e.node, from, to),
    })),
  };
}

export function uniqueId(draft: Draft, base = "step"): string {
  const taken = new Set(draft.nodes.map((e) => e.id));
  for (let i = draft.nodes.length + 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Findings of one node that no field of the form claims (the node's own, or unknown fields). */
export function nodeLevel(problems: Problem[], id: string, type: string): Problem[] {
  const base = `/nodes/${id}`;
  const fields = ["type", ...(NODE_FIELDS[type] ?? [])].map((f) => `${base}/${f}`);
  return problems.filter(
    (p) =>
      (p.path === base || p.path.startsWith(`${base}/`)) &&
      !fields.some((f) => p.path === f || p.path.startsWith(`${f}/`)),
  );
}

/** Findings the form shows nowhere else: not under a flow field nor under an existing node. */
export function flowLevel(problems: Problem[], ids: string[]): Problem[] {
  const claimed = [
    "/name",
    "/start",
    "/voice",
    "/language",
    "/phone_numbers",
    "/phone_number",
    ...ids.map((id) => `/nodes/${id}`),
  ];
  return problems.filter((p) => !claimed.some((c) => p.path === c || p.path.startsWith(`${c}/`)));
}
