import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { SubtextError } from "../kernel/errors.js";
import { Ref } from "../kernel/schema.js";
import type { Services } from "../kernel/services.js";
import type { TenantRow } from "../tenancy/tenants.js";
import { actingTenant } from "./auth.js";
import { type WindowCounter, windowCounter } from "./rate-limit-store.js";

/**
 * Rate limits at the door, so that one tenant cannot crowd out the others:
 *
 * - requests per second per API key (a tenant's sk_ key, or a tenant-scoped staff session),
 *   on every authenticated route, checked right after authentication and before the body is
 *   read (@fastify/rate-limit, with our counters);
 * - messages submitted per minute per tenant, on the routes that submit messages (a route
 *   says how many with `config.messageCount`; a batch counts each item), checked once the
 *   body is validated and before anything is stored.
 *
 * Each limit is the tenant's own (set by the operator on the tenant) or the deployment's
 * default (SUBTEXT_RATE_LIMIT_*); 0 means none. No request limit for the admin token and
 * operator staff sessions (the operator's own traffic; what they send for a tenant counts
 * toward that tenant's messages), nor on public routes — Twilio's callbacks (Twilio does not
 * retry a refused status callback) and staff sign-in, which has its own throttling. Over a limit: 429 `rate_limited` with Retry-After and the IETF draft headers
 * RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds), which limited requests
 * carry on every answer.
 */
declare module "fastify" {
  interface FastifyContextConfig {
    /** A route that submits messages: how many this request submits. */
    messageCount?: (req: FastifyRequest) => number;
  }
}

const SECOND = 1_000;
const MINUTE = 60_000;

export async function registerRateLimits(
  app: FastifyInstance,
  services: Pick<Services, "db" | "clock" | "config">,
): Promise<void> {
  // The document says which routes may answer 429: those a tenant's key may call.
  app.addHook("onRoute", (route) => {
    const auth = route.config?.auth;
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (
      !route.url.startsWith("/v1/") ||
      auth === "public" ||
      auth === "admin" ||
      !response ||
      response[429]
    ) {
      return;
    }
    route.schema = {
      ...route.schema,
      response: { ...response, 429: Ref("Error", { description: "Over a rate limit; see Retry-After" }) },
    };
  });

  const counter = windowCounter(services.db, services.clock);
  const defaults = services.config.rateLimits;
  const requestLimit = (req: FastifyRequest): number => {
    const p = req.principal;
    if (p?.kind !== "tenant") return 0;
    return p.tenant.rate_limit_requests_per_second ?? defaults.requestsPerSecond;
  };

  await app.register(rateLimit, {
    global: true,
    // Route-level onRequest hooks run after the app's own, so after authentication (auth.ts).
    hook: "onRequest",
    enableDraftSpec: true,
    timeWindow: SECOND,
    max: (req) => requestLimit(req),
    allowList: (req) => requestLimit(req) === 0,
    keyGenerator: (req) => (req.principal?.kind === "tenant" ? `requests:${req.principal.apiKeyId}` : "none"),
    store: pluginStore(counter, services.clock),
    errorResponseBuilder: (_req, ctx) =>
      rateLimited(
        `This API key may make ${ctx.max} requests per second.`,
        Math.max(1, Math.ceil(ctx.ttl / SECOND)),
      ),
  });

  app.addHook("preHandler", async (req) => {
    const count = req.routeOptions.config.messageCount?.(req);
    if (!count) return;
    const tenant = await actingTenant(req, services);
    await takeMessages(counter, tenant, count, defaults.messagesPerMinute, services.clock.now().getTime());
  });
}

async function takeMessages(
  counter: WindowCounter,
  tenant: TenantRow,
  count: number,
  defaultMax: number,
  now: number,
): Promise<void> {
  const max = tenant.rate_limit_messages_per_minute ?? defaultMax;
  if (max === 0) return;
  if (count > max) {
    throw new SubtextError(
      "batch_over_rate_limit",
      422,
      `This tenant may submit ${max} messages per minute.`,
      {
        hint: `Split the batch into parts of at most ${max} messages.`,
        details: [{ path: "/messages", code: "batch_over_rate_limit", limit: max, count }],
      },
    );
  }
  const take = await counter.take(`messages:${tenant.id}`, count, max, MINUTE);
  if (take.admitted) return;
  const seconds = Math.max(1, Math.ceil((take.resetAt - now) / SECOND));
  const left = max - take.count;
  throw rateLimited(
    `This tenant may submit ${max} messages per minute${count > 1 ? `; ${left} fit in this minute` : ""}.`,
    seconds,
    // The plugin's headers describe the request limit; this refusal is the message limit's.
    {
      "ratelimit-limit": String(max),
      "ratelimit-remaining": String(left),
      "ratelimit-reset": String(seconds),
    },
  );
}

function rateLimited(message: string, seconds: number, headers: Record<string, string> = {}): SubtextError {
  return new SubtextError("rate_limited", 429, message, {
    hint: `Retry after ${seconds} s (Retry-After). The platform operator can raise this tenant's limits.`,
    headers: { ...headers, "retry-after": String(seconds) },
    retryable: true,
  });
}

/**
 * The plugin's store interface (`incr(key, cb, timeWindow, max)` → `{ current, ttl }`) over our
 * counters: a refused hit counts nothing, so it is reported as one past the limit.
 */
function pluginStore(counter: WindowCounter, clock: Services["clock"]) {
  return class {
    incr(
      key: string,
      cb: (err: Error | null, res?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ): void {
      counter.take(key, 1, max, timeWindow).then(
        (t) => cb(null, { current: t.admitted ? t.count : max + 1, ttl: t.resetAt - clock.now().getTime() }),
        (err: Error) => cb(err),
      );
    }

    child() {
      return this;
    }
  };
}
