/**
 * The messaging module's wiring: one instance per runtime (`messagingOf(services)`) holding the
 * send path's group commit and the dispatcher, its job kinds, and its start/stop for worker
 * processes. Tunables live in `options` (tests shorten timeouts there).
 */
import type { Module } from "../kernel/module.js";
import type { Services } from "../kernel/services.js";
import { DEFAULT_BACKOFF } from "../jobs/backoff.js";
import type { Snooze } from "../jobs/runner.js";
import { enqueue } from "../jobs/queue.js";
import { Dispatcher, type DispatcherOptions } from "./dispatch/dispatcher.js";
import { recomputeLaneHints } from "./dispatch/leases.js";
import { RECONCILE_JOB } from "./dispatch/outcomes.js";
import {
  type ReconcilePayload,
  reconcileAttempt,
  recoverOrphans,
  refreshStaleStatuses,
} from "./dispatch/reconcile.js";
import { LOOKUP_JOB, type LookupPayload, lookUpCarrier } from "./lookup.js";
import { maintainPartitions } from "./partitions.js";
import { redactExpiredBodies } from "./retention.js";
import { type Outcome, type Submission, acceptMany } from "./send/accept.js";
import { applyGroup } from "./callbacks/status.js";
import type { StatusIntake, StatusReport } from "./callbacks/status-batch.js";
import { messagingMetrics } from "./metrics.js";
import { GroupCommit } from "./send/group-commit.js";
import { withBudgets } from "./send/send.js";
import { laneRoutes } from "./routes/lanes.js";
import { messageRoutes } from "./routes/messages.js";
import { optOutRoutes } from "./routes/opt-outs.js";
import { keywordRepliesRoutes } from "./routes/keyword-replies.js";
import { settingsRoutes } from "./routes/settings.js";
import { twilioMessagingRoutes } from "./routes/twilio.js";
import { MessageSchema } from "./view.js";
import { WhatsAppOptInSchema, whatsappContactRoutes } from "./routes/whatsapp-contacts.js";
import { WhatsAppSenderSchema, whatsappRoutes } from "./routes/whatsapp-senders.js";
import { WhatsAppTemplateSchema, whatsappTemplateRoutes } from "./routes/whatsapp-templates.js";
import { registerTemplateJobs } from "./whatsapp/templates.js";

export const SWEEP_JOB = "messaging.sweep";
export const RETENTION_JOB = "messaging.retention";
export const PARTITIONS_JOB = "messaging.partitions";

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "messaging.reconcile": ReconcilePayload;
    "messaging.sweep": Record<string, never>;
    "messaging.retention": Record<string, never>;
    "messaging.partitions": Record<string, never>;
    "messaging.lookup": LookupPayload;
  }
}

export interface MessagingOptions extends DispatcherOptions {
  /** A pending attempt older than this has lost its worker (well above sendTimeoutMs). */
  orphanAfterMs: number;
  /** Ask Twilio for the status of a message whose callbacks stopped this long ago. */
  staleStatusAfterMs: number;
  sweepEveryMs: number;
  retentionEveryMs: number;
  partitionsEveryMs: number;
}

export function defaultOptions(): MessagingOptions {
  return {
    tickMs: 25,
    acquireEveryMs: 500,
    leaseMs: 15_000,
    maxLanesPerTick: 200,
    maxInflight: 256,
    maxInflightPerLane: 64,
    sendTimeoutMs: 10_000,
    policy: {
      maxAttempts: 8,
      backoff: { ...DEFAULT_BACKOFF, baseMs: 1_000, capMs: 5 * 60_000 },
      reconcileDelayMs: 30_000,
      absentAfterMs: 120_000,
      secondSearchAfterMs: 30_000,
      rateLimitPauseMs: 1_000,
      random: Math.random,
    },
    orphanAfterMs: 20_000,
    staleStatusAfterMs: 10 * 60_000,
    sweepEveryMs: 10_000,
    retentionEveryMs: 24 * 3_600_000,
    partitionsEveryMs: 6 * 3_600_000,
  };
}

export interface Messaging {
  options: MessagingOptions;
  committer: GroupCommit<Submission, Outcome>;
  /** Status callbacks that arrive together are applied in one transaction. */
  statusIntake: GroupCommit<StatusReport, StatusIntake>;
  dispatcher: Dispatcher;
  /** Worker processes: the dispatcher loop and the recurring jobs. */
  start(): Promise<void>;
  /** The sweep and retention jobs exist (idempotent). */
  ensureRecurringJobs(): Promise<void>;
  stop(): Promise<void>;
  /** Time jumped (sandbox clock): promote scheduled messages and claim what became due now. */
  wake(): void;
}

const instances = new WeakMap<Services, Messaging>();

export function messagingOf(services: Services): Messaging {
  let m = instances.get(services);
  if (!m) {
    m = create(services);
    instances.set(services, m);
  }
  return m;
}

