import type { Services } from "../../kernel/services.js";
import { publicBase } from "../../twilio/urls.js";
import { checkUrl } from "../../events/url-policy.js";
import { flowUrlPolicy } from "./tenant-urls.js";
import type { FlowUrls } from "./twiml.js";

/** Our voice webhooks, under /twilio/voice/:tenantId (all signed by the tenant's subaccount). */
export function voiceBase(services: Pick<Services, "urls">, tenantId: string): string {
  return `${publicBase(services)}/twilio/voice/${tenantId}`;
}

export function flowUrls(
  services: Pick<Services, "urls" | "config">,
  tenantId: string,
  flowId: string,
): FlowUrls {
  const base = `${voiceBase(services, tenantId)}/flows/${flowId}/nodes`;
  const node = (id: string) => `${base}/${encodeURIComponent(id)}`;
  const policy = flowUrlPolicy(services);
  return {
    allowed: (url) => checkUrl(url, policy) === null,
    node,
    gather: (id, attempt) => `${node(id)}/gather?attempt=${attempt}`,
    noInput: (id, attempt) => `${node(id)}/no-input?attempt=${attempt}`,
    recorded: (id) => `${node(id)}/recorded`,
    transcription: (id) => `${node(id)}/transcription`,
    dialed: (id) => `${node(id)}/dialed`,
  };
}
