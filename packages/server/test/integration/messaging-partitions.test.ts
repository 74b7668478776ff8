/**
 * Messages, attempts, timelines and events are partitioned by month (on their ULID ids): rows
 * land in their month, are found by id, SID and idempotency key across months, the unique
 * guarantees hold across partitions, the maintenance job creates months ahead and empties the
 * default partitions, retention drops whole months, and a database from before partitioning
 * keeps its messages and their behaviour.
 */
import { randomBytes } from "node:crypto";
import { twilioSignature } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/db.js";
import { isUniqueViolation } from "../../src/db/db.js";
import { newId } from "../../src/db/ids.js";
import { migrate } from "../../src/db/migrate.js";
import { enqueue } from "../../src/jobs/queue.js";
import { PARTITIONS_JOB } from "../../src/messaging/module.js";
import { findByTwilioSid } from "../../src/messaging/store/messages.js";
import { driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

const DAY = 24 * 3_600_000;

/** `messages_p202612` for the month of `d` (UTC). */
const monthOf = (parent: string, d: Date) =>
  `${parent}_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;

async function partitionOf(db: Db, table: string, key: string, value: string): Promise<string[]> {
  const { rows } = await db.query<{ p: string }>(
    `SELECT DISTINCT tableoid::regclass::text AS p FROM ${table} WHERE ${key} = $1`,
    [value],
  );
  return rows.map((r) => r.p);
}

async function partitions(db: Db, parent: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass($1) ORDER BY 1`,
    [parent],
  );
  return rows.map((r) => r.name);
}

/** The start of the next month (UTC) plus a day, from the clock's now. */
function nextMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 2, 12));
}

interface Tenant {
  key: string;
  tenant: any;
  authToken: string;
}

async function tenantOf(stack: Stack): Promise<Tenant> {
  const ready = await readyToSend(stack);
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const authToken = accounts.find((a: any) => a.sid === ready.tenant.subaccount_sid).auth_token;
  // Callbacks are posted by the tests (by SID, without our marker), never by the emulator.
  await stack.emulator.control("POST", "faults", {
    kind: "drop_callbacks",
    path: "/twilio/messages/status/",
  });
  return { key: ready.key, tenant: ready.tenant, authToken };
}

let n = 0;
const recipient = () => `+1415630${String(1000 + n++).padStart(4, "0")}`;

function helpers(stack: Stack, t: Tenant) {
  const message = async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: t.key })).body;
  const send = (to: string, body: string, idempotencyKey?: string) =>
    stack.api("POST", "/v1/messages", {
      token: t.key,
      headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
      body: { to, body },
    });
  const dispatched = (id: string) =>
    driveUntil(stack, "handed to Twilio", async () => {
      const m = await message(id);
      return m.twilio_sid && m;
    });
  /** A status callback naming the message by SID only, signed as Twilio signs it. */
  const statusBySid = async (m: any, status: string) => {
    const url = `${stack.url}/twilio/messages/status/${t.tenant.id}`;
    const params = {
      AccountSid: t.tenant.subaccount_sid,
      ApiVersion: "2010-04-01",
      MessageSid: m.twilio_sid,
      SmsSid: m.twilio_sid,
      MessageStatus: status,
      SmsStatus: status,
      To: m.to,
    };
    return fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(t.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  };
  /** The recurring job, due now (the workers of these stacks are driven by hand). */
  const runMaintenance = async () => {
    await enqueue(
      stack.db,
      PARTITIONS_JOB,
      {},
      { key: PARTITIONS_JOB, runAt: stack.clock.now(), onConflict: "replace" },
    );
    await stack.jobs.runDue();
  };
  return { message, send, dispatched, statusBySid, runMaintenance };
}

