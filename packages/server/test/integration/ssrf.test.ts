/**
 * Tenant URLs cannot reach this deployment's own API or emulator, link-local / metadata
 * addresses or IPv6 spellings of IPv4, even in sandbox mode where loopback receivers are
 * allowed: webhook endpoints (when saved, and at connect time on the resolved addresses) and
 * IVR flows (play and redirect URLs). The stack is in sandbox mode with its defaults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emitEvent } from "../../src/events/emit.js";
import { type Receiver, startReceiver } from "./events-receiver.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let receiver: Receiver;
let apiPort: string;
let emulatorPort: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  receiver = await startReceiver();
  apiPort = new URL(stack.url).port;
  emulatorPort = new URL(stack.emulator.url).port;
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});
beforeEach(() => receiver.reset());

/** URLs refused in every mode, with the detail code; `A` and `E` stand for the two ports. */
const REFUSED: [string, string][] = [
  ["http://127.0.0.1:A/v1/tenants", "own_service"],
  ["http://localhost:A/v1/tenants", "own_service"],
  ["http://127.0.0.1:E/_emulator/reset", "own_service"],
  ["http://0.0.0.0:E/_emulator/reset", "own_service"],
  ["http://[::1]:A/", "own_service"],
  ["http://2130706433:A/v1/tenants", "own_service"],
  ["http://169.254.169.254/latest/meta-data/", "link_local_address"],
  ["http://[fe80::1]/", "link_local_address"],
  ["http://[::ffff:127.0.0.1]:A/", "embedded_ipv4_address"],
  ["http://[::ffff:7f00:1]/", "embedded_ipv4_address"],
  ["http://[::127.0.0.1]/", "embedded_ipv4_address"],
  ["http://[2002:7f00:1::]/", "embedded_ipv4_address"],
  ["http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "embedded_ipv4_address"],
];
const real = (url: string) => url.replace(":A/", `:${apiPort}/`).replace(":E/", `:${emulatorPort}/`);

async function endpointsOf(key: string) {
  return (await stack.api("GET", "/v1/webhook-endpoints", { token: key })).body.data as any[];
}

describe("webhook endpoints in sandbox mode", () => {
  it.each(REFUSED)("refuses to create one for %s (%s), and stores nothing", async (template, code) => {
    const t = await stack.newTenant();
    const res = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: real(template) },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid_webhook_url");
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: "/url", code })]);
    expect(await endpointsOf(t.key)).toEqual([]);
  });

  it.each(REFUSED)("refuses to change one to %s (%s), and keeps the old URL", async (template, code) => {
    const t = await stack.newTenant();
    const created = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: `${receiver.url}/mine` },
    });
    expect(created.status).toBe(201);
    const res = await stack.api("PATCH", `/v1/webhook-endpoints/${created.body.id}`, {
      token: t.key,
      body: { url: real(template), description: "changed" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].code).toBe(code);
    const [kept] = await endpointsOf(t.key);
    expect(kept).toMatchObject({ url: `${receiver.url}/mine`, description: null });
  });

  it("delivers to a receiver on another loopback port, by address or by localhost", async () => {
    const t = await stack.newTenant();
    for (const url of [
      `${receiver.url}/by-ip`,
      `${receiver.url.replace("127.0.0.1", "localhost")}/by-name`,
    ]) {
      const res = await stack.api("POST", "/v1/webhook-endpoints", { token: t.key, body: { url } });
      expect(res.status).toBe(201);
    }
    await stack.db.tx((tx) =>
      emitEvent(tx, { tenantId: t.tenant.id, type: "message.sent", data: { message_id: "msg_local" } }),
    );
    await stack.jobs.runDue();
    expect(receiver.at("/by-ip")).toHaveLength(1);
    expect(receiver.at("/by-name")).toHaveLength(1);
  });

  it.each([
    ["the API", "A", "/v1/tenants"],
    ["the emulator", "E", "/_emulator/clock"],
  ])(
    "refuses at connect time a stored URL whose name resolves to %s, with nothing read back",
    async (_what, port, path) => {
      // An endpoint saved before these rules: the name is only resolved when delivering.
      const t = await stack.newTenant();
      const created = await stack.api("POST", "/v1/webhook-endpoints", {
        token: t.key,
        body: { url: `${receiver.url}/later` },
      });
      const url = real(`http://localhost:${port}/`).replace(/\/$/, path);
      await stack.db.query("UPDATE webhook_endpoints SET url = $2 WHERE id = $1", [created.body.id, url]);
      await stack.db.tx((tx) =>
        emitEvent(tx, { tenantId: t.tenant.id, type: "message.sent", data: { message_id: "msg_x" } }),
      );
      await stack.jobs.runDue();
      const log = await stack.api("GET", `/v1/webhook-endpoints/${created.body.id}/deliveries`, {
        token: t.key,
      });
      const [attempt] = log.body.data[0].attempt_log;
      expect(attempt.status_code).toBeNull();
      expect(attempt.error).toMatch(
        /^refused: localhost \((127\.0\.0\.1|::1)\) port \d+ is this deployment's own/,
      );
      expect(attempt.response_excerpt).toBeNull();
    },
  );
});

