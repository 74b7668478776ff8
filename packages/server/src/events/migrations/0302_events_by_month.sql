-- Events partitioned by month, RANGE on their ULID id, like messages (0205_messages_by_month.sql
-- says why the id and not created_at). Lookups by id prune to one partition; lists by tenant,
-- newest first, read the newest partition first. Deliveries stay one table: they are found by
-- their own id, by endpoint and by ordering key, and retention removes the deliveries of the
-- events it drops (by event id range, on webhook_deliveries_by_event) before dropping them,
-- so the foreign key from deliveries to events goes (a key referencing a partitioned table
-- makes every partition drop check all referencing rows under an exclusive lock).

ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_fkey;
ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;
DROP INDEX events_by_tenant, events_by_tenant_type, events_by_message;

CREATE TABLE events (
  id text COLLATE "C" NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id),
  type text NOT NULL,
  -- Deliveries sharing a key go out in order per endpoint (e.g. the message id).
  ordering_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (id);
CREATE TABLE events_default PARTITION OF events DEFAULT;

DO $$
DECLARE
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  m date;
BEGIN
  SELECT LEAST(this_month, COALESCE(min(subtext_id_month(id)), this_month)) INTO m
  FROM (SELECT id FROM events_unpartitioned WHERE id ~ '^evt_[0-9A-HJKMNP-TV-Z]{26}$'
        ORDER BY id COLLATE "C" LIMIT 1) oldest;
  WHILE m <= this_month + interval '3 months' LOOP
    PERFORM subtext_month_partition('events', 'id', 'evt_', m);
    m := m + interval '1 month';
  END LOOP;
END
$$;

INSERT INTO events SELECT * FROM events_unpartitioned;
DROP TABLE events_unpartitioned;

ALTER TABLE events ADD PRIMARY KEY (id);
CREATE INDEX events_by_tenant ON events (tenant_id, id DESC);
CREATE INDEX events_by_tenant_type ON events (tenant_id, type, id DESC);
-- Retention redacts a message's body in the events that carry it.
CREATE INDEX events_by_message ON events ((data #>> '{message,id}')) WHERE data ? 'message';
