import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { canActOn } from "../api/2010/accounts/index.js";
import { ACCOUNTS, type Account, KEYS, type Key, type Principal } from "../api/2010/accounts/model.js";
import { checkControlToken, isControlPath, sameSecret } from "../control/auth.js";
import { TwilioError } from "../core/errors.js";
import { Params } from "../core/form.js";
import type { World } from "../world.js";
import type { ApiRequest, Router } from "./router.js";

const MAX_BODY = 2 * 1024 * 1024;

/** Per-account API concurrency, as Twilio enforces it (20429 beyond the limit). */
export class Concurrency {
  limit = 100;
  private readonly inflight = new Map<string, number>();
  enter(account: string): boolean {
    const n = this.inflight.get(account) ?? 0;
    if (n >= this.limit) return false;
    this.inflight.set(account, n + 1);
    return true;
  }
  leave(account: string) {
    this.inflight.set(account, (this.inflight.get(account) ?? 1) - 1);
  }
}

export function createHttpServer(
  world: World,
  router: Router,
  concurrency: Concurrency,
  controlToken?: string,
): Server {
  return createServer((req, res) => {
    handle(world, router, concurrency, controlToken, req, res).catch((err) => {
      console.error("[emulator] unhandled", err);
      if (!res.headersSent) send(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    });
  });
}

async function handle(
  world: World,
  router: Router,
  concurrency: Concurrency,
  controlToken: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const url = new URL(req.url ?? "/", "http://emulator");
  const method = (req.method ?? "GET").toUpperCase();
  if (isControlPath(url.pathname)) {
    try {
      checkControlToken(controlToken, req.headers);
    } catch (err) {
      return sendError(res, err as TwilioError);
    }
  }
  let raw: string;
  try {
    raw = await readBody(req);
  } catch (err) {
    return sendError(res, err as TwilioError);
  }
  const matched = router.match(method, url.pathname);
  if (!matched)
    return sendError(
      res,
      new TwilioError(20404, 404, `The requested resource ${url.pathname} was not found`),
    );
  if (matched === "method_not_allowed")
    return sendError(res, new TwilioError(20004, 405, "Method not allowed"));
  const { route, params } = matched;

  let input: Params;
  try {
    input = parseInput(url.searchParams, raw, req.headers["content-type"]);
  } catch (err) {
    return sendError(res, err as TwilioError);
  }

  let principal: Principal | null = null;
  let account: Account | undefined;
  if (!route.options.public) {
    try {
      principal = authenticate(world, req.headers.authorization);
      account = params.AccountSid ? scopedAccount(world, principal, params.AccountSid) : principal.account;
    } catch (err) {
      return sendError(res, err as TwilioError);
    }
  }

  if (!route.options.public) {
    const fault = world.faults.pick(["status", "latency"], url.pathname, method);
    if (fault?.kind === "latency") await delay(fault.latency_ms ?? 0);
    if (fault?.kind === "status") {
      const status = fault.status ?? 500;
      const headers: Record<string, string> = status === 429 ? { "retry-after": "1" } : {};
      return sendError(
        res,
        new TwilioError(
          status === 429 ? 20429 : 20500,
          status,
          status === 429 ? "Too Many Requests" : "Internal Server Error",
          headers,
        ),
      );
    }
  }

  const gate = account?.sid;
  if (gate && !concurrency.enter(gate)) {
    return sendError(res, new TwilioError(20429, 429, "Too Many Requests", { "retry-after": "1" }));
  }
  try {
    const apiReq: ApiRequest = {
      method,
      path: url.pathname,
      params,
      input,
      principal,
      world,
      account: account as Account,
      headers: req.headers,
    };
    const out = await route.handler(apiReq);
    const hang = route.options.public ? undefined : world.faults.pick(["hang_after"], url.pathname, method);
    if (hang) {
      // The work is done; the answer arrives too late (or never) for the client's timeout.
      await delay(hang.latency_ms ?? 30_000);
    }
    if (out.status === 204 || out.body === undefined) {
      res.writeHead(out.status, out.headers ?? {});
      return res.end();
    }
    if (typeof out.body === "string") {
      res.writeHead(out.status, { "content-type": out.contentType ?? "text/plain", ...(out.headers ?? {}) });
      return res.end(out.body);
    }
    send(res, out.status, out.body, out.headers);
  } catch (err) {
    if (err instanceof TwilioError) return sendError(res, err);
    console.error(`[emulator] ${method} ${url.pathname} failed`, err);
    return sendError(res, new TwilioError(20500, 500, "Internal Server Error"));
  } finally {
    if (gate) concurrency.leave(gate);
  }
}

function authenticate(world: World, header: string | undefined): Principal {
  const fail = () =>
    new TwilioError(20003, 401, "Authenticate", { "www-authenticate": 'Basic realm="Twilio API"' });
  if (!header?.startsWith("Basic ")) throw fail();
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw fail();
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  let principal: Principal | undefined;
  if (user.startsWith("SK")) {
    const key = world.store.get<Key>(KEYS, user);
    const account = key && world.store.get<Account>(ACCOUNTS, key.account_sid);
    if (key && account && sameSecret(key.secret, password)) principal = { account, key };
  } else {
    const account = world.store.get<Account>(ACCOUNTS, user);
    if (account && sameSecret(account.auth_token, password)) principal = { account };
  }
  if (!principal) throw fail();
  if (principal.account.status !== "active") {
    throw new TwilioError(
      20005,
      401,
      `Account ${principal.account.sid} is not active (${principal.account.status})`,
    );
  }
  return principal;
}

/** A subaccount's credentials cannot see the parent or a sibling; a parent sees its subaccounts. */
function scopedAccount(world: World, principal: Principal, sid: string): Account {
  const target = world.store.get<Account>(ACCOUNTS, sid);
  if (!target || !canActOn(principal, target)) {
    throw new TwilioError(20003, 401, "Authenticate", { "www-authenticate": 'Basic realm="Twilio API"' });
  }
  return target;
}

function parseInput(search: URLSearchParams, raw: string, contentType: string | undefined): Params {
  const query = Params.fromSearch(search);
  if (!raw) return query;
  if (contentType?.includes("application/json")) {
    try {
      return query.merge(new Params(new Map(), JSON.parse(raw)));
    } catch {
      throw new TwilioError(20001, 400, "Request body is not valid JSON");
    }
  }
  return query.merge(Params.fromSearch(new URLSearchParams(raw)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new TwilioError(20001, 413, "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: TwilioError) {
  send(res, err.status, err.body(), err.headers);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
