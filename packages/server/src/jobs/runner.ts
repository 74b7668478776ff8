import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Db, Queryable } from "../db/db.js";
import { SubtextError } from "../kernel/errors.js";
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { JobKindName, JobPayloads } from "./kinds.js";
import {
  type EnqueueOptions,
  type Enqueued,
  type JobRow,
  claimDueJobs,
  claimJob,
  completeJob,
  enqueue,
  releaseJob,
  renewJob,
} from "./queue.js";

export interface JobContext {
  db: Db;
  clock: Clock;
  workerId: string;
  log?: Logger;
}

/** Return it from a handler to check again later without counting a failed attempt (polling). */
export interface Snooze {
  retryAt: Date;
}

/** Resolves (done), returns a Snooze (check again later), or throws (retry with backoff). */
// biome-ignore lint/suspicious/noConfusingVoidType: lets handlers be plain `async () => {}` functions
export type JobHandler<P> = (job: JobRow<P>, ctx: JobContext) => Promise<Snooze | undefined | void>;

export interface JobKind<P> {
  handler: JobHandler<P>;
  /** How long a claim is held before another worker may take the job over. */
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Called once when the job runs out of attempts or fails permanently. */
  onDead?: (job: JobRow<P>, error: unknown, ctx: JobContext) => Promise<void>;
  /**
   * At most this many of the kind run at once in one process (default: the runner's whole
   * concurrency), so that a flood of one kind leaves room for the others.
   */
  maxConcurrent?: number;
}

/** Throw from a handler to stop retrying (permanent) or to retry at a given time. */
export class JobFailure extends Error {
  readonly permanent: boolean;
  readonly retryAt?: Date;
  constructor(message: string, options: { permanent?: boolean; retryAt?: Date; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "JobFailure";
    this.permanent = options.permanent ?? false;
    this.retryAt = options.retryAt;
  }
}

export type JobOutcome = "succeeded" | "snoozed" | "retry" | "dead" | "lost_lease";

export interface RunSummary {
  ran: number;
  succeeded: number;
  retried: number;
  dead: number;
}

export interface RunNowResult {
  outcome: JobOutcome | "busy";
  error?: unknown;
}

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  log?: Logger;
  workerId?: string;
  /** Jobs run at the same time by this process. */
  concurrency?: number;
  /** Idle wait between polls when nothing was due. */
  pollMs?: number;
  random?: () => number;
  onOutcome?: (kind: string, outcome: JobOutcome) => void;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 25;

/**
 * Runs jobs: a registry of kinds (modules register theirs), a polling loop for production,
 * `runDue()` for tests (process everything due now, deterministically), and `runNow()` to
 * execute a just-enqueued job inline while still holding a lease, so a crash leaves it to
 * the workers.
 */
export class JobRunner {
  readonly workerId: string;
  /**
   * Payload types erased (`never` accepts every kind's definition): a row's payload is the one its
   * kind was enqueued with, which enqueue() checks against the handler's at compile time.
   */
  private readonly kinds = new Map<string, JobKind<never>>();
  private readonly inflight = new Set<Promise<JobOutcome>>();
  private readonly inflightByKind = new Map<string, number>();
  /** Ids of the jobs this process runs now: an expired lease never starts a second run here. */
  private readonly runningIds = new Set<string>();
  /** Jobs run at the same time by this process. */
  readonly concurrency: number;
  private readonly pollMs: number;
  private running = false;
  /** The polling loop's claim in progress (leased rows not yet tracked in `inflight`). */
  private loopClaim: Promise<number> | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;

  constructor(private readonly opts: JobRunnerOptions) {
    // Host and pid say who holds a lease (an operator's question, and a crash test's).
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.concurrency = opts.concurrency ?? 32;
    this.pollMs = opts.pollMs ?? 250;
  }