describe("messages across months", () => {
  let stack: Stack;
  let t: Tenant;
  let h: ReturnType<typeof helpers>;
  beforeAll(async () => {
    stack = await startStack({ workers: "manual" });
    t = await tenantOf(stack);
    h = helpers(stack, t);
  }, 120_000);
  afterAll(() => stack?.close());

  it("puts each month's messages, attempts and timelines in that month's partition, all found by id, SID and key", async () => {
    const sent: { id: string; key: string; to: string; at: Date; m: any }[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) {
        stack.clock.set(nextMonth(stack.clock.now()));
        await h.runMaintenance();
      }
      const to = recipient();
      const key = `month-${i}-${randomBytes(4).toString("hex")}`;
      const res = await h.send(to, `month ${i}`, key);
      expect(res.status).toBe(202);
      const m = await h.dispatched(res.body.id);
      sent.push({ id: m.id, key, to, at: stack.clock.now(), m });
    }
    const months = sent.map((s) => monthOf("messages", s.at));
    expect(new Set(months).size).toBe(3);
    for (const s of sent) {
      expect(await partitionOf(stack.db, "messages", "id", s.id)).toEqual([monthOf("messages", s.at)]);
      expect(await partitionOf(stack.db, "message_attempts", "message_id", s.id)).toEqual([
        monthOf("message_attempts", s.at),
      ]);
      expect(await partitionOf(stack.db, "message_events", "message_id", s.id)).toEqual([
        monthOf("message_events", s.at),
      ]);
    }
    // Months later, each is found by id, by its SID (a callback naming only the SID moves it),
    // and its idempotency key answers as the first request did.
    for (const s of sent) {
      expect((await h.message(s.id)).body).toBe(`month ${sent.indexOf(s)}`);
      expect((await findByTwilioSid(stack.db, t.tenant.id, s.m.twilio_sid))?.id).toBe(s.id);
      expect((await h.statusBySid(s.m, "delivered")).status).toBe(204);
      expect((await h.message(s.id)).status).toBe("delivered");
      const replay = await h.send(s.to, `month ${sent.indexOf(s)}`, s.key);
      expect(replay.status).toBe(202);
      expect(replay.body.id).toBe(s.id);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      const conflict = await h.send(s.to, "another body", s.key);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe("idempotency_conflict");
    }
    const listed = await stack.api("GET", "/v1/messages?limit=100", { token: t.key });
    const ids = listed.body.data.map((m: any) => m.id);
    // Newest first across partitions.
    expect(ids.filter((id: string) => sent.some((s) => s.id === id))).toEqual(
      sent.map((s) => s.id).reverse(),
    );
  });

  it("refuses one Twilio SID on two messages, in the same month or in two", async () => {
    const first = await h.dispatched((await h.send(recipient(), "first")).body.id);
    stack.clock.set(nextMonth(stack.clock.now()));
    await h.runMaintenance();
    const later = await h.dispatched((await h.send(recipient(), "later")).body.id);
    expect(monthOf("messages", new Date(first.created_at))).not.toBe(
      monthOf("messages", new Date(later.created_at)),
    );
    const queued = (await h.send(recipient(), "queued")).body;
    for (const target of [later.id, queued.id]) {
      const err = await stack.db
        .query("UPDATE messages SET twilio_sid = $1 WHERE id = $2", [first.twilio_sid, target])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isUniqueViolation(err)).toBe(true);
    }
    // An inbound webhook carrying a SID we already hold stores nothing (Twilio's retries).
    const url = `${stack.url}/twilio/messages/inbound/${t.tenant.id}`;
    const params = {
      AccountSid: t.tenant.subaccount_sid,
      MessageSid: later.twilio_sid,
      From: recipient(),
      To: later.from ?? later.to,
      Body: "same sid",
      NumMedia: "0",
    };
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(t.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    const { rows } = await stack.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE twilio_sid = $1",
      [later.twilio_sid],
    );
    expect(rows[0].n).toBe(1);
  });

  it("creates the months ahead, and gives rows that fell into the default partition their month", async () => {
    // Far ahead of every month that exists: the message lands in the default partition (the
    // maintenance job held back until asked).
    stack.clock.set(new Date(stack.clock.now().getTime() + 200 * DAY));
    const far = stack.clock.now();
    await enqueue(
      stack.db,
      PARTITIONS_JOB,
      {},
      { key: PARTITIONS_JOB, runAt: new Date(far.getTime() + 365 * DAY), onConflict: "replace" },
    );
    const key = `far-${randomBytes(4).toString("hex")}`;
    const to = recipient();
    const res = await h.send(to, "far ahead", key);
    expect(res.status).toBe(202);
    const m = await h.dispatched(res.body.id);
    expect(await partitionOf(stack.db, "messages", "id", m.id)).toEqual(["messages_default"]);
    expect(await partitionOf(stack.db, "message_attempts", "message_id", m.id)).toEqual([
      "message_attempts_default",
    ]);

    await h.runMaintenance();
    for (const parent of ["messages", "message_attempts", "message_events", "events"]) {
      const names = await partitions(stack.db, parent);
      for (let i = 0; i <= 3; i++) {
        expect(names).toContain(
          monthOf(parent, new Date(Date.UTC(far.getUTCFullYear(), far.getUTCMonth() + i, 1))),
        );
      }
    }
    expect(await partitionOf(stack.db, "messages", "id", m.id)).toEqual([monthOf("messages", far)]);
    expect(await partitionOf(stack.db, "message_attempts", "message_id", m.id)).toEqual([
      monthOf("message_attempts", far),
    ]);
    const { rows } = await stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages_default");
    expect(rows[0].n).toBe(0);
    // Still itself: by id, by SID, by key.
    expect((await findByTwilioSid(stack.db, t.tenant.id, m.twilio_sid))?.id).toBe(m.id);
    expect((await h.statusBySid(m, "delivered")).status).toBe(204);
    expect((await h.message(m.id)).status).toBe("delivered");
    expect((await h.send(to, "far ahead", key)).body.id).toBe(m.id);
  });
});

