import { Callbacks } from "./core/callbacks.js";
import { Clock } from "./core/clock.js";
import { Faults } from "./core/faults.js";
import { Scheduler } from "./core/scheduler.js";
import { Store } from "./core/store.js";

/** How long reviews take: seconds in sandbox, business days with `realistic`. */
export interface Pace {
  realistic: boolean;
}

/** Everything a resource module needs: state, time, timers, faults and outgoing webhooks. */
export class World {
  readonly store: Store;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly faults = new Faults();
  readonly callbacks: Callbacks;
  /** Filled by the HTTP server once it listens, e.g. http://127.0.0.1:4010 */
  baseUrl = "";
  private readonly bootstraps: ((world: World) => void)[] = [];

  constructor(
    dataDir: string | undefined,
    readonly pace: Pace,
  ) {
    this.store = new Store(dataDir);
    const saved = this.store.get<{ sid: string; offset: number; scale: number }>("meta", "clock");
    this.clock = new Clock(saved?.offset ?? 0);
    if (saved?.scale) this.clock.setScale(saved.scale);
    this.scheduler = new Scheduler(this.store, this.clock);
    this.callbacks = new Callbacks(this.faults, () => this.clock.now());
  }

  /** Registers seed data created on first start and after a reset (the sandbox parent account…). */
  onBootstrap(fn: (world: World) => void) {
    this.bootstraps.push(fn);
  }

  bootstrap() {
    for (const fn of this.bootstraps) fn(this);
  }

  saveClock() {
    this.store.put("meta", { sid: "clock", offset: this.clock.offset, scale: this.clock.scale });
  }

  reset() {
    this.scheduler.cancel(() => true);
    this.store.clear();
    this.faults.clear();
    this.callbacks.log.length = 0;
    this.bootstrap();
  }

  /**
   * A review duration: `sandboxSeconds` normally, `businessDays` of real life with `realistic`.
   * Business days skip weekends.
   */
  reviewDelay(sandboxSeconds: number, businessDays: number): number {
    if (!this.pace.realistic) return sandboxSeconds * 1000;
    let t = this.clock.now();
    let left = businessDays;
    while (left > 0) {
      t += 86_400_000;
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6) left--;
    }
    return t - this.clock.now();
  }
}
