/**
 * Real `subtext` processes for the scale-out and crash proofs: spawned from bin/subtext.mjs
 * with a given environment, killed with SIGKILL when the proof says so, their output kept for
 * the failure message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/subtext.mjs", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far, line by line. */
  output: string[];
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<string>;
  alive(): boolean;
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not left after `ms`. */
  stop(ms?: number): Promise<void>;
}

/** The last lines every process printed, for failure messages. */
export const transcript: string[] = [];

export function spawnSubtext(name: string, args: string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim()) continue;
      output.push(line);
      transcript.push(`[${name}] ${line}`);
    }
    if (transcript.length > 400) transcript.splice(0, transcript.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let gone = false;
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      gone = true;
      resolve(signal ?? String(code));
    }),
  );
  return {
    name,
    child,
    output,
    exited,
    alive: () => !gone,
    async kill9() {
      if (gone) return;
      child.kill("SIGKILL");
      await exited;
    },
    async stop(ms = 10_000) {
      if (gone) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it holds (bounded; no fixed sleeps). */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const tail = transcript.slice(-30).join("\n");
  throw new Error(
    `timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}\n${tail}`,
  );
}

/** Waits until GET url answers 2xx. */
export const ready = (url: string, timeoutMs = 90_000) =>
  until(`${url} to answer`, async () => (await fetch(url).catch(() => null))?.ok, {
    timeoutMs,
    intervalMs: 100,
  });

/** Waits until the process has printed a line matching `re` (e.g. its start-up banner). */
export async function printed(proc: Proc, re: RegExp, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output.some((l) => re.test(l))) {
    if (!proc.alive() || Date.now() > deadline) {
      throw new Error(`${proc.name} never printed ${re}:\n${proc.output.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
