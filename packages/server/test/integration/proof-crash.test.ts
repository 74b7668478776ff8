/**
 * Crash proof for the message path, with real `subtext` processes: while 600 messages (400 on PGlite) are sent,
 * dispatched to a slow and sometimes hanging Twilio, called back, and announced to a slow
 * webhook receiver, the processes are killed with SIGKILL at random moments (4 times) and
 * restarted. On PGlite that is the one all-in-one process; on PostgreSQL the API process
 * (send and callback paths) and the worker (dispatch and webhook paths) in turn.
 *
 * After the last restart, with no help from the test: every accepted message is at Twilio
 * exactly once, no message is lost or stuck, and every webhook the platform owes the tenant
 * (by webhook-id) reached the receiver. Onboarding crashes: proof-crash-onboarding.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOptions } from "../../src/messaging/module.js";
import { type Deployment, type ReadyTenant, deploy, onboardTenants } from "../proof/deployment.js";
import { ready, transcript, until } from "../proof/processes.js";
import { type CountingReceiver, countingReceiver } from "../proof/receiver.js";
import { perRecipient, sentMessages } from "../proof/twilio-log.js";
import { ENGINE } from "./harness.js";

/**
 * PGlite restarts slower (it reopens its data dir); the burst is sized to keep the file under 3
 * minutes in CI. SUBTEXT_PROOF_BURST=20000 runs the full-size proof by hand (see BENCHMARKS.md).
 */
const BURST = Number(process.env.SUBTEXT_PROOF_BURST) || (ENGINE === "postgres" ? 600 : 400);
/**
 * Extra time a bigger burst needs (sends, dispatch and three webhooks per message), and the time
 * reconciliation deliberately waits before resending a create a killed process left unanswered.
 */
const { policy } = defaultOptions();
const EXTRA_MS = Math.max(0, BURST - 600) * 60 + policy.absentAfterMs + policy.secondSearchAfterMs;
const KILLS = 4;
const ROLES: ("all" | "api" | "worker")[] = ENGINE === "postgres" ? ["api", "worker"] : ["all"];

let d: Deployment;
let tenant: ReadyTenant;
let receiver: CountingReceiver;
let endpointId: string;

beforeAll(async () => {
  d = await deploy();
  await d.emu("PUT", "throughput", { per_number_mps: 10_000 });
  [tenant] = await onboardTenants(d, 1);
  receiver = await countingReceiver(40);
  await Promise.all(ROLES.map((role) => d.start(role, role)));
  const lanes = await d.api("GET", "/v1/lanes", { token: tenant.key });
  await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
    body: { mps: 80, burst: 20, daily_cap: null },
  });
  const endpoint = await d.api("POST", "/v1/webhook-endpoints", {
    token: tenant.key,
    body: { url: `${receiver.url}/hooks` },
  });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  endpointId = endpoint.body.id;
  // Twilio is slow (calls in flight when the process dies) and sometimes answers only long after
  // it created the message (the ambiguous window: a crash there must be reconciled, not resent).
  await d.emu("POST", "faults", {
    kind: "latency",
    path: "Messages.json",
    method: "POST",
    rate: 0.3,
    latency_ms: 300,
  });
  await d.emu("POST", "faults", {
    kind: "hang_after",
    path: "Messages.json",
    method: "POST",
    rate: 0.1,
    latency_ms: 1_500,
  });
}, 180_000);

afterAll(async () => {
  await d?.close();
  await receiver?.close();
});

const to = (i: number) => `+1415${String(6_530_000 + i).padStart(7, "0")}`;

