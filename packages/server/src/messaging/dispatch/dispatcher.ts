/**
 * The dispatcher: every tick, lease the lanes that have due work (leases.ts), claim from each
 * what its bucket and caps allow (claim.ts), call Twilio for each claimed message without
 * holding any transaction (call.ts), and record the outcomes in grouped transactions
 * (outcomes.ts). Lanes are served round-robin, each within its own budget, so one tenant's
 * flood never delays another tenant's lane.
 *
 * Runs as a loop in worker processes (`start`), or tick by tick in tests (`tick`, `drain`).
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Services } from "../../kernel/services.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type TenantRow, cachedTenant } from "../../tenancy/tenants.js";
import { gcraAvailable } from "@subtext/telecom/lanes";
import { type MessagingMetrics, messagingMetrics } from "../metrics.js";
import { laneGate, sendingProfile } from "../send/gate.js";
import { cachedInternationalSenders, intlLaneGate } from "../send/international.js";
import { GroupCommit } from "../send/group-commit.js";
import { cachedSettings } from "../settings.js";
import { type CallResult, createAtTwilio } from "./call.js";
import { type ClaimedMessage, claimLane } from "./claim.js";
import { type LaneRow, refreshLaneSpec, specChanged } from "../store/lanes.js";
import { cancelLaneQueue } from "../store/messages.js";
import { acquireLanes, holdLane, promoteScheduled, releaseLanes } from "./leases.js";
import { type CallOutcome, type OutcomePolicy, recordOutcomes } from "./outcomes.js";

export interface DispatcherOptions {
  tickMs: number;
  /** How often leases are taken and renewed (and scheduled messages promoted) without a wake-up. */
  acquireEveryMs: number;
  leaseMs: number;
  maxLanesPerTick: number;
  maxInflight: number;
  maxInflightPerLane: number;
  /** Give up waiting for messages.create after this long (the attempt becomes ambiguous). */
  sendTimeoutMs: number;
  policy: OutcomePolicy;
}

type Deps = Pick<Services, "db" | "vault" | "twilio" | "clock" | "log" | "urls" | "metrics" | "caches">;

