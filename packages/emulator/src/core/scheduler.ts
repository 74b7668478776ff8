import type { Clock } from "./clock.js";
import { DueHeap } from "./heap.js";
import { newSid } from "./sid.js";
import type { Store } from "./store.js";

export interface Job {
  sid: string;
  due: number;
  kind: string;
  data: Record<string, any>;
}

type Handler = (data: Record<string, any>, job: Job) => void | Promise<void>;

/**
 * Durable timers on emulated time: every review, message transition and scheduled send is a job
 * row in the store, so it survives a restart. `advance` runs due jobs in due order with the clock
 * set to each job's due time, so timestamps stay consistent when tests jump ahead.
 */
export class Scheduler {
  private readonly handlers = new Map<string, Handler>();
  private readonly heap = new DueHeap<Job>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    for (const job of store.list<Job>("jobs").sort((a, b) => a.due - b.due)) this.heap.push(job);
  }

  on(kind: string, handler: Handler) {
    this.handlers.set(kind, handler);
  }

  at(due: number, kind: string, data: Record<string, any> = {}): Job {
    const job = this.store.put<Job>("jobs", { sid: newSid("JB"), due, kind, data });
    this.heap.push(job);
    return job;
  }

  after(ms: number, kind: string, data: Record<string, any> = {}): Job {
    return this.at(this.clock.now() + ms, kind, data);
  }

  cancel(predicate: (job: Job) => boolean) {
    for (const job of this.heap.removeWhere(predicate)) this.store.delete("jobs", job.sid);
  }

  pending(): Job[] {
    return this.heap.toArray();
  }

  start(intervalMs = 20) {
    this.timer = setInterval(() => void this.runDue(), intervalMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs every job due by `until` (default: now), in due order. */
  runDue(until?: number): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const run = previous.then(() => this.drain(until));
    this.running = run.finally(() => {
      if (this.running === run) this.running = null;
    });
    return run;
  }

  /** Moves the clock forward by `seconds`, running every job that falls due on the way. */
  async advance(seconds: number) {
    const target = this.clock.now() + seconds * 1000;
    await this.runDue(target);
    this.clock.jumpTo(target);
  }

  private async drain(until?: number) {
    for (;;) {
      const limit = until ?? this.clock.now();
      const next = this.heap.peek();
      if (!next || next.due > limit) return;
      this.heap.pop();
      this.store.delete("jobs", next.sid);
      this.clock.jumpTo(next.due);
      const handler = this.handlers.get(next.kind);
      try {
        await handler?.(next.data, next);
      } catch (err) {
        console.error(`[emulator] job ${next.kind} failed:`, err);
      }
    }
  }
}