function create(services: Services): Messaging {
  const options = defaultOptions();
  const dispatcher = new Dispatcher(services, options);
  const metrics = messagingMetrics(services.metrics);
  const committer = new GroupCommit<Submission, Outcome>(
    async (subs) => {
      const ready = await withBudgets(services, subs);
      const outcomes = await services.db.tx((tx) => acceptMany(tx, ready));
      dispatcher.wake();
      metrics.groupSize.observe(subs.length);
      metrics.accepted.inc({ path: "single" }, outcomes.filter((o) => o.ok && !o.replayed).length);
      return outcomes;
    },
    { maxBatch: 500, windowMs: 1, concurrency: services.db.engine === "pglite" ? 1 : 4 },
  );
  const statusIntake = new GroupCommit<StatusReport, StatusIntake>(
    (reports) => applyGroup(services, reports),
    {
      maxBatch: 200,
      windowMs: 2,
      concurrency: services.db.engine === "pglite" ? 1 : 2,
    },
  );
  return {
    options,
    committer,
    statusIntake,
    dispatcher,
    async ensureRecurringJobs() {
      const now = services.clock.now();
      await enqueue(services.db, SWEEP_JOB, {}, { key: SWEEP_JOB, runAt: now });
      await enqueue(services.db, RETENTION_JOB, {}, { key: RETENTION_JOB, runAt: now });
      await enqueue(services.db, PARTITIONS_JOB, {}, { key: PARTITIONS_JOB, runAt: now });
    },
    async start() {
      await this.ensureRecurringJobs();
      dispatcher.start();
    },
    stop: () => dispatcher.stop(),
    wake: () => dispatcher.wake(),
  };
}

/** Job kinds of the messaging module. */
export function registerMessagingJobs(services: Services): void {
  const m = messagingOf(services);
  const later = (ms: number): Snooze => ({ retryAt: new Date(services.clock.now().getTime() + ms) });
  // Short leases (a round is one Twilio call or a few queries, and safe to run twice): a worker
  // killed mid-round must not leave open attempts waiting out the default 5-minute lease.
  services.jobs.register(RECONCILE_JOB, {
    handler: (job) => reconcileAttempt(services, job.payload, m.options.policy),
    leaseMs: 60_000,
    maxAttempts: 50,
    backoff: { baseMs: 5_000, capMs: 10 * 60_000 },
  });
  // Recurring jobs snooze themselves; a failed round is logged and the next one comes anyway.
  services.jobs.register(SWEEP_JOB, {
    leaseMs: 60_000,
    handler: async () => {
      const now = services.clock.now();
      try {
        await recoverOrphans(services.db, now, m.options.orphanAfterMs);
        await recomputeLaneHints(services.db);
        await refreshStaleStatuses(services, now, m.options.staleStatusAfterMs);
      } catch (err) {
        services.log.error({ event: "messaging.sweep_failed", err }, "messaging sweep failed");
      }
      return later(m.options.sweepEveryMs);
    },
  });
  services.jobs.register(RETENTION_JOB, async () => {
    try {
      const redacted = await redactExpiredBodies(services.db, services.clock.now());
      if (redacted > 0)
        services.log.info({ event: "messaging.bodies_redacted", count: redacted }, "message bodies redacted");
    } catch (err) {
      services.log.error({ event: "messaging.retention_failed", err }, "retention failed");
    }
    return later(m.options.retentionEveryMs);
  });
  // Months ahead, rows out of the default partitions, and the operator's maximum age.
  services.jobs.register(PARTITIONS_JOB, async () => {
    try {
      const report = await maintainPartitions(
        services.db,
        services.clock.now(),
        services.config.messageRetentionMonths,
      );
      if (report.created.length > 0 || report.dropped.length > 0)
        services.log.info({ event: "messaging.partitions", ...report }, "partitions maintained");
    } catch (err) {
      services.log.error({ event: "messaging.partitions_failed", err }, "partition maintenance failed");
    }
    return later(m.options.partitionsEveryMs);
  });
  services.jobs.register(LOOKUP_JOB, {
    handler: (job) => lookUpCarrier(services, job.payload),
    maxAttempts: 5,
  });
}

/** Sending, lanes, opt-outs, Twilio's status callbacks and inbound messages. */
export const messagingModule: Module = {
  name: "messaging",
  routes: (services) => [
    messageRoutes(services),
    optOutRoutes(services),
    settingsRoutes(services),
    keywordRepliesRoutes(services),
    laneRoutes(services),
    twilioMessagingRoutes(services),
    whatsappRoutes(services),
    whatsappTemplateRoutes(services),
    whatsappContactRoutes(services),
  ],
  schemas: [MessageSchema, WhatsAppSenderSchema, WhatsAppTemplateSchema, WhatsAppOptInSchema],
  jobs: (services) => {
    registerMessagingJobs(services);
    registerTemplateJobs(services);
  },
  // The dispatcher: claims due messages per lane and hands them to Twilio.
  loops: (services) => [messagingOf(services)],
};
