import { ACCOUNTS, type Account } from "../api/2010/accounts/model.js";
import { TwilioError } from "../core/errors.js";
import type { FaultKind } from "../core/faults.js";
import type { Concurrency } from "../http/server.js";
import type { ApiRequest, Router } from "../http/router.js";

/** Body of a control-API request: JSON, or form fields as strings. */
export function body(req: ApiRequest): Record<string, any> {
  if (req.input.json && typeof req.input.json === "object") return req.input.json as Record<string, any>;
  return Object.fromEntries(req.input.entries().map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
}

export function registerControl(r: Router, concurrency: Concurrency) {
  const pub = { public: true };

  r.get(
    "/_emulator/accounts",
    ({ world }) => ({
      status: 200,
      body: {
        accounts: world.store.list<Account>(ACCOUNTS).map((a) => ({
          sid: a.sid,
          auth_token: a.auth_token,
          owner_account_sid: a.owner_account_sid,
          friendly_name: a.friendly_name,
          status: a.status,
        })),
      },
    }),
    pub,
  );

  r.get("/_emulator/clock", ({ world }) => ({ status: 200, body: clock(world) }), pub);

  r.post(
    "/_emulator/clock/advance",
    async (req) => {
      const seconds = Number(body(req).seconds);
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new TwilioError(20001, 400, "seconds must be a number ≥ 0");
      await req.world.scheduler.advance(seconds);
      req.world.saveClock();
      return { status: 200, body: clock(req.world) };
    },
    pub,
  );

  r.put(
    "/_emulator/clock/scale",
    (req) => {
      const scale = Number(body(req).scale);
      if (!Number.isFinite(scale) || scale <= 0)
        throw new TwilioError(20001, 400, "scale must be a number > 0");
      req.world.clock.setScale(scale);
      req.world.saveClock();
      return { status: 200, body: clock(req.world) };
    },
    pub,
  );

  r.get("/_emulator/jobs", ({ world }) => ({ status: 200, body: { jobs: world.scheduler.pending() } }), pub);

  r.post(
    "/_emulator/faults",
    (req) => {
      const b = body(req);
      const kinds: FaultKind[] = [
        "status",
        "latency",
        "hang_after",
        "drop_callbacks",
        "duplicate_callbacks",
        "delay_callbacks",
      ];
      if (!kinds.includes(b.kind))
        throw new TwilioError(20001, 400, `kind must be one of ${kinds.join(", ")}`);
      const rule = req.world.faults.add({
        kind: b.kind,
        path: b.path,
        method: b.method,
        rate: b.rate === undefined ? 1 : Number(b.rate),
        count: b.count === undefined ? undefined : Number(b.count),
        status: b.status === undefined ? undefined : Number(b.status),
        latency_ms: b.latency_ms === undefined ? undefined : Number(b.latency_ms),
      });
      return { status: 201, body: rule };
    },
    pub,
  );
  r.get("/_emulator/faults", ({ world }) => ({ status: 200, body: { faults: world.faults.list() } }), pub);
  r.delete(
    "/_emulator/faults",
    ({ world }) => {
      world.faults.clear();
      return { status: 204 };
    },
    pub,
  );

  r.put(
    "/_emulator/limits",
    (req) => {
      const b = body(req);
      if (b.concurrency !== undefined) concurrency.limit = Number(b.concurrency);
      return { status: 200, body: { concurrency: concurrency.limit } };
    },
    pub,
  );

  r.get(
    "/_emulator/callbacks",
    ({ world, input }) => {
      const url = input.str("url");
      const log = world.callbacks.log.filter((c) => !url || c.url.includes(url));
      return { status: 200, body: { callbacks: log } };
    },
    pub,
  );

  r.post(
    "/_emulator/reset",
    ({ world }) => {
      world.reset();
      return { status: 200, body: { ok: true } };
    },
    pub,
  );
}

function clock(world: ApiRequest["world"]) {
  return { now: new Date(world.clock.now()).toISOString(), scale: world.clock.scale };
}
