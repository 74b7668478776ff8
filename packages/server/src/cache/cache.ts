import type { Clock } from "../jobs/clock.js";

/**
 * The runtime's in-memory caches of what changes rarely (a key's tenant, a tenant's sending
 * profile, settings, prices). One owner, one clock: entries expire on the platform clock, so a
 * test's ManualClock moves them too.
 *
 * Correctness comes from invalidation, not from short lives: a change to a cached table is
 * announced by the table's own trigger at commit (system/changes.ts), every process forgets what
 * it is about, and the process that made it applies it at once with `changed()`. The TTL only
 * bounds how stale an entry can get when an announcement cannot arrive (the listening
 * connection lost). While the feed is down (`degraded`), entries live at most `DEGRADED_MS`.
 */
export const DEGRADED_MS = 1_000;

interface Entry<V> {
  value: V;
  at: number;
}

export class CacheSpace<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Moves on every forgetting, so a load that started before it is not kept. */
  private generation = 0;

  constructor(
    private readonly owner: Caches,
    readonly name: string,
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.owner.now() - hit.at >= this.owner.lifetime(this.ttlMs) || this.owner.now() < hit.at) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max && !this.entries.has(key)) {
      // The oldest insertion goes first (Map keeps insertion order).
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, at: this.owner.now() });
  }

  /**
   * The cached value, or `load()`'s (cached when `keep` allows). Callers that miss together
   * share one load: a burst of requests for a cold key costs one query, not one each.
   */
  through(key: string, load: () => Promise<V>, keep: (v: V) => boolean = () => true): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const shared = this.loading.get(key);
    if (shared) return shared;
    const generation = this.generation;
    const pending: Promise<V> = load()
      .then((value) => {
        // A change announced while loading may have made this value old: do not keep it.
        if (keep(value) && generation === this.generation) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
      });
    this.loading.set(key, pending);
    return pending;
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  deleteWhere(matches: (value: V, key: string) => boolean): void {
    this.generation++;
    for (const [key, e] of this.entries) if (matches(e.value, key)) this.entries.delete(key);
    this.loading.clear();
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A kind of change that cached values depend on: a tenant, an API key, a price table… */
export type ChangeName =
  | "tenant"
  | "api-key"
  | "sending-profile"
  | "messaging-settings"
  | "prices"
  | "budget";

export class Caches {
  private readonly spaces = new Map<string, CacheSpace<unknown>>();
  private readonly reactions = new Map<ChangeName, ((key: string | undefined) => void)[]>();
  private degraded = false;

  constructor(private readonly clock: Clock) {}

  /**
   * The cache named `name`, created on first use with `wire` saying which announced changes
   * make it forget what (later calls return the same one).
   */
  space<V>(
    name: string,
    options: { ttlMs: number; max?: number },
    wire?: (space: CacheSpace<V>, on: Caches["on"]) => void,
  ): CacheSpace<V> {
    let s = this.spaces.get(name) as CacheSpace<V> | undefined;
    if (!s) {
      s = new CacheSpace<V>(this, name, options.ttlMs, options.max ?? 10_000);
      this.spaces.set(name, s as CacheSpace<unknown>);
      wire?.(s, (change, react) => this.on(change, react));
    }
    return s;
  }

  /** How to forget when `change` is announced (key: the changed thing's id, or all of them). */
  on(change: ChangeName, react: (key: string | undefined) => void): void {
    const list = this.reactions.get(change) ?? [];
    list.push(react);
    this.reactions.set(change, list);
  }

  /** Applies an announced change in this process. */
  changed(change: ChangeName, key?: string): void {
    for (const react of this.reactions.get(change) ?? []) react(key);
  }

  /** Forgets everything (announcements may have been missed). */
  clear(): void {
    for (const s of this.spaces.values()) s.clear();
  }

  /** While announcements cannot arrive, entries live at most DEGRADED_MS. */
  setDegraded(on: boolean): void {
    this.degraded = on;
  }

  now(): number {
    return this.clock.now().getTime();
  }

  lifetime(ttlMs: number): number {
    return this.degraded ? Math.min(ttlMs, DEGRADED_MS) : ttlMs;
  }
}
