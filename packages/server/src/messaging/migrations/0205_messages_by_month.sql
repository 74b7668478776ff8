-- Messages, their attempts and their timelines, partitioned by month (RANGE on the message id;
-- db/migrations/0060_month_partitions.sql explains the bounds, docs/deploy.md the choice).
--
-- Why the id and not created_at: partitioning on created_at would make the primary key
-- (id, created_at), so `WHERE id = $1` (every API read, every callback, every claim) would
-- visit every partition and nothing could reference a message by id alone. A ULID id carries
-- its creation time, so ranges of ids ARE ranges of time: the key stays `id`, lookups by id
-- prune to one partition, and lists by tenant newest-first read the newest partition first.
-- Attempts and timeline entries are partitioned by their MESSAGE's id, so a message and
-- everything about it share a month and retention drops them together.
--
-- Guarantees that used to be global unique indexes move to small lookup tables that every
-- writer maintains in its own transaction (a unique index on a partitioned table must contain
-- the partition key): one message per (tenant, idempotency key), one message per Twilio SID.
--
-- Runs on existing databases: the old tables are renamed, the new partitioned ones created
-- with a partition for every month from the oldest id to three months ahead (start-up and the
-- maintenance job keep that window), the rows moved, the old tables dropped, and the indexes
-- built, all in the migration's transaction.

ALTER TABLE message_events RENAME TO message_events_unpartitioned;
ALTER TABLE message_attempts RENAME TO message_attempts_unpartitioned;
ALTER TABLE messages RENAME TO messages_unpartitioned;
ALTER INDEX messages_pkey RENAME TO messages_unpartitioned_pkey;
ALTER INDEX message_attempts_pkey RENAME TO message_attempts_unpartitioned_pkey;
ALTER INDEX message_events_pkey RENAME TO message_events_unpartitioned_pkey;
DROP INDEX messages_idempotency, messages_by_tenant, messages_queued, messages_queued_due,
  messages_scheduled, messages_open, messages_to, messages_retention,
  message_attempts_pending, message_attempts_by_message,
  message_events_status_once, message_events_by_message;
ALTER TABLE messages_unpartitioned DROP CONSTRAINT messages_twilio_sid_key;
ALTER TABLE message_attempts_unpartitioned DROP CONSTRAINT message_attempts_message_id_n_key;

