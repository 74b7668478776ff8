/**
 * Twilio's webhooks to us: form-encoded and signed (X-Twilio-Signature) with the auth token of
 * the tenant's subaccount, over the exact public URL Twilio called, query string included
 * (docs/twilio-facts.md, "Webhook signatures"). Anything else is refused with 403 and changes nothing.
 */
import type { FastifyRequest } from "fastify";
import { twilioSignatureRefused } from "../../http/twilio-webhooks.js";
import type { Services } from "../../system/services.js";
import { subaccountAuthToken } from "../../tenancy/credentials.js";
import { type TenantRow, cachedTenant } from "../../tenancy/tenants.js";
import { verifyTwilioSignature } from "../../twilio/signature.js";

export type FormParams = Record<string, string | string[]>;

export function parseForm(raw: string): FormParams {
  const out: FormParams = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const seen = out[k];
    if (seen === undefined) out[k] = v;
    else out[k] = Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

export function one(params: FormParams, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

function isForm(body: unknown): body is FormParams {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  return Object.values(body).every(
    (v) => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")),
  );
}

const invalid = twilioSignatureRefused;

/** The tenant a signed webhook is for; throws 403 (never 404: it would tell a prober which ids exist). */
export async function verifiedTenant(
  deps: Pick<Services, "db" | "vault" | "urls" | "caches">,
  req: FastifyRequest,
  tenantId: string,
): Promise<TenantRow> {
  const tenant = /^ten_[0-9A-Z]{26}$/.test(tenantId) ? await cachedTenant(deps, tenantId) : null;
  if (!tenant?.subaccount_sid) throw invalid();
  const signature = req.headers["x-twilio-signature"];
  const base = deps.urls.public ?? deps.urls.api;
  // Twilio posts forms: anything else (a JSON body, say) cannot carry a valid signature.
  const params = isForm(req.body) ? req.body : {};
  const ok = verifyTwilioSignature({
    authToken: await subaccountAuthToken(deps, tenant),
    signature: Array.isArray(signature) ? signature[0] : signature,
    url: `${base}${req.url}`,
    params,
  });
  if (!ok) throw invalid();
  return tenant;
}
