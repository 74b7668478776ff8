/**
 * Start-up time of `subtext start` (PGlite, sandbox, its emulator): from the spawn of the process
 * to its banner's `API:` line, which it prints once it listens; and of `subtext --version`, which
 * loads every module of the command line and exits. Two ways of running the same code:
 * - compiled: `node packages/server/bin/subtext.mjs`, which runs dist/ (what `npm start` does);
 * - sources: tsx registered and `src/cli/main.ts` imported, as that bin did before there was a build.
 * Each run starts on a new data directory (migrations, the parent account), then once more on it
 * (a restart). The modes alternate, after one unmeasured warm-up of each (tsx's transform cache).
 * Wall time and the process's CPU time (Linux: /proc), which other load on the machine moves less.
 *
 *   npm run build && npx tsx bench/startup.ts [--runs 5]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 5);

function newest(dir: string): number {
  let time = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    time = Math.max(time, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return time;
}
const built = (pkg: string) => {
  const dist = join(root, pkg, "dist");
  return existsSync(dist) && statSync(dist).mtimeMs >= newest(join(root, pkg, "src"));
};
if (!["server", "emulator", "telecom"].every((pkg) => built(`packages/${pkg}`))) {
  console.error("dist/ is missing or older than the sources: run `npm run build` first.");
  process.exit(1);
}

const main = pathToFileURL(join(root, "packages/server/src/cli/main.ts")).href;
/** How each mode runs `subtext <args>`. */
const MODES: Record<string, (args: string[]) => string[]> = {
  compiled: (args) => [join(root, "packages/server/bin/subtext.mjs"), ...args],
  sources: (args) => [
    "--conditions=subtext-source",
    "--input-type=module",
    "-e",
    `import { register } from "tsx/esm/api"; register();
     const { main } = await import(${JSON.stringify(main)}); await main(${JSON.stringify(args)});`,
  ],
};

/**
 * The CPU time a process has used so far (user + system, ms; Linux's /proc, in ticks of 10 ms):
 * unlike the wall time, hardly moved by other processes competing for the cores.
 */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type Sample = { wall: number; cpu: number };
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(SUBTEXT_|TWILIO_|DATABASE_URL)/.test(k)),
);

/** `subtext --version`: loading the whole command line (every module) and no more. */
async function load(mode: string): Promise<Sample> {
  // Reports the process's own CPU time as it exits.
  const hook = `process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("cpu " + (u.user + u.system) / 1000 + "\\n"); });`;
  const argv = [
    "--import",
    `data:text/javascript,${encodeURIComponent(hook)}`,
    ...MODES[mode](["--version"]),
  ];
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd: root,
    env: cleanEnv,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const code = await new Promise((r) => child.once("exit", r));
  const wall = performance.now() - t0;
  const cpu = /cpu (\S+)/.exec(err);
  if (code !== 0 || !cpu) throw new Error(`subtext --version (${mode}) failed:\n${err}`);
  return { wall, cpu: Number(cpu[1]) };
}

/**
 * `subtext start` until the `API:` line: the wall time and the process's CPU time; then stops the
 * process and waits for its exit.
 */
async function start(mode: string, dataDir: string): Promise<Sample> {
  const env = {
    ...cleanEnv,
    PORT: "0",
    SUBTEXT_EMULATOR_PORT: "0",
    SUBTEXT_DATA_DIR: dataDir,
    SUBTEXT_ADMIN_TOKEN: "st_admin_bench_startup_0123456789",
    LOG_LEVEL: "warn",
  };
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, MODES[mode](["start"]), {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const sample = await new Promise<Sample>((resolve, reject) => {
    const read = (d: Buffer) => {
      out += d;
      if (/API:\s+http/.test(out)) resolve({ wall: performance.now() - t0, cpu: cpuMs(child.pid!) });
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", () => reject(new Error(`subtext (${mode}) exited before listening:\n${out}`)));
  });
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  return sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const KINDS = { load: "--version (load)", first: "start, new data dir", restart: "start, restart" };
type Kind = keyof typeof KINDS;
const samples: Record<string, Record<Kind, Sample[]>> = {};
for (const mode of Object.keys(MODES)) samples[mode] = { load: [], first: [], restart: [] };
for (let i = -1; i < runs; i++) {
  for (const mode of Object.keys(MODES)) {
    const dir = mkdtempSync(join(tmpdir(), "subtext-startup-"));
    try {
      const run = { load: await load(mode), first: await start(mode, dir), restart: await start(mode, dir) };
      if (i < 0) continue; // the warm-up
      for (const kind of Object.keys(KINDS) as Kind[]) samples[mode][kind].push(run[kind]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const fmt = (xs: number[]) => `${Math.round(median(xs))} ms (${xs.map(Math.round).join(", ")})`;
for (const [kind, label] of Object.entries(KINDS))
  for (const mode of Object.keys(MODES)) {
    const s = samples[mode][kind as Kind];
    console.log(
      `${label}, ${mode}: wall median ${fmt(s.map((x) => x.wall))}; CPU median ${fmt(s.map((x) => x.cpu))}`,
    );
  }
