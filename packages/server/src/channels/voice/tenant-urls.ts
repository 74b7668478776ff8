/**
 * The tenant's own URLs in a flow: `play` audio and `redirect` targets. Twilio fetches them —
 * in sandbox mode the emulator does, on this machine — so they follow the same rules as
 * webhook URLs (events/url-policy.ts), checked when the flow is saved and again when a node
 * is rendered (a flow saved under older rules cannot use a refused URL either).
 */
import { type UrlPolicy, checkUrl, ownPorts } from "../../events/url-policy.js";
import type { Services } from "../../kernel/services.js";
import type { FlowDefinition, Prompt } from "./flow.js";
import type { FlowFinding } from "./validate.js";

/**
 * The webhook rules, plus, in sandbox mode, the API's and emulator's ports on every host: the
 * emulator follows redirects itself and we cannot check where a name takes it.
 */
export function flowUrlPolicy(services: Pick<Services, "config" | "urls">): UrlPolicy {
  return {
    allowPrivate: services.config.allowPrivateWebhooks,
    ownPorts: ownPorts(services),
    ownPortsOnAnyHost: services.config.mode === "sandbox",
  };
}

/** Every tenant URL of a flow, with its JSON pointer. */
export function tenantUrlsOf(flow: FlowDefinition): { path: string; url: string }[] {
  const out: { path: string; url: string }[] = [];
  const prompts = (at: string, list: Prompt[] | undefined) =>
    (list ?? []).forEach((p, i) => {
      if ("play" in p) out.push({ path: `${at}/${i}/play`, url: p.play });
    });
  for (const [id, node] of Object.entries(flow.nodes)) {
    const at = `/nodes/${id}`;
    if (node.type === "play") out.push({ path: `${at}/url`, url: node.url });
    if (node.type === "redirect" && node.url) out.push({ path: `${at}/url`, url: node.url });
    if (node.type === "gather") {
      prompts(`${at}/prompt`, node.prompt);
      prompts(`${at}/no_input_prompt`, node.no_input_prompt);
      prompts(`${at}/invalid_prompt`, node.invalid_prompt);
    }
    if (node.type === "record") prompts(`${at}/prompt`, node.prompt);
  }
  return out;
}

/** One error per URL the policy refuses, coded like webhook URLs (private_address, own_service…). */
export function urlFindings(flow: FlowDefinition, policy: UrlPolicy): FlowFinding[] {
  return tenantUrlsOf(flow).flatMap(({ path, url }) => {
    const problem = checkUrl(url, policy);
    return problem
      ? [{ path, code: problem.code, severity: "error" as const, message: problem.message }]
      : [];
  });
}