  register<K extends JobKindName>(kind: K, def: JobKind<JobPayloads[K]> | JobHandler<JobPayloads[K]>): void {
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} is already registered`);
    this.kinds.set(kind, typeof def === "function" ? { handler: def } : def);
  }

  /** `enqueue()` that also wakes this process's loop when the job is due now. */
  async enqueue<K extends JobKindName>(
    q: Queryable,
    kind: K,
    payload: JobPayloads[K],
    options: EnqueueOptions = {},
  ): Promise<Enqueued> {
    const result = await enqueue(q, kind, payload, options);
    if (!options.runAt || options.runAt <= this.opts.clock.now()) this.wake();
    return result;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming; waits for the jobs in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inflight]);
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Runs every job due at the clock's current time (including ones those jobs enqueue). */
  async runDue(): Promise<RunSummary> {
    const cutoff = this.opts.clock.now();
    const summary: RunSummary = { ran: 0, succeeded: 0, retried: 0, dead: 0 };
    for (;;) {
      const jobs = await this.claim(this.concurrency, cutoff);
      if (jobs.length === 0) {
        // The loop may have just leased what was due: wait for its claim, then for its jobs.
        if (this.loopClaim) {
          await this.loopClaim.catch(() => 0);
          continue;
        }
        if (this.inflight.size === 0) return summary;
        await Promise.allSettled([...this.inflight]);
        continue;
      }
      const outcomes = await Promise.all(jobs.map((job) => this.track(this.execute(job))));
      for (const outcome of outcomes) {
        summary.ran++;
        if (outcome === "succeeded") summary.succeeded++;
        else if (outcome === "dead") summary.dead++;
        else if (outcome === "retry") summary.retried++;
      }
    }
  }

  /** Leases due jobs of the registered kinds (exposed for tests of lease recovery). */
  claim(limit: number, now = this.opts.clock.now()): Promise<JobRow[]> {
    return claimDueJobs(this.opts.db, {
      workerId: this.workerId,
      leases: this.leases(),
      now,
      limit,
      perKind: this.room(),
      running: [...this.runningIds],
    });
  }

  /** How many more jobs of each capped kind this process may start now. */
  private room(): Map<string, number> {
    const room = new Map<string, number>();
    for (const [kind, def] of this.kinds) {
      if (def.maxConcurrent === undefined) continue;
      room.set(kind, Math.max(0, def.maxConcurrent - (this.inflightByKind.get(kind) ?? 0)));
    }
    return room;
  }

  private leases(): Map<string, number> {
    return new Map([...this.kinds.keys()].map((kind) => [kind, this.leaseOf(kind)]));
  }

  private leaseOf(kind: string): number {
    return this.kinds.get(kind)?.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Executes one job now if nobody holds it; a failure is rescheduled as usual and returned. */
  async runNow(jobId: string): Promise<RunNowResult> {
    if (this.runningIds.has(jobId)) return { outcome: "busy" };
    const job = await claimJob(this.opts.db, {
      id: jobId,
      workerId: this.workerId,
      now: this.opts.clock.now(),
      leases: this.leases(),
      defaultLeaseMs: DEFAULT_LEASE_MS,
    });
    if (!job) return { outcome: "busy" };
    let error: unknown;
    const outcome = await this.track(this.execute(job, (err) => (error = err)));
    return { outcome, error };
  }

  private track(p: Promise<JobOutcome>): Promise<JobOutcome> {
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      this.wake();
    });
    return p;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        const free = this.concurrency - this.inflight.size;
        if (free > 0) {
          this.loopClaim = this.claim(free).then((jobs) => {
            for (const job of jobs) void this.track(this.execute(job));
            return jobs.length;
          });
          try {
            claimed = await this.loopClaim;
          } finally {
            this.loopClaim = null;
          }
        }
      } catch (err) {
        this.opts.log?.error({ event: "jobs.claim_failed", err }, "claiming jobs failed");
      }
      if (!this.running) break;
      if (claimed === 0 || this.inflight.size >= this.concurrency) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async execute(job: JobRow, onError?: (err: unknown) => void): Promise<JobOutcome> {
    this.inflightByKind.set(job.kind, (this.inflightByKind.get(job.kind) ?? 0) + 1);
    this.runningIds.add(job.id);
    const renewal = this.keepLease(job);
    try {
      return await this.executeHeld(job, onError);
    } finally {
      clearInterval(renewal);
      this.runningIds.delete(job.id);
      this.inflightByKind.set(job.kind, this.inflightByKind.get(job.kind)! - 1);
    }
  }

  /**
   * Renews the lease every third of it while the job runs: only a process that is gone (or
   * stalled for a whole lease) lets another take the job over, so a slow Twilio call never
   * ends up running twice at once.
   */
  private keepLease(job: JobRow): NodeJS.Timeout {
    const leaseMs = this.leaseOf(job.kind);
    const timer = setInterval(
      () => {
        const until = new Date(this.opts.clock.now().getTime() + leaseMs);
        renewJob(this.opts.db, { id: job.id, workerId: this.workerId, until }).catch((err) =>
          this.opts.log?.warn(
            { event: "job.renew_failed", job_id: job.id, err },
            "could not renew a job's lease",
          ),
        );
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async executeHeld(row: JobRow, onError?: (err: unknown) => void): Promise<JobOutcome> {
    const kind = this.kinds.get(row.kind)!;
    // The row is of its kind's payload: it was enqueued with it (checked there, see `kinds`).
    const job = row as JobRow<never>;
    const { db, clock, log } = this.opts;
    const ctx: JobContext = { db, clock, workerId: this.workerId, log };
    let outcome: JobOutcome;
    try {
      const result = await kind.handler(job, ctx);
      if (result?.retryAt) {
        const runAt = laterThanNow(result.retryAt, clock);
        const held = await releaseJob(db, {
          ...this.ids(job),
          runAt,
          error: null,
          dead: false,
          now: clock.now(),
          refundAttempt: true,
        });
        outcome = held ? "snoozed" : "lost_lease";
      } else {
        outcome = (await completeJob(db, job.id, this.workerId)) ? "succeeded" : "lost_lease";
      }
    } catch (err) {
      onError?.(err);
      outcome = await this.fail(job, kind, ctx, err);
    }
    this.opts.onOutcome?.(job.kind, outcome);
    return outcome;
  }

  private async fail(
    job: JobRow<never>,
    kind: JobKind<never>,
    ctx: JobContext,
    err: unknown,
  ): Promise<JobOutcome> {
    const { db, clock, log } = this.opts;
    const permanent =
      (err instanceof JobFailure && err.permanent) || (err instanceof SubtextError && !err.retryable);
    const dead = permanent || job.attempts >= (kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const policy = { ...DEFAULT_BACKOFF, ...kind.backoff };
    const retryAt =
      err instanceof JobFailure && err.retryAt
        ? err.retryAt
        : new Date(clock.now().getTime() + backoffDelay(job.attempts, policy, this.opts.random));
    const message = err instanceof Error ? err.message : String(err);
    const held = await releaseJob(db, {
      ...this.ids(job),
      runAt: laterThanNow(retryAt, clock),
      error: message.slice(0, 2000),
      dead,
      now: clock.now(),
    });
    log?.warn(
      {
        event: dead ? "job.dead" : "job.retry",
        job_id: job.id,
        kind: job.kind,
        attempts: job.attempts,
        error: message,
      },
      dead ? "job failed for good" : "job failed; will retry",
    );
    if (!held) return "lost_lease";
    if (dead && kind.onDead) {
      await kind
        .onDead(job, err, ctx)
        .catch((e) => log?.error({ event: "job.on_dead_failed", job_id: job.id, err: e }));
    }
    return dead ? "dead" : "retry";
  }

  private ids(job: JobRow) {
    return { id: job.id, workerId: this.workerId };
  }
}

function laterThanNow(at: Date, clock: Clock): Date {
  const floor = clock.now().getTime() + 1;
  return at.getTime() >= floor ? at : new Date(floor);
}
