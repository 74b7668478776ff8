import { existsSync, statSync } from "node:fs";
import { join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyReply } from "fastify";
import { SubtextError } from "../kernel/errors.js";
import { Type } from "../kernel/schema.js";
import type { Routes } from "./schemas.js";

/** Where `npm run build -w @subtext/web` writes the dashboard. */
export const WEB_DIST = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/** Paths that belong to the API or to Twilio: never answered with the dashboard's HTML. */
const NOT_THE_DASHBOARD = /^\/(v1|twilio|_emulator|docs|openapi\.json|healthz|readyz|metrics)(\/|$)/;

// The dashboard talks only to its own origin; nothing may frame it (clickjacking).
const HTML_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Subtext</title>
<p>The dashboard is not built. Run <code>npm run build -w @subtext/web</code> and reload.</p>`;

/**
 * Serves the dashboard at `/` with a single-page-app fallback: a file under dist when one
 * matches, else index.html so client-side routes (/messages/msg_…) survive a reload. The
 * lookup happens per request, so a rebuild is picked up without restarting the server.
 */
export function staticRoutes(root = WEB_DIST): Routes {
  return async (app) => {
    await app.register(fastifyStatic, { root, serve: false });

    const sendIndex = (reply: FastifyReply) => {
      reply.headers(HTML_HEADERS);
      if (!existsSync(join(root, "index.html"))) return reply.type("text/html").send(NOT_BUILT);
      return reply.sendFile("index.html", { cacheControl: false });
    };

    app.get(
      "/*",
      { config: { auth: "public" }, schema: { hide: true, params: Type.Object({ "*": Type.String() }) } },
      async (req, reply) => {
        const path = req.url.split("?")[0];
        if (NOT_THE_DASHBOARD.test(canonicalPath(path))) {
          throw new SubtextError("not_found", 404, `No route GET ${path}.`, {
            hint: "See /docs for the routes.",
          });
        }
        const file = safeFile(root, req.params["*"]);
        if (!file) return sendIndex(reply);
        // Vite puts content hashes in asset names: those can be cached for good.
        const immutable = file.startsWith(`assets${sep}`);
        return reply.sendFile(file, {
          cacheControl: true,
          maxAge: immutable ? 365 * 24 * 3600_000 : 0,
          immutable,
        });
      },
    );
  };
}

/**
 * A URL path as the API's router could read it, for the test above: decoded (repeatedly, so
 * `%2576` cannot hide a `v`), backslashes as slashes, runs of slashes collapsed, dot segments
 * resolved, lower case. `/%761//EVENTS/` and `/x/../v1/events` are API paths, not pages.
 */
export function canonicalPath(raw: string): string {
  let path = raw;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      break;
    }
    if (decoded === path) break;
    path = decoded;
  }
  const segments: string[] = [];
  for (const segment of path.replaceAll("\\", "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment.split(";")[0]);
  }
  return `/${segments.join("/")}`.toLowerCase();
}

/** The relative path of an existing file under root for a URL path, or null. */
function safeFile(root: string, urlPath: string): string | null {
  if (!urlPath) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, "");
  if (relative.startsWith("..") || relative.includes("\0")) return null;
  const full = join(root, relative);
  if (!full.startsWith(root)) return null;
  try {
    return statSync(full).isFile() ? relative : null;
  } catch {
    return null;
  }
}
