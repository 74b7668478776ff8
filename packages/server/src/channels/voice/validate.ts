/**
 * The graph checks a flow gets when it is saved. Errors refuse the save (422); warnings are
 * saved with the flow and returned. Pure.
 *
 * - unknown_node (error): a link to a node that does not exist.
 * - loop_without_input (error): a cycle a silent caller would go round for ever — every link
 *   in it is followed without the caller choosing anything (a menu's choices are the only
 *   links that need input; its on_failure link does not). Twilio ends such calls with an
 *   error after a while; we refuse them instead.
 * - unreachable_node (warning): nothing leads to it from `start`.
 * - menu problems (error): no choices, duplicate digits, speech or digits the menu does not
 *   listen for, digits longer than num_digits.
 */
import { type Edge, type FlowDefinition, edgesOf } from "./flow.js";

export interface FlowFinding {
  path: string;
  code: string;
  severity: "error" | "warning";
  message: string;
}

export function validateFlow(flow: FlowDefinition): FlowFinding[] {
  const findings: FlowFinding[] = [];
  const ids = Object.keys(flow.nodes);
  const exists = (id: string) => Object.hasOwn(flow.nodes, id);
  const error = (path: string, code: string, message: string) =>
    findings.push({ path, code, severity: "error", message });

  if (!exists(flow.start))
    error("/start", "unknown_node", `start names "${flow.start}", which is not a node.`);
  const edges = new Map<string, Edge[]>();
  for (const id of ids) {
    const node = flow.nodes[id];
    const out = edgesOf(node, id);
    edges.set(
      id,
      out.filter((e) => exists(e.to)),
    );
    for (const e of out) if (!exists(e.to)) error(e.path, "unknown_node", `"${e.to}" is not a node.`);
    if (node.type === "gather") findings.push(...menuFindings(id, node));
    if (node.type === "redirect" && Boolean(node.next) === Boolean(node.url)) {
      error(
        `/nodes/${id}`,
        "redirect_target",
        "A redirect needs exactly one of next (a node) or url (another TwiML app).",
      );
    }
  }
  for (const cycle of silentCycles(ids, edges)) {
    error(
      `/nodes/${cycle[0]}`,
      "loop_without_input",
      `${cycle.join(" → ")} → ${cycle[0]} loops without asking the caller anything; add a menu choice or a way out.`,
    );
  }
  if (exists(flow.start)) {
    const seen = reachable(flow.start, edges);
    for (const id of ids) {
      if (!seen.has(id)) {
        findings.push({
          path: `/nodes/${id}`,
          code: "unreachable_node",
          severity: "warning",
          message: `Nothing leads to "${id}".`,
        });
      }
    }
  }
  return findings;
}

function menuFindings(
  id: string,
  node: Extract<FlowDefinition["nodes"][string], { type: "gather" }>,
): FlowFinding[] {
  const out: FlowFinding[] = [];
  const at = (p: string) => `/nodes/${id}${p}`;
  const error = (path: string, code: string, message: string) =>
    out.push({ path, code, severity: "error", message });
  const input = node.input ?? ["dtmf"];
  if (node.choices.length === 0)
    error(at("/choices"), "menu_without_choices", "A menu needs at least one choice.");
  const digits = new Set<string>();
  node.choices.forEach((c, i) => {
    const path = at(`/choices/${i}`);
    if (!c.digits && !c.speech?.length)
      error(path, "choice_without_input", "A choice needs digits or speech.");
    if (c.digits) {
      if (digits.has(c.digits))
        error(`${path}/digits`, "duplicate_choice", `Two choices answer to ${c.digits}.`);
      digits.add(c.digits);
      if (!input.includes("dtmf"))
        error(`${path}/digits`, "dtmf_not_enabled", "The menu does not listen for keys (input).");
      if (node.num_digits && c.digits.length > node.num_digits) {
        error(
          `${path}/digits`,
          "choice_longer_than_num_digits",
          `Only ${node.num_digits} key(s) are read; ${c.digits} can never match.`,
        );
      }
    }
    if (c.speech?.length && !input.includes("speech")) {
      error(
        `${path}/speech`,
        "speech_not_enabled",
        'The menu does not listen for speech: add "speech" to input.',
      );
    }
  });
  return out;
}

function reachable(start: string, edges: Map<string, Edge[]>): Set<string> {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const e of edges.get(todo.pop()!) ?? []) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        todo.push(e.to);
      }
    }
  }
  return seen;
}

/** Strongly connected components of the links followed without input (Tarjan), that are cycles. */
function silentCycles(ids: string[], edges: Map<string, Edge[]>): string[][] {
  const silent = (id: string) => (edges.get(id) ?? []).filter((e) => !e.input).map((e) => e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of silent(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || silent(v).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return cycles;
}

export function flowErrors(findings: FlowFinding[]): FlowFinding[] {
  return findings.filter((f) => f.severity === "error");
}