describe("retention by month", () => {
  let stack: Stack;
  let t: Tenant;
  let h: ReturnType<typeof helpers>;
  beforeAll(async () => {
    stack = await startStack({ workers: "manual", env: { SUBTEXT_MESSAGE_RETENTION_MONTHS: "2" } });
    t = await tenantOf(stack);
    h = helpers(stack, t);
  }, 120_000);
  afterAll(() => stack?.close());

  it("drops whole months older than SUBTEXT_MESSAGE_RETENTION_MONTHS and keeps the newer ones", async () => {
    const oldAt = stack.clock.now();
    const to = recipient();
    const key = `old-${randomBytes(4).toString("hex")}`;
    const old = await h.dispatched((await h.send(to, "old", key)).body.id);
    const oldEvents = monthOf("events", new Date());

    // Two months on: still kept (the current month and the two before it).
    stack.clock.set(new Date(Date.UTC(oldAt.getUTCFullYear(), oldAt.getUTCMonth() + 2, 15)));
    await h.runMaintenance();
    expect((await h.message(old.id)).id).toBe(old.id);
    const kept = await h.dispatched((await h.send(recipient(), "kept")).body.id);

    // Three months on: the old month goes, whole, with its attempts, timelines, key and SID.
    stack.clock.set(new Date(Date.UTC(oldAt.getUTCFullYear(), oldAt.getUTCMonth() + 3, 1, 1)));
    await h.runMaintenance();
    for (const parent of ["messages", "message_attempts", "message_events"]) {
      expect(await partitions(stack.db, parent)).not.toContain(monthOf(parent, oldAt));
    }
    expect(await partitions(stack.db, "events")).not.toContain(oldEvents);
    expect((await stack.api("GET", `/v1/messages/${old.id}`, { token: t.key })).status).toBe(404);
    expect(await findByTwilioSid(stack.db, t.tenant.id, old.twilio_sid)).toBeNull();
    const keys = await stack.db.query("SELECT 1 FROM message_idempotency_keys WHERE message_id = $1", [
      old.id,
    ]);
    expect(keys.rows).toHaveLength(0);
    // The key expired with its message: it now makes a new one.
    const reused = await h.send(to, "old", key);
    expect(reused.status).toBe(202);
    expect(reused.body.id).not.toBe(old.id);

    // The newer month is untouched.
    expect((await h.message(kept.id)).body).toBe("kept");
    expect(await partitions(stack.db, "messages")).toContain(monthOf("messages", new Date(kept.created_at)));
    expect((await findByTwilioSid(stack.db, t.tenant.id, kept.twilio_sid))?.id).toBe(kept.id);
  });
});