describe("kill -9 on the send, dispatch, callback and webhook paths", () => {
  it("loses nothing, sends nothing twice and delivers every webhook after restarts", {
    timeout: 240_000 + EXTRA_MS,
  }, async () => {
    const ids = new Map<number, string>();
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} +${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const send = async (i: number): Promise<string> => {
      for (;;) {
        const res = await d
          .api("POST", "/v1/messages", {
            token: tenant.key,
            headers: { "idempotency-key": `crash-${i}` },
            body: { to: to(i), body: `Crash proof ${i}` },
          })
          .catch(() => null);
        if (res?.status === 202) return res.body.id;
        if (res && res.status !== 503)
          throw new Error(`send ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        // The API died under this request: wait for it, then retry with the same key.
        await ready(`${d.apiUrl}/readyz`);
      }
    };

    const kills: string[] = [];
    let sending = true;
    const chaos = (async () => {
      while (kills.length < KILLS) {
        await new Promise((r) => setTimeout(r, (sending ? 800 : 2_000) + Math.random() * 2_000));
        const role = ROLES[Math.floor(Math.random() * ROLES.length)];
        const victim = d.procs.filter((p) => p.name.startsWith(role) && p.alive()).at(-1)!;
        await victim.kill9();
        kills.push(`${victim.name} (${sending ? "during sends" : "during dispatch"})`);
        await d.start(role, `${role}-r${kills.length}`);
      }
    })();
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < BURST) {
          const i = next++;
          ids.set(i, await send(i));
        }
      }),
    );
    sending = false;
    phase("sent");
    await chaos;
    phase("killed");
    // Every request again, with its key: the same message, never a second one.
    for (let i = 0; i < BURST; i++) expect(await send(i), `message ${i} kept its id`).toBe(ids.get(i));

    phase("resent");
    let state = "";
    const outcome = await until(
      "every message at Twilio and settled, every webhook delivered",
      async () => {
        const sent = sentMessages(d.emulator.world, tenant.tenant.subaccount_sid);
        state = `${perRecipient(sent).size} recipients at Twilio`;
        if (perRecipient(sent).size < BURST) return false;
        const messages = await listAll("/v1/messages?limit=1000");
        // At Twilio = has its SID. Its status may lag: a final callback that came while the process
        // was dead is lost (Twilio does not retry it) until the stale-status refresh asks Twilio.
        const open = messages.filter((m) => !m.twilio_sid || m.status === "queued");
        state += `; ${open.length} messages unsettled ${JSON.stringify(open.slice(0, 2))}`;
        if (open.length > 0) {
          const first = await d.api("GET", `/v1/messages/${open[0].id}`, { token: tenant.key });
          state += `; its timeline: ${JSON.stringify(first.body?.events ?? first.body)}`;
          return false;
        }
        for (const status of ["pending", "retrying"]) {
          const owed = await d.api(
            "GET",
            `/v1/webhook-endpoints/${endpointId}/deliveries?limit=1&status=${status}`,
            {
              token: tenant.key,
            },
          );
          state += `; ${status} deliveries: ${JSON.stringify(owed.body?.data?.[0] ?? null).slice(0, 300)}`;
          if (owed.status !== 200 || owed.body.data.length > 0) return false;
        }
        return { sent, messages };
      },
      { timeoutMs: 150_000 + EXTRA_MS, intervalMs: 1_000 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message.split("\n")[0]}; last state: ${state}`);
    });

    phase("settled");
    const counts = perRecipient(outcome.sent);
    const twice = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    expect(twice, "recipients Twilio got more than one message for").toEqual([]);
    for (let i = 0; i < BURST; i++) expect(counts.get(to(i)), to(i)).toBe(1);

    expect(new Set(outcome.messages.map((m) => m.id))).toEqual(new Set(ids.values()));

    // Webhooks: every message.queued event reached the receiver; every delivery owed succeeded.
    const queuedSeen = new Set(
      [...receiver.events.values()].filter((e) => e.type === "message.queued").map((e) => e.data.message.id),
    );
    const missing = [...ids.values()].filter((id) => !queuedSeen.has(id));
    expect(missing, "messages whose message.queued webhook never arrived").toEqual([]);
    const owed = await listAll(`/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
    const undelivered = owed.filter((x) => x.status !== "succeeded" || !receiver.counts.has(x.event_id));
    expect(
      undelivered.map((x) => `${x.event_id}:${x.status}`),
      "deliveries not received",
    ).toEqual([]);
    const duplicates = [...receiver.counts.values()].filter((n) => n > 1).length;
    const lagging = outcome.messages.filter((m) => m.status === "sending").length;
    console.log(
      `kills: ${kills.join(", ")}; webhooks ${receiver.counts.size} ids, ${receiver.total()} deliveries (${duplicates} ids twice: at-least-once); ${lagging} statuses waiting for the stale-status refresh; ${phases.join(", ")}`,
    );
    expect(kills.length, transcript.slice(-10).join("\n")).toBe(KILLS);
  });
});

async function listAll(path: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await d.api(
      "GET",
      `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      {
        token: tenant.key,
      },
    );
    if (page.status !== 200) throw new Error(`${path}: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.data);
    cursor = page.body.next_cursor ?? null;
  } while (cursor);
  return out;
}
