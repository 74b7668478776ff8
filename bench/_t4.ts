import { spawn } from "node:child_process";
import { cpuMeter, postgresProcesses, localPorts } from "./cpu.js";
const code = `
      import pg from "pg";
      const c = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
      await c.connect();
      await new Promise((r) => setTimeout(r, 300));
      await c.query("SELECT count(*) FROM generate_series(1, 3000000)");
      await new Promise((r) => setTimeout(r, 1500));
      await c.end();`;
for (let k = 0; k < 4; k++) {
const proc = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: "inherit" });
const m = cpuMeter({ client: () => [proc.pid!] }, { postgres: true, everyMs: 5 });
const titles = new Map<number, Set<string>>();
const t = setInterval(() => { for (const p of postgresProcesses()) { if (!titles.has(p.pid)) titles.set(p.pid, new Set()); titles.get(p.pid)!.add(p.title + " | " + [...localPorts([proc.pid!], 5432)].join(",")); } }, 20);
await new Promise((r) => proc.once("exit", r));
clearInterval(t);
console.log(m.stop().ms);
for (const [pid, ts] of titles) if (pid > 2300) console.log(pid, [...ts]);
}
