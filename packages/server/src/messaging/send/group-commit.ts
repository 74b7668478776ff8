/**
 * Group commit for the send path: a commit costs about the same for one row as for a hundred
 * (BENCHMARKS.md, "Storage"), so requests that arrive together share one transaction and one
 * multi-row INSERT, and each gets its answer after that commit.
 *
 * The first request of a group waits at most `windowMs` for company. While a flush is running
 * (up to `concurrency` at once: 1 on PGlite, which has one connection; a few on PostgreSQL),
 * new requests queue and go in the next flush as soon as one finishes, so under load groups grow
 * to match the database's latency instead of requests queueing one by one.
 */
export interface GroupCommitOptions {
  maxBatch: number;
  windowMs: number;
  concurrency: number;
}

export interface GroupCommitStats {
  flushes: number;
  items: number;
  largest: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<I, R> {
  readonly stats: GroupCommitStats = { flushes: 0, items: 0, largest: 0 };
  private queue: Waiting<I, R>[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flush: (items: I[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running >= this.opts.concurrency) return;
      if (this.queue.length >= this.opts.maxBatch) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.opts.windowMs);
    });
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0 && this.running < this.opts.concurrency) {
      const group = this.queue.splice(0, this.opts.maxBatch);
      this.running++;
      this.stats.flushes++;
      this.stats.items += group.length;
      this.stats.largest = Math.max(this.stats.largest, group.length);
      this.flush(group.map((w) => w.item))
        .then(
          (results) => {
            for (const [i, w] of group.entries()) w.resolve(results[i]);
          },
          (err) => {
            for (const w of group) w.reject(err);
          },
        )
        .finally(() => {
          this.running--;
          // Whoever queued during the flush has waited long enough: go now.
          if (this.queue.length > 0) this.flushNow();
        });
    }
  }
}
