/**
 * Onboarding at scale: N tenants (default 500; the four kinds in turn) submit registrations at
 * once and are driven to ready-to-send against the emulator in sandbox — the real flows, the
 * durable jobs, the OTP answered from the handset, both clocks moved forward instead of
 * waiting. Prints the wall-clock time per phase and the emulated time the flows took (which
 * includes Twilio's ≤ 1 brand/campaign registration per second per parent account).
 *
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/onboarding.ts [--tenants 500] [--concurrency 16]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmulator } from "subtext-emulator";
import {
  type Db,
  createLogger,
  getSendingProfile,
  keyringFromKeys,
  loadConfig,
  ManualClock,
  openPglite,
  openPostgres,
  openRuntime,
  startServer,
} from "@subtext/server";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import {
  type OnboardingStack,
  driveRegistrations,
  submitRegistration,
} from "../packages/server/test/support/onboarding.js";

const ENGINE = process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
const DATABASE_URL = process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function arg(name: string, fallback: number) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const KINDS: RegistrationKind[] = ["sole_proprietor", "standard", "low_volume_standard", "toll_free"];

/**
 * The whole product in this process (as the integration harness builds it, without vitest):
 * a fresh database on the chosen engine, the emulator, the API, jobs run by runDue() only.
 */
async function startBenchStack(): Promise<OnboardingStack & { close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-bench-"));
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const db: Db =
    ENGINE === "postgres" ? await openPostgres(DATABASE_URL, { schema, max: 8 }) : await openPglite();
  const emulator = await startEmulator({ port: 0 });
  const clock = new ManualClock();
  const runtime = await openRuntime({
    config: loadConfig({ PORT: "0", SUBTEXT_DATA_DIR: dataDir, LOG_LEVEL: "silent" }),
    db,
    clock,
    log: createLogger("silent"),
    keyring: keyringFromKeys([randomBytes(32)]),
    emulator: {
      url: emulator.url,
      parent: { accountSid: emulator.parent.sid, authToken: emulator.parent.authToken },
    },
    issueAdminToken: true,
  });
  const server = await startServer(runtime, "api");
  const admin = runtime.newAdminToken!;
  const api = async (method: string, path: string, o: { token?: string | null; body?: unknown } = {}) => {
    const token = o.token === undefined ? admin : o.token;
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(o.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    db,
    clock,
    jobs: runtime.services.jobs,
    api,
    emulator: { control },
    async newTenant() {
      const tenant = await api("POST", "/v1/tenants", {
        body: { name: `Bench ${randomBytes(3).toString("hex")}` },
      });
      if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
      const key = await api("POST", `/v1/tenants/${tenant.body.id}/api-keys`, { body: {} });
      return { tenant: tenant.body, key: key.body.key, keyId: key.body.id };
    },
    async close() {
      await server.close();
      await runtime.close();
      await emulator.close();
      await db.close();
      if (ENGINE === "postgres") {
        const admin = new pg.Client({ connectionString: DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const tenants = arg("tenants", 500);
  const concurrency = arg("concurrency", 16);
  const stack = await startBenchStack();
  try {
    await stack.emulator.control("PUT", "limits", { concurrency: 10_000 });
    const virtualStart = stack.clock.now().getTime();
    let started = performance.now();
    const refs: { tenantId: string; id: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tenants) {
          const i = next++;
          refs.push((await submitRegistration(stack, KINDS[i % KINDS.length])).ref);
        }
      }),
    );
    const submitSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const views = await driveRegistrations(stack, refs, { maxRounds: 20_000 });
    const driveSeconds = (performance.now() - started) / 1000;

    const profiles = await Promise.all(refs.map((r) => getSendingProfile(stack.db, r.tenantId)));
    const notReady = profiles.filter((p) => !p.ready).length;
    const { rows } = await stack.db.query<{ stuck: number }>(
      "SELECT count(*)::int AS stuck FROM jobs WHERE kind = 'onboarding.step' AND failed_at IS NOT NULL",
    );
    const steps = views.reduce((n, v) => n + v.steps.reduce((m: number, s: any) => m + s.attempts, 0), 0);
    console.log(
      JSON.stringify(
        {
          engine: ENGINE,
          tenants,
          approved: views.filter((v) => v.state === "approved").length,
          ready_to_send: tenants - notReady,
          dead_step_jobs: rows[0].stuck,
          step_runs: steps,
          wall_seconds: {
            tenants_and_submissions: Number(submitSeconds.toFixed(1)),
            flows_to_ready: Number(driveSeconds.toFixed(1)),
            total: Number((submitSeconds + driveSeconds).toFixed(1)),
          },
          emulated_minutes: Number(((stack.clock.now().getTime() - virtualStart) / 60_000).toFixed(1)),
        },
        null,
        2,
      ),
    );
    if (notReady > 0) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

await main();