describe("IVR flows", () => {
  const flow = (nodes: Record<string, unknown>) => ({ name: "Line", start: "a", nodes });

  it.each([
    ["a play node", (u: string) => ({ a: { type: "play", url: u } }), "/nodes/a/url"],
    ["a redirect", (u: string) => ({ a: { type: "redirect", url: u } }), "/nodes/a/url"],
    [
      "a menu prompt",
      (u: string) => ({
        a: {
          type: "gather",
          prompt: [{ say: "Hi" }, { play: u }],
          choices: [{ digits: "1", next: "b" }],
        },
        b: { type: "hangup" },
      }),
      "/nodes/a/prompt/1/play",
    ],
  ])("refuses %s to a forbidden URL", async (_label, nodes, path) => {
    const t = await stack.newTenant();
    for (const [template, code] of REFUSED) {
      const res = await stack.api("POST", "/v1/ivr-flows", {
        token: t.key,
        body: flow(nodes(real(template))),
      });
      expect(res.status, template).toBe(422);
      expect(res.body.error.code).toBe("invalid_flow");
      expect(res.body.error.details).toEqual([expect.objectContaining({ path, code, severity: "error" })]);
    }
    expect((await stack.api("GET", "/v1/ivr-flows", { token: t.key })).body.data).toEqual([]);
  });

  it("refuses the emulator's port on any host name in sandbox mode (the emulator fetches redirects)", async () => {
    const t = await stack.newTenant();
    const res = await stack.api("POST", "/v1/ivr-flows", {
      token: t.key,
      body: flow({
        a: { type: "redirect", url: `http://twiml.example.com:${emulatorPort}/_emulator/reset` },
      }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].code).toBe("own_service");
  });

  it("keeps a saved flow when a replacement has a forbidden URL, and accepts local and public URLs", async () => {
    const t = await stack.newTenant();
    const ok = flow({
      a: { type: "play", url: "https://cdn.example.com/hello.mp3", next: "b" },
      b: { type: "redirect", url: `${receiver.url}/twiml` },
    });
    const saved = await stack.api("POST", "/v1/ivr-flows", { token: t.key, body: ok });
    expect(saved.status).toBe(201);
    const bad = flow({ a: { type: "redirect", url: real("http://[::ffff:127.0.0.1]:E/") } });
    const put = await stack.api("PUT", `/v1/ivr-flows/${saved.body.id}`, { token: t.key, body: bad });
    expect(put.status).toBe(422);
    const now = await stack.api("GET", `/v1/ivr-flows/${saved.body.id}`, { token: t.key });
    expect(now.body).toMatchObject({ version: 1, nodes: ok.nodes });
  });
});
