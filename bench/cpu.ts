/**
 * CPU per message: user + system time of processes from /proc/<pid>/stat (utime + stime, in
 * clock ticks), sampled over a phase, grouped by who spent it.
 *
 * PostgreSQL runs as a shared local service here, so its processes are split: a backend belongs
 * to the group whose process holds the other end of its connection (a backend's process title
 * carries its client's address and port, `postgres: user db 127.0.0.1(43210) idle`, matched
 * against the local ports of the group's sockets), and the server's own processes (postmaster,
 * checkpointer, WAL writer, autovacuum…) are "PostgreSQL (shared)": they work for us, and for
 * whatever else runs on the server at the time. Other clients' backends are left out.
 *
 * A process can exit during a phase (a pool closes an idle connection), and then its last
 * counts are gone: the meter samples every `everyMs` (1 s) and keeps the last value it saw. The
 * sampling runs in the calling process (the bench driver) and costs it a few ms per sample.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** PostgreSQL's port: the benches' database (SUBTEXT_TEST_DATABASE_URL), 5432 by default. */
const PG_PORT = Number(new URL(process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://h:5432/").port || 5432);

/** utime + stime of a process in ms, or null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

interface PgProcess {
  pid: number;
  /** The client's port for a backend serving a TCP connection; null for the server's own processes. */
  clientPort: number | null;
  title: string;
}

// Pids seen not to be PostgreSQL's, so each sample reads only new processes' names.
const notPostgres = new Set<string>();

/** Every PostgreSQL server process on this machine (by /proc/<pid>/comm). */
export function postgresProcesses(): PgProcess[] {
  const out: PgProcess[] = [];
  for (const name of readdirSync("/proc")) {
    if (notPostgres.has(name) || !/^\d+$/.test(name)) continue;
    try {
      const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
      if (comm !== "postgres" && comm !== "postmaster") {
        notPostgres.add(name);
        continue;
      }
      const title = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const port = /\(\s*(\d+)\)/.exec(title)?.[1];
      out.push({ pid: Number(name), clientPort: port ? Number(port) : null, title });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/**
 * Local ports of the TCP connections to `remotePort` (PostgreSQL's) that the given processes
 * hold. Only those: Linux reuses an ephemeral port towards different destinations, so a port
 * alone could match another client's connection.
 */
export function localPorts(pids: number[], remotePort: number): Set<number> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports = new Set<number>();
  if (!inodes.size) return ports;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      if (Number.parseInt(cols[2].split(":")[1], 16) !== remotePort) continue;
      ports.add(Number.parseInt(cols[1].split(":")[1], 16));
    }
  }
  return ports;
}

export type CpuGroups = Record<string, () => number[]>;

const SHARED = "PostgreSQL (shared)";

export interface CpuReport {
  /** ms of CPU per group; PostgreSQL backends as "<group> → PostgreSQL", the server's own as "PostgreSQL (shared)". */
  ms: Record<string, number>;
  seconds: number;
}

/**
 * Starts sampling now. `groups` gives, each time it is asked, the pids of each group (so a
 * process started during the phase is counted from its start).
 */
export function cpuMeter(
  groups: CpuGroups,
  options: { postgres?: boolean; postgresPort?: number; everyMs?: number } = {},
) {
  const started = performance.now();
  // pid → [group, value at the start (0 if born later), last value seen]
  const seen = new Map<number, { group: string; start: number; last: number }>();
  // Every PostgreSQL process's counts at the start: a backend identified as ours later (its
  // client's socket seen later) is counted from here, one born later from 0.
  const pgAtStart = new Map<number, number>();
  const foreign = new Set<number>();
  const sample = (initial: boolean) => {
    const owner = new Map<number, string>();
    for (const [group, pids] of Object.entries(groups)) {
      for (const pid of pids()) {
        owner.set(pid, group);
        const v = cpuMs(pid);
        if (v === null) continue;
        const s = seen.get(pid);
        if (s) s.last = v;
        else seen.set(pid, { group, start: initial ? v : 0, last: v });
      }
    }
    if (!options.postgres) return;
    const pgs = postgresProcesses();
    // Which group's socket is at the other end of each backend not yet placed. Reading the
    // sockets (/proc/net/tcp holds every connection, TIME_WAIT ones too: tens of thousands while
    // callbacks flow) only when a new backend appears keeps the sampling cheap.
    const portOwner = new Map<number, string>();
    const placed = (pid: number) => {
      const g = seen.get(pid)?.group;
      return g !== undefined && g !== SHARED;
    };
    if (pgs.some((p) => p.clientPort !== null && !placed(p.pid) && !foreign.has(p.pid)))
      for (const [group, pids] of Object.entries(groups))
        for (const port of localPorts(pids(), options.postgresPort ?? PG_PORT)) portOwner.set(port, group);
    for (const p of pgs) {
      if (foreign.has(p.pid)) continue;
      if (initial) pgAtStart.set(p.pid, cpuMs(p.pid) ?? 0);
      const known = seen.get(p.pid);
      // A backend keeps the group of the client it served (its client may exit first, and an
      // exiting backend's title is empty). A backend just forked still carries the postmaster's
      // title (no port) until it has authenticated its client: "shared" until then.
      let group: string | null = known && known.group !== SHARED ? known.group : null;
      if (!group && p.title) {
        if (p.clientPort === null) group = SHARED;
        else if (portOwner.has(p.clientPort)) group = `${portOwner.get(p.clientPort)} → PostgreSQL`;
      }
      if (!group) {
        if (p.clientPort !== null) foreign.add(p.pid); // another client's backend
        if (known && p.title) seen.delete(p.pid); // …after all (seen before it had authenticated)
        continue;
      }
      const v = cpuMs(p.pid);
      if (v === null) continue;
      if (known) {
        known.last = v;
        known.group = group;
      } else seen.set(p.pid, { group, start: pgAtStart.get(p.pid) ?? 0, last: v });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), options.everyMs ?? 1_000);
  timer.unref();
  return {
    stop(): CpuReport {
      clearInterval(timer);
      sample(false);
      const ms: Record<string, number> = {};
      for (const s of seen.values()) ms[s.group] = (ms[s.group] ?? 0) + (s.last - s.start);
      for (const k of Object.keys(ms)) ms[k] = Math.round(ms[k]);
      return { ms, seconds: (performance.now() - started) / 1000 };
    },
  };
}

/** Adds up the groups whose name starts with one of `prefixes` (a group and its PostgreSQL backends). */
export function cpuOf(report: CpuReport, ...prefixes: string[]): number {
  return Object.entries(report.ms)
    .filter(([k]) => prefixes.some((p) => k === p || k.startsWith(`${p} → `)))
    .reduce((a, [, v]) => a + v, 0);
}
