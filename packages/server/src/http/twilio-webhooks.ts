import type { FastifyInstance, FastifyRequest } from "fastify";
import { SubtextError } from "../system/errors.js";
import type { Services } from "../system/services.js";
import { verifyTwilioSignature } from "../twilio/signature.js";

/**
 * For the plugins that receive Twilio's callbacks (`POST /twilio/…`, public routes: Twilio
 * authenticates with X-Twilio-Signature, not a bearer token).
 *
 *   app.register(async (twilioRoutes) => {
 *     acceptTwilioForms(twilioRoutes);             // form bodies, only inside this plugin
 *     twilioRoutes.post("/twilio/…", async (req) => {
 *       assertTwilioSignature(req, services, await subaccountAuthToken(services, tenant));
 *       …
 *     });
 *   });
 */
export type TwilioParams = Record<string, string | string[]>;

/** Parses application/x-www-form-urlencoded bodies (repeated keys become arrays). */
export function acceptTwilioForms(app: FastifyInstance): void {
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    const params: TwilioParams = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const seen = params[key];
      params[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, params);
  });
}

/** The URL Twilio called, as it signed it: the public base URL plus path and query. */
export function twilioRequestUrl(req: FastifyRequest, services: Pick<Services, "urls">): string {
  const base = services.urls.public ?? services.urls.api;
  if (!base) throw new Error("the public URL is unknown before the API listens");
  return `${base}${req.url}`;
}

/** 403 `invalid_signature` unless X-Twilio-Signature matches (authToken: the signing account's). */
export function assertTwilioSignature(
  req: FastifyRequest,
  services: Pick<Services, "urls">,
  authToken: string,
): void {
  const header = req.headers["x-twilio-signature"];
  const ok = verifyTwilioSignature({
    authToken,
    signature: Array.isArray(header) ? header[0] : header,
    url: twilioRequestUrl(req, services),
    params: (req.body as TwilioParams | undefined) ?? {},
  });
  if (!ok) throw twilioSignatureRefused();
}

/**
 * The one answer to a Twilio webhook we cannot verify: a bad or missing signature and a tenant
 * that does not exist look the same, so the path tells a prober nothing.
 */
export function twilioSignatureRefused(): SubtextError {
  return new SubtextError(
    "invalid_signature",
    403,
    "The X-Twilio-Signature header does not match this request.",
    {
      hint: "Only Twilio, signing with the tenant's subaccount auth token over SUBTEXT_PUBLIC_URL + path, may call this URL.",
    },
  );
}
