/**
 * In-process load shapes for the benchmarks that measure code in one process (messaging, the
 * emulator's SDK path): a closed loop (N clients, each sending its next request when the last one
 * answered) and an open loop (requests on a fixed schedule, latency from the schedule). The client
 * here shares the measured process's CPU: a server's capacity is measured with bench/loadgen.ts,
 * whose generator runs in a process of its own.
 */
import type { Latency } from "./scale-report.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop: `concurrency` clients, each starting its next request when the last answered. */
export async function closedLoop(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Latency & { seconds: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    per_second: Math.round(total / seconds),
    ...percentiles(latencies),
    seconds: Number(seconds.toFixed(3)),
  };
}

/**
 * Open loop: request i starts at start + i/rate whatever the earlier ones are doing, and its
 * latency counts from that scheduled start (a late start is the system's delay too).
 */
export async function openLoop(rate: number, seconds: number, fn: (i: number) => Promise<boolean>) {
  const total = Math.round(rate * seconds);
  const start = performance.now() + 50;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      fn(i)
        .catch(() => false)
        .then((ok) => {
          latencies.push(performance.now() - due);
          if (!ok) errors++;
        }),
    );
  }
  await Promise.all(pending);
  const p = percentiles(latencies);
  return { sent: total, ...p, max_ms: round1(Math.max(...latencies)), errors };
}

export const round1 = (v: number) => Number(v.toFixed(1));

export function percentiles(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { p50_ms: round1(at(50)), p99_ms: round1(at(99)) };
}
