/**
 * Twilio's webhooks to us (`POST /twilio/…`). Most are hidden from the OpenAPI document (they
 * are not for API users), so the proof reads them from the router itself: a webhook added
 * later is attacked too.
 */
import type { FastifyInstance } from "fastify";
import { twilioSignature } from "subtext-emulator";
import { percentEncode } from "./bad-requests.js";

export interface RouteEntry {
  path: string;
  methods: string[];
}

/** Every route of the app, from Fastify's route tree (`printRoutes({ commonPrefix: false })`). */
export function routesOf(app: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const out: RouteEntry[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const at = line.indexOf("── ");
    if (at < 0) continue;
    const depth = Math.round(at / 4);
    const m = /^(.*?)(?: \(([^)]*)\))?$/.exec(line.slice(at + 3).trimEnd());
    if (!m) continue;
    const path = (depth > 0 ? stack[depth - 1] : "") + m[1];
    stack[depth] = path;
    stack.length = depth + 1;
    if (m[2]) out.push({ path, methods: m[2].split(",").map((s) => s.trim()) });
  }
  return out;
}

export function twilioWebhooks(app: FastifyInstance): string[] {
  return routesOf(app)
    .filter((r) => r.path.startsWith("/twilio/") && r.methods.includes("POST"))
    .map((r) => r.path);
}

/** `/twilio/voice/:tenantId/calls/:callId/answer` with values filled in (percent-encoded, any string). */
export function fillRoute(template: string, values: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${template}`);
    return percentEncode(v);
  });
}

/** Does `url` (a full URL) match the route template? */
export function matches(template: string, url: string): boolean {
  const path = new URL(url).pathname;
  const re = new RegExp(`^${template.replace(/:[A-Za-z]+/g, "[^/]+")}$`);
  return re.test(path);
}

export type Params = Record<string, string | string[]>;

/** POSTs a form the way Twilio does, with the given signature (or none). */
export async function postForm(url: string, params: Params, signature: string | null) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
    },
    body: body.toString(),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // TwiML or empty
  }
  return { status: res.status, text, json };
}

/** Signs like Twilio: HMAC-SHA1 over the exact URL and the sorted parameters. */
export const sign = (authToken: string, url: string, params: Params) =>
  twilioSignature(authToken, url, params);