export class Dispatcher {
  readonly workerId = `dsp:${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly inflight = new Set<Promise<void>>();
  private readonly perLane = new Map<string, number>();
  /**
   * Lanes this process leaves alone until a time (ms): after a 429, from the moment the answer
   * arrives (not only once the outcome's transaction has held the lane in the database); and
   * while the bucket refills for a head message of more segments than it holds, which would
   * otherwise run an empty claim every tick.
   */
  private readonly resting = new Map<string, number>();
  private readonly outcomes: GroupCommit<CallOutcome, void>;
  private readonly metrics: MessagingMetrics;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private turn = 0;
  /** Lanes leased at the last acquisition, kept current by each claim. */
  private owned = new Map<string, LaneRow>();
  private lastAcquire = Number.NEGATIVE_INFINITY;
  private refresh = true;
  /** Counters for metrics and the benchmark. */
  readonly stats = { ticks: 0, claimed: 0, accepted: 0, failures: 0 };

  constructor(
    private readonly deps: Deps,
    readonly options: DispatcherOptions,
  ) {
    this.metrics = messagingMetrics(deps.metrics);
    this.outcomes = new GroupCommit<CallOutcome, void>(
      async (items) => {
        await deps.db.tx((tx) => recordOutcomes(tx, items, this.options.policy));
        return items.map(() => undefined);
      },
      { maxBatch: 200, windowMs: 2, concurrency: deps.db.engine === "pglite" ? 1 : 2 },
    );
  }

  /**
   * One round: promote due scheduled messages and lease lanes (every `acquireEveryMs`, or at
   * once when woken by new work), then claim from each owned lane that has budget and due
   * work, and launch the calls. Returns how many messages were claimed.
   */
  async tick(): Promise<number> {
    const { db, clock } = this.deps;
    const o = this.options;
    const now = clock.now();
    const ms = now.getTime();
    this.stats.ticks++;
    if (this.refresh || ms - this.lastAcquire >= o.acquireEveryMs || ms < this.lastAcquire) {
      this.refresh = false;
      this.lastAcquire = ms;
      await promoteScheduled(db, now);
      const leased = await acquireLanes(db, {
        workerId: this.workerId,
        now,
        leaseUntil: new Date(ms + o.leaseMs),
        limit: o.maxLanesPerTick,
      });
      this.owned = new Map(leased.map((l) => [l.id, l]));
    }
    const lanes = [...this.owned.values()];
    let claimed = 0;
    const start = lanes.length ? this.turn++ % lanes.length : 0;
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[(start + i) % lanes.length];
      const free = Math.min(
        o.maxInflight - this.inflight.size,
        o.maxInflightPerLane - (this.perLane.get(lane.id) ?? 0),
      );
      if (free <= 0) continue;
      // Nothing due, held, or no budget yet (the bucket refills in a few ms): no transaction.
      if (!lane.next_due_at || lane.next_due_at.getTime() > ms) continue;
      if (lane.held_until && lane.held_until.getTime() > ms) continue;
      const restsUntil = this.resting.get(lane.id);
      if (restsUntil !== undefined) {
        if (restsUntil > ms) continue;
        this.resting.delete(lane.id);
      }
      // The gate is checked again at dispatch: a registration suspended (or failed) after its
      // messages were accepted holds them, queued, instead of sending traffic carriers now block.
      // Each lane answers to its own campaign: another campaign of the tenant may be fine.
      if (lane.kind !== "whatsapp_sender") {
        const gate =
          lane.kind === "intl_sender"
            ? intlLaneGate(await cachedInternationalSenders(this.deps, lane.tenant_id), lane)
            : laneGate(await sendingProfile(this.deps, lane.tenant_id), lane);
        if (!gate.ready) {
          // A deleted campaign's queued messages will never go: they are canceled, not held.
          if (gate.code === "campaign_deleted") await cancelLaneQueue(db, lane, now, gate.code);
          lane.held_until = await holdLane(db, lane.id, now, gate.code);
          lane.held_reason = gate.code;
          continue;
        }
        // The registration changed under the lane (a vetting raised the trust score): new limits
        // from now on, recorded in the lane's history; the bucket's state carries over.
        if (specChanged(lane, gate.spec)) {
          const refreshed = await db.tx((tx) => refreshLaneSpec(tx, lane.id, gate.spec, now));
          if (refreshed) {
            lane.mps = refreshed.mps;
            lane.burst = refreshed.burst;
            lane.daily_cap = refreshed.daily_cap;
            lane.tmobile_daily_cap = refreshed.tmobile_daily_cap;
            lane.rate_kind = refreshed.rate_kind;
            lane.trust_score = refreshed.trust_score;
            lane.brand_id = refreshed.brand_id;
          }
        }
      }
      const state = lane.tat_ms === null ? null : { tat: lane.tat_ms };
      if (gcraAvailable(state, ms, { mps: lane.mps, burst: lane.burst }) === 0) continue;
      const settings = await cachedSettings(this.deps, lane.tenant_id);
      const result = await claimLane(db, {
        laneId: lane.id,
        workerId: this.workerId,
        now,
        maxMessages: free,
        quietHours: settings.quiet_hours,
        carrierLookup: settings.carrier_lookup,
      });
      if (result.lost) this.owned.delete(lane.id);
      else if (result.lane) this.owned.set(lane.id, result.lane);
      if (result.refillMs !== undefined) this.rest(lane.id, ms + result.refillMs);
      for (const m of result.claimed) this.launch(m);
      claimed += result.claimed.length;
      // Let requests and callbacks in: on PGlite, queries resolve without ever yielding to I/O.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.stats.claimed += claimed;
    return claimed;
  }

  private rest(laneId: string, until: number): void {
    this.resting.set(laneId, Math.max(until, this.resting.get(laneId) ?? 0));
  }

  /** Waits until every call in flight has returned and its outcome is recorded. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await this.drain();
    await releaseLanes(this.deps.db, this.workerId).catch(() => undefined);
  }

  /** New work arrived in this process: tick now rather than at the next poll. */
  wake(): void {
    this.refresh = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (err) {
        this.deps.log.error({ event: "dispatcher.tick_failed", err }, "dispatcher tick failed");
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.tickMs);
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
  }

  private launch(m: ClaimedMessage): void {
    this.perLane.set(m.lane_id, (this.perLane.get(m.lane_id) ?? 0) + 1);
    const claimedAt = Date.now();
    const p = this.call(m, claimedAt)
      .then((result) => {
        if (result.kind === "accepted") this.stats.accepted++;
        else this.stats.failures++;
        const at = this.deps.clock.now();
        if (result.kind === "failure" && result.failure.httpStatus === 429) {
          this.rest(m.lane_id, at.getTime() + this.options.policy.rateLimitPauseMs);
        }
        this.metrics.dispatched.inc({
          result: result.kind === "accepted" ? "accepted" : result.failure.kind,
        });
        this.deps.log.debug({
          event: "message.dispatched",
          message_id: m.id,
          lane: m.lane_id,
          result: result.kind,
        });
        return this.outcomes.submit({ m, result, at });
      })
      .catch((err) => {
        // The attempt stays pending: the sweep reconciles it later, so nothing is lost or doubled.
        this.deps.log.error(
          { event: "dispatcher.outcome_failed", message_id: m.id, err },
          "could not record an outcome",
        );
      })
      .finally(() => {
        this.inflight.delete(p);
        const n = (this.perLane.get(m.lane_id) ?? 1) - 1;
        if (n <= 0) this.perLane.delete(m.lane_id);
        else this.perLane.set(m.lane_id, n);
      });
    this.inflight.add(p);
  }

  private async call(m: ClaimedMessage, claimedAt: number): Promise<CallResult> {
    const notSent = (message: string): CallResult => ({
      kind: "failure",
      failure: { kind: "retry", httpStatus: null, code: null, message },
    });
    const tenant = await this.tenant(m.tenant_id);
    if (tenant?.status !== "active") return notSent(`the tenant is ${tenant?.status ?? "missing"}`);
    try {
      const client = await tenantTwilio(this.deps, tenant);
      // A request that leaves long after its claim (an overloaded process) could reach Twilio
      // after the sweep has already reconciled its attempt as orphaned: never send it late.
      // Bound: it leaves within max(2 s, sendTimeout/2) and is waited for sendTimeout, both well
      // inside orphanAfterMs, so reconciliation only ever looks at requests that are over.
      const lateAfter = Math.max(2_000, this.options.sendTimeoutMs / 2);
      if (Date.now() - claimedAt > lateAfter) return notSent("claimed too long ago; not sent");
      return await createAtTwilio(client, m, {
        publicUrl: this.deps.urls.public,
        timeoutMs: this.options.sendTimeoutMs,
      });
    } catch (err) {
      // No client (credentials unreadable, tenant not provisioned): nothing reached Twilio.
      return {
        kind: "failure",
        failure: { kind: "retry", httpStatus: null, code: null, message: (err as Error).message },
      };
    }
  }

  private tenant(id: string): Promise<TenantRow | null> {
    return cachedTenant(this.deps, id);
  }
}
