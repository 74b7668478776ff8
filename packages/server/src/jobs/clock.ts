/**
 * Time as the platform sees it. Production uses the system clock; tests pass a ManualClock
 * and advance it instead of sleeping, so timers (jobs' run_at, leases, backoff) are exact.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === "number" ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): Date {
    if (ms < 0) throw new Error("a clock only moves forward");
    this.ms += ms;
    return this.now();
  }

  set(to: Date): Date {
    if (to.getTime() < this.ms) throw new Error("a clock only moves forward");
    this.ms = to.getTime();
    return this.now();
  }
}