describe("a database from before partitioning", () => {
  let stack: Stack;
  let t: Tenant;
  let h: ReturnType<typeof helpers>;
  beforeAll(async () => {
    stack = await startStack({ workers: "manual" });
    t = await tenantOf(stack);
    h = helpers(stack, t);
  }, 120_000);
  afterAll(() => stack?.close());

  it("keeps its messages, attempts, timelines and events, and all their behaviour, after the migration", async () => {
    const to = recipient();
    const key = `legacy-${randomBytes(4).toString("hex")}`;
    const keyed = await h.dispatched((await h.send(to, "from before", key)).body.id);
    const inboundSid = `SM${randomBytes(16).toString("hex")}`;
    const before = {
      message: await h.message(keyed.id),
      events: (await stack.api("GET", "/v1/events?limit=100", { token: t.key })).body.data,
    };
    const counts = async () =>
      (
        await stack.db.query<{ m: number; a: number; e: number; ev: number }>(
          `SELECT (SELECT count(*)::int FROM messages) AS m, (SELECT count(*)::int FROM message_attempts) AS a,
             (SELECT count(*)::int FROM message_events) AS e, (SELECT count(*)::int FROM events) AS ev`,
        )
      ).rows[0];
    await stack.db.query(
      `INSERT INTO messages (id, tenant_id, direction, channel, status, to_number, from_number, body, segments,
         encoding, twilio_sid, not_before, created_at, updated_at)
       VALUES ($1, $2, 'inbound', 'sms', 'received', $3, $4, 'hi', 1, 'GSM-7', $5, now(), now(), now())`,
      [newId("msg", new Date(keyed.created_at)), t.tenant.id, keyed.from ?? "+14155550100", to, inboundSid],
    );
    const counted = await counts();

    await downgradeToUnpartitioned(stack.db);
    expect(await partitions(stack.db, "messages")).toEqual([]);
    const report = await migrate(stack.db);
    expect(report.applied).toEqual([
      "0060_month_partitions",
      "0205_messages_by_month",
      "0214_validity_period",
      "0302_events_by_month",
    ]);

    expect(await counts()).toEqual(counted);
    expect(await partitionOf(stack.db, "messages", "id", keyed.id)).toEqual([
      monthOf("messages", new Date(keyed.created_at)),
    ]);
    expect(await h.message(keyed.id)).toEqual(before.message);
    const events = (await stack.api("GET", "/v1/events?limit=100", { token: t.key })).body.data;
    expect(events).toEqual(before.events);
    const listed = await stack.api("GET", `/v1/messages?to=${encodeURIComponent(to)}`, { token: t.key });
    expect(listed.body.data.map((m: any) => m.id)).toEqual([keyed.id]);
    // The key, the SIDs (outbound and inbound) and the queue work as before.
    const replay = await h.send(to, "from before", key);
    expect(replay.body.id).toBe(keyed.id);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await h.statusBySid(keyed, "delivered")).status).toBe(204);
    expect((await h.message(keyed.id)).status).toBe("delivered");
    const dup = await stack.db
      .query("UPDATE messages SET twilio_sid = $1 WHERE id = $2", [inboundSid, keyed.id])
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(dup)).toBe(true);
    const fresh = await h.dispatched((await h.send(recipient(), "after")).body.id);
    expect(fresh.status).toBe("sending");
    await driveUntil(stack, "delivered", async () => {
      await h.statusBySid(fresh, "delivered");
      return (await h.message(fresh.id)).status === "delivered";
    });
  });
});

/**
 * The messaging and events tables as they were before 0060/0205/0302 (0200, 0203, 0204, 0300,
 * 0301), holding the same rows, with those migrations (and the later 0214) forgotten.
 */
