/**
 * The measuring instrument itself: the separate-process load generator counts what the server
 * answered and times fixed-rate requests from their schedule, and the CPU meter credits a
 * process's CPU, and its PostgreSQL backends', to the right group. Fast (a few seconds).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLK_TCK, cpuMeter, cpuMs } from "../cpu.js";
import { REQUESTS, runLoad } from "../loadgen.js";

const DATABASE_URL = process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const open: (Server | ChildProcess)[] = [];
afterEach(() => {
  for (const x of open.splice(0)) "kill" in x ? x.kill("SIGKILL") : x.close();
});

async function server(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  open.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/messages`;
}

/** A child process running `code` (an ES module), its exit, and what it printed. */
function child(code: string) {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  open.push(proc);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise((r) => proc.once("exit", r));
  return { proc, exited, stdout: exited.then(() => out) };
}

describe("load generator (separate process)", () => {
  it("counts 2xx and non-2xx answers, and every request gets a new recipient", async () => {
    const recipients = new Set<string>();
    let n = 0;
    const url = await server((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        recipients.add(JSON.parse(body).to);
        res.writeHead(++n % 3 === 0 ? 503 : 202).end("{}");
      });
    });
    const r = await runLoad({
      url,
      connections: 4,
      amount: 300,
      requests: { module: REQUESTS("messages"), args: { token: "k" } },
    });
    expect(r.requests).toBe(300);
    expect(r.ok).toBe(200);
    expect(r.non_2xx).toBe(100);
    expect(recipients.size).toBe(n);
    expect(r.pid).not.toBe(process.pid);
  });

  it("times a fixed rate from the schedule: a 400-ms stall shows in p99, not only in the request that hit it", async () => {
    let first = 0;
    let stalled = false;
    const url = await server((req, res) => {
      req.resume();
      req.on("end", () => {
        first ||= Date.now();
        if (!stalled && Date.now() - first > 300) {
          stalled = true;
          const until = Date.now() + 400;
          while (Date.now() < until) {} // the server's event loop blocked
        }
        res.writeHead(202).end("{}");
      });
    });
    const r = await runLoad({ url, shape: "open", rate: 200, duration: 1.5, connections: 8 });
    expect(r.requests).toBe(300);
    // ~80 requests were due during the stall: well over 1% of them waited 100+ ms.
    expect(r.latency_ms.p99).toBeGreaterThan(200);
    expect(r.latency_ms.p50).toBeLessThan(100);
  });
});

describe("CPU meter (/proc)", () => {
  it("credits a busy process's CPU to its group", async () => {
    const { proc, exited } = child("const t = Date.now(); while (Date.now() - t < 600) {}");
    const meter = cpuMeter({ busy: () => [proc.pid!], idle: () => [process.pid] }, { everyMs: 50 });
    await exited;
    const r = meter.stop();
    expect(r.ms.busy).toBeGreaterThanOrEqual(300);
    expect(cpuMs(process.pid)).toBeGreaterThan(0);
  });

  it("credits a client's PostgreSQL backends to the client's group, from their start to their exit", async () => {
    // Several connections one after another: each backend is seen starting (still titled as the
    // postmaster) and exiting (its title gone) while the meter samples. The client reads each
    // backend's own CPU from /proc just before closing it, so the test knows what was owed. (What
    // a process spends after the meter's last sample of it is lost: the benches' pools keep their
    // connections, so that is at most the tail of a connection closed during a phase.)
    const { proc, exited, stdout } = child(`
      import pg from "pg";
      import { readFileSync } from "node:fs";
      let owed = 0;
      for (let i = 0; i < 4; i++) {
        const c = new pg.Client({ connectionString: ${JSON.stringify(DATABASE_URL)} });
        await c.connect();
        const { rows } = await c.query("SELECT pg_backend_pid() AS pid, count(*) FROM generate_series(1, 1500000)");
        await new Promise((r) => setTimeout(r, 100)); // a sample lands after the query (the meter's limit)
        const f = readFileSync("/proc/" + rows[0].pid + "/stat", "utf8").split(") ")[1].split(" ");
        owed += Number(f[11]) + Number(f[12]);
        await c.end();
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(owed);`);
    const meter = cpuMeter(
      { client: () => [proc.pid!], bystander: () => [process.pid] },
      { postgres: true, everyMs: 20 },
    );
    await exited;
    const r = meter.stop();
    const owedMs = (Number((await stdout).trim()) * 1000) / CLK_TCK;
    expect(owedMs).toBeGreaterThanOrEqual(100);
    expect(r.ms["client → PostgreSQL"]).toBeGreaterThanOrEqual(owedMs);
    expect(r.ms["bystander → PostgreSQL"] ?? 0).toBeLessThan(50);
  });
});
