import type { FastifyRequest } from "fastify";
import { isId } from "../db/ids.js";
import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import { subaccountAuthToken } from "../tenancy/credentials.js";
import { type TenantRow, cachedTenant } from "../tenancy/tenants.js";
import { verifyTwilioSignature } from "../twilio/signature.js";
import type { Routes, RoutesApp } from "./schemas.js";

/**
 * The one intake of Twilio's webhooks to us (`POST /twilio/…/:tenantId/…`: message status and
 * inbound messages, onboarding callbacks, voice). Twilio posts forms signed in
 * X-Twilio-Signature with the tenant's subaccount auth token, over the exact public URL it
 * called (docs/twilio-facts.md, "Webhook signatures"). Every route of the plugin is checked
 * before its schema and its handler run, so a request we cannot verify learns nothing, not
 * even the shape of the route's parameters:
 *
 *   app.register(twilioWebhooks(services, (twilio) => {
 *     twilio.post("/twilio/…/:tenantId", { config: { auth: "twilio" } }, async (req) => {
 *       const tenant = twilioTenant(req);
 *       const sid = twilioParam(req.body, "MessageSid");
 *     });
 *   }));
 */
export type TwilioParams = Record<string, string | string[]>;

/** Twilio's largest forms (an inbound message with ten media URLs, a transcription) are a few KiB. */
const FORM_BODY_LIMIT = 256 * 1024;

const verified = new WeakMap<FastifyRequest, TenantRow>();

export function twilioWebhooks(
  services: Pick<Services, "db" | "vault" | "urls" | "caches">,
  routes: (app: RoutesApp) => void | Promise<void>,
  options: { onRefused?: (req: FastifyRequest) => void } = {},
): Routes {
  return async (app) => {
    // Forms are parsed in this plugin only (Fastify encapsulation): the JSON API refuses them.
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: FORM_BODY_LIMIT },
      (_req, body, done) => done(null, parseTwilioForm(body as string)),
    );
    app.addHook("onRoute", (route) => {
      // The bearer-token check (auth.ts) must stand aside, and the route registry must say why.
      if ((route.config as { auth?: string } | undefined)?.auth !== "twilio")
        throw new Error(`${route.url}: a Twilio webhook declares config: { auth: "twilio" }`);
    });
    app.addHook("preValidation", async (req) => {
      try {
        verified.set(req, await verifiedTenant(services, req));
      } catch (err) {
        options.onRefused?.(req);
        throw err;
      }
    });
    await routes(app);
  };
}

/** The tenant whose subaccount signed this request (refused, failing closed, if none did). */
export function twilioTenant(req: FastifyRequest): TenantRow {
  const tenant = verified.get(req);
  if (!tenant) throw twilioSignatureRefused();
  return tenant;
}

/** A parameter's first value (Twilio repeats a name only for lists). */
export function twilioParam(params: unknown, name: string): string | undefined {
  const value = (params as TwilioParams | undefined)?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** application/x-www-form-urlencoded, repeated names becoming arrays. */
function parseTwilioForm(raw: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const seen = params[key];
    params[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

function isForm(body: unknown): body is TwilioParams {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  return Object.values(body).every(
    (v) => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")),
  );
}

/**
 * The tenant named by the path, if the request carries its subaccount's signature over the
 * URL and the very parameters the handler will read. One refusal for everything else.
 */
async function verifiedTenant(
  services: Pick<Services, "db" | "vault" | "urls" | "caches">,
  req: FastifyRequest,
): Promise<TenantRow> {
  const header = req.headers["x-twilio-signature"];
  const signature = Array.isArray(header) ? header[0] : header;
  const tenantId = (req.params as { tenantId?: string }).tenantId ?? "";
  // A body we could not have verified (JSON that is not a flat form, say) is never read.
  const params = req.body === undefined ? {} : isForm(req.body) ? req.body : null;
  // Checked before the tenant is looked up: what cannot be genuine costs no query.
  if (!signature || !params || !isId("ten", tenantId)) throw twilioSignatureRefused();
  const tenant = await cachedTenant(services, tenantId);
  if (!tenant?.subaccount_sid) throw twilioSignatureRefused();
  const ok = verifyTwilioSignature({
    authToken: await subaccountAuthToken(services, tenant),
    signature,
    url: twilioRequestUrl(req, services),
    params,
  });
  if (!ok) throw twilioSignatureRefused();
  return tenant;
}

/** The URL Twilio called, as it signed it: the public base URL plus path and query. */
function twilioRequestUrl(req: FastifyRequest, services: Pick<Services, "urls">): string {
  const base = services.urls.public ?? services.urls.api;
  if (!base) throw new Error("the public URL is unknown before the API listens");
  return `${base}${req.url}`;
}

/**
 * The one answer to a Twilio webhook we cannot verify: a bad or missing signature and a tenant
 * that does not exist look the same, so the path tells a prober nothing.
 */
function twilioSignatureRefused(): SubtextError {
  return new SubtextError(
    "invalid_signature",
    403,
    "The X-Twilio-Signature header does not match this request.",
    {
      hint: "Only Twilio, signing with the tenant's subaccount auth token over SUBTEXT_PUBLIC_URL + path, may call this URL.",
    },
  );
}