async function downgradeToUnpartitioned(db: Db): Promise<void> {
  await db.tx(async (tx) => {
    await tx.exec(`
      CREATE TABLE hold_messages AS SELECT * FROM messages;
      CREATE TABLE hold_attempts AS SELECT * FROM message_attempts;
      CREATE TABLE hold_timeline AS SELECT * FROM message_events;
      CREATE TABLE hold_events AS SELECT * FROM events;
      DROP TABLE message_events, message_attempts, messages, events, message_sids, message_idempotency_keys;
      DROP FUNCTION subtext_claim_message_sid(), subtext_month_partition(text, text, text, date),
        subtext_id_month(text), subtext_ulid_time(timestamptz);
      DELETE FROM schema_migrations
        WHERE name IN ('0060_month_partitions', '0205_messages_by_month', '0214_validity_period',
          '0302_events_by_month');
      -- Later columns of messages, added again by their migrations.
      ALTER TABLE hold_messages DROP COLUMN validity_period;

      CREATE TABLE messages (
        id text PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants (id),
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')), channel text NOT NULL,
        status text NOT NULL CHECK (status IN
          ('scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'received')),
        lane_id text REFERENCES lanes (id), to_number text NOT NULL, from_number text, messaging_service_sid text,
        body text, media_urls jsonb NOT NULL DEFAULT '[]'::jsonb, content_sid text, content_variables jsonb,
        segments integer NOT NULL, encoding text NOT NULL, smart_encoded boolean NOT NULL DEFAULT false,
        segments_saved integer NOT NULL DEFAULT 0, price_estimate numeric(14, 6), metadata jsonb,
        idempotency_key text, request_hash text, send_at timestamptz, not_before timestamptz NOT NULL,
        held_reason text, attempts integer NOT NULL DEFAULT 0, twilio_sid text UNIQUE, twilio_status text,
        error_code integer, error_message text, usage_recorded boolean NOT NULL DEFAULT false,
        status_checked_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
        sent_at timestamptz, completed_at timestamptz, body_redacted_at timestamptz
      );
      CREATE UNIQUE INDEX messages_idempotency ON messages (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX messages_by_tenant ON messages (tenant_id, id);
      CREATE INDEX messages_queued ON messages (lane_id, id) WHERE status = 'queued';
      CREATE INDEX messages_queued_due ON messages (lane_id, not_before) WHERE status = 'queued';
      CREATE INDEX messages_scheduled ON messages (not_before) WHERE status = 'scheduled';
      CREATE INDEX messages_open ON messages (updated_at) WHERE status IN ('sending', 'sent');
      CREATE INDEX messages_to ON messages (tenant_id, to_number, id);
      CREATE INDEX messages_retention ON messages (tenant_id, created_at) WHERE body_redacted_at IS NULL;
      CREATE TABLE message_attempts (
        id text PRIMARY KEY, message_id text NOT NULL REFERENCES messages (id), tenant_id text NOT NULL,
        n integer NOT NULL, worker_id text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('pending', 'accepted', 'retry', 'ambiguous', 'failed', 'found', 'absent')),
        started_at timestamptz NOT NULL, finished_at timestamptz, http_status integer, error_code integer,
        error_message text, twilio_sid text, UNIQUE (message_id, n)
      );
      CREATE INDEX message_attempts_pending ON message_attempts (started_at) WHERE outcome IN ('pending', 'ambiguous');
      CREATE INDEX message_attempts_by_message ON message_attempts (message_id);
      ALTER TABLE message_attempts ADD COLUMN tmobile boolean NOT NULL DEFAULT false;
      CREATE TABLE message_events (
        id text PRIMARY KEY, message_id text NOT NULL REFERENCES messages (id),
        kind text NOT NULL CHECK (kind IN ('status', 'attempt', 'note')), name text NOT NULL,
        at timestamptz NOT NULL, data jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE UNIQUE INDEX message_events_status_once ON message_events (message_id, name) WHERE kind = 'status';
      CREATE INDEX message_events_by_message ON message_events (message_id, at, id);
      CREATE TABLE events (
        id text PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants (id), type text NOT NULL,
        ordering_key text, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX events_by_tenant ON events (tenant_id, id DESC);
      CREATE INDEX events_by_tenant_type ON events (tenant_id, type, id DESC);
      CREATE INDEX events_by_message ON events ((data #>> '{message,id}')) WHERE data ? 'message';

      INSERT INTO messages SELECT * FROM hold_messages;
      INSERT INTO message_attempts SELECT * FROM hold_attempts;
      INSERT INTO message_events SELECT * FROM hold_timeline;
      INSERT INTO events SELECT * FROM hold_events;
      ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_id_fkey
        FOREIGN KEY (event_id) REFERENCES events (id);
      DROP TABLE hold_messages, hold_attempts, hold_timeline, hold_events;
    `);
  });
}