-- "C": ids compare byte by byte, the order ULIDs are made in, whatever the database's locale.
CREATE TABLE messages (
  id text COLLATE "C" NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id),
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  channel text NOT NULL,
  status text NOT NULL CHECK (status IN
    ('scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'received')),
  lane_id text REFERENCES lanes (id),
  to_number text NOT NULL,
  from_number text,
  messaging_service_sid text,
  body text,
  media_urls jsonb NOT NULL DEFAULT '[]'::jsonb,
  content_sid text,
  content_variables jsonb,
  segments integer NOT NULL,
  encoding text NOT NULL,
  smart_encoded boolean NOT NULL DEFAULT false,
  segments_saved integer NOT NULL DEFAULT 0,
  price_estimate numeric(14, 6),
  metadata jsonb,
  idempotency_key text,
  request_hash text,
  send_at timestamptz,
  not_before timestamptz NOT NULL,
  held_reason text,
  attempts integer NOT NULL DEFAULT 0,
  twilio_sid text,
  twilio_status text,
  error_code integer,
  error_message text,
  usage_recorded boolean NOT NULL DEFAULT false,
  status_checked_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz,
  completed_at timestamptz,
  body_redacted_at timestamptz
) PARTITION BY RANGE (id);

-- No foreign key to messages: a key referencing a partitioned table makes dropping one of its
-- partitions check every referencing row under an exclusive lock. Attempts are only written for
-- a message read in the same statement, and retention drops the three tables' months together.
CREATE TABLE message_attempts (
  id text NOT NULL,
  message_id text COLLATE "C" NOT NULL,
  tenant_id text NOT NULL,
  n integer NOT NULL,
  worker_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN
    ('pending', 'accepted', 'retry', 'ambiguous', 'failed', 'found', 'absent')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  http_status integer,
  error_code integer,
  error_message text,
  twilio_sid text,
  tmobile boolean NOT NULL DEFAULT false
) PARTITION BY RANGE (message_id);

CREATE TABLE message_events (
  id text NOT NULL,
  message_id text COLLATE "C" NOT NULL,
  kind text NOT NULL CHECK (kind IN ('status', 'attempt', 'note')),
  name text NOT NULL,
  at timestamptz NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
) PARTITION BY RANGE (message_id);

-- Anything outside the months that exist (a clock far off, an id that is not a ULID) lands
-- here; the maintenance job gives its months their own partitions.
CREATE TABLE messages_default PARTITION OF messages DEFAULT;
CREATE TABLE message_attempts_default PARTITION OF message_attempts DEFAULT;
CREATE TABLE message_events_default PARTITION OF message_events DEFAULT;

DO $$
DECLARE
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  m date;
BEGIN
  SELECT LEAST(this_month, COALESCE(min(subtext_id_month(id)), this_month)) INTO m
  FROM (SELECT id FROM messages_unpartitioned WHERE id ~ '^msg_[0-9A-HJKMNP-TV-Z]{26}$'
        ORDER BY id COLLATE "C" LIMIT 1) oldest;
  WHILE m <= this_month + interval '3 months' LOOP
    PERFORM subtext_month_partition('messages', 'id', 'msg_', m);
    PERFORM subtext_month_partition('message_attempts', 'message_id', 'msg_', m);
    PERFORM subtext_month_partition('message_events', 'message_id', 'msg_', m);
    m := m + interval '1 month';
  END LOOP;
END
$$;

INSERT INTO messages SELECT * FROM messages_unpartitioned;
INSERT INTO message_attempts SELECT * FROM message_attempts_unpartitioned;
INSERT INTO message_events SELECT * FROM message_events_unpartitioned;

-- One message per (tenant, idempotency key), for as long as the message is kept (retention
-- removes a month's keys with its messages). insertMessages claims the key and inserts the
-- message in one statement.
CREATE TABLE message_idempotency_keys (
  tenant_id text NOT NULL,
  idempotency_key text NOT NULL,
  message_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);
INSERT INTO message_idempotency_keys (tenant_id, idempotency_key, message_id)
  SELECT tenant_id, idempotency_key, id FROM messages_unpartitioned WHERE idempotency_key IS NOT NULL;
CREATE INDEX message_idempotency_keys_by_message ON message_idempotency_keys (message_id);

-- One message per Twilio SID, and how a SID finds its message without visiting every month.
-- Kept by triggers on messages, so no writer can forget it (the unique index it replaces held
-- for every writer too).
CREATE TABLE message_sids (
  twilio_sid text PRIMARY KEY,
  message_id text COLLATE "C" NOT NULL
);
INSERT INTO message_sids (twilio_sid, message_id)
  SELECT twilio_sid, id FROM messages_unpartitioned WHERE twilio_sid IS NOT NULL;
CREATE INDEX message_sids_by_message ON message_sids (message_id);

DROP TABLE message_events_unpartitioned, message_attempts_unpartitioned, messages_unpartitioned;

ALTER TABLE messages ADD PRIMARY KEY (id);
CREATE INDEX messages_by_tenant ON messages (tenant_id, id);
-- The dispatcher's FIFO per lane: per partition, and only queued rows, so the months of
-- delivered messages cost one probe of an empty index each.
CREATE INDEX messages_queued ON messages (lane_id, id) WHERE status = 'queued';
CREATE INDEX messages_queued_due ON messages (lane_id, not_before) WHERE status = 'queued';
CREATE INDEX messages_scheduled ON messages (not_before) WHERE status = 'scheduled';
-- Messages whose final status has not come back (reconciliation).
CREATE INDEX messages_open ON messages (updated_at) WHERE status IN ('sending', 'sent');
CREATE INDEX messages_to ON messages (tenant_id, to_number, id);
CREATE INDEX messages_retention ON messages (tenant_id, created_at) WHERE body_redacted_at IS NULL;

ALTER TABLE message_attempts ADD PRIMARY KEY (message_id, id);
ALTER TABLE message_attempts ADD CONSTRAINT message_attempts_message_id_n_key UNIQUE (message_id, n);
-- Attempt ids come without their message in a few places (orphan recovery).
CREATE INDEX message_attempts_by_id ON message_attempts (id);
CREATE INDEX message_attempts_pending ON message_attempts (started_at) WHERE outcome IN ('pending', 'ambiguous');

ALTER TABLE message_events ADD PRIMARY KEY (message_id, id);
CREATE UNIQUE INDEX message_events_status_once ON message_events (message_id, name) WHERE kind = 'status';
CREATE INDEX message_events_by_message ON message_events (message_id, at, id);

-- A message's SID, once set, is claimed in message_sids; another message holding it is the
-- unique violation the old index raised. A row put back by the maintenance job (out of the
-- default partition) finds its own claim and passes.
CREATE FUNCTION subtext_claim_message_sid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.twilio_sid IS NOT NULL THEN
    DELETE FROM message_sids WHERE twilio_sid = OLD.twilio_sid AND message_id = OLD.id;
  END IF;
  INSERT INTO message_sids (twilio_sid, message_id) VALUES (NEW.twilio_sid, NEW.id)
    ON CONFLICT (twilio_sid) DO NOTHING;
  IF NOT FOUND AND NOT EXISTS
      (SELECT 1 FROM message_sids WHERE twilio_sid = NEW.twilio_sid AND message_id = NEW.id) THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "message_sids_pkey"'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'message_sids_pkey',
        DETAIL = format('Key (twilio_sid)=(%s) already exists.', NEW.twilio_sid);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_sid_insert AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.twilio_sid IS NOT NULL) EXECUTE FUNCTION subtext_claim_message_sid();
CREATE TRIGGER messages_sid_update AFTER UPDATE OF twilio_sid ON messages
  FOR EACH ROW WHEN (NEW.twilio_sid IS NOT NULL AND NEW.twilio_sid IS DISTINCT FROM OLD.twilio_sid)
  EXECUTE FUNCTION subtext_claim_message_sid();
