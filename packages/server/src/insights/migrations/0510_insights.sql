-- Insights: hourly rollups of the messages table so the dashboard's charts and the tenants
-- table answer in milliseconds over 30 days and millions of messages (bench/dashboard.ts).
-- Counts are additive: the rollup job adds each window [rolled_until, cutoff) once, and reads
-- add the live tail after rolled_until, so figures are exact and current.

-- Windows of messages by creation time and by completion time (rollup and live tail).
CREATE INDEX messages_created_at ON messages (created_at);
CREATE INDEX messages_completed_at ON messages (completed_at) WHERE completed_at IS NOT NULL;
-- One tenant's messages in a time range (tenants table, per-tenant charts).
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at);

-- Per tenant and hour: outbound messages accepted (by created_at) and outcomes (by completed_at).
CREATE TABLE insights_hourly (
  tenant_id text NOT NULL REFERENCES tenants (id),
  hour timestamptz NOT NULL,
  accepted bigint NOT NULL DEFAULT 0,
  segments bigint NOT NULL DEFAULT 0,
  delivered bigint NOT NULL DEFAULT 0,
  undelivered bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  received bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, hour)
);
CREATE INDEX insights_hourly_by_hour ON insights_hourly (hour);

-- Twilio error codes of undelivered and failed messages, per tenant and hour of completion.
CREATE TABLE insights_hourly_errors (
  tenant_id text NOT NULL REFERENCES tenants (id),
  hour timestamptz NOT NULL,
  error_code integer NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (tenant_id, hour, error_code)
);
CREATE INDEX insights_hourly_errors_by_hour ON insights_hourly_errors (hour);

-- Latency from queued (created_at) to delivered, as a log-scale histogram (insights/latency.ts):
-- histograms add up across hours and tenants, percentiles do not.
CREATE TABLE insights_hourly_latency (
  tenant_id text NOT NULL REFERENCES tenants (id),
  hour timestamptz NOT NULL,
  bucket smallint NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (tenant_id, hour, bucket)
);
CREATE INDEX insights_hourly_latency_by_hour ON insights_hourly_latency (hour);

-- The same per tenant and UTC day (the tenants table: messages today, delivery rate over 7 days).
CREATE TABLE insights_daily (
  tenant_id text NOT NULL REFERENCES tenants (id),
  day timestamptz NOT NULL,
  accepted bigint NOT NULL DEFAULT 0,
  segments bigint NOT NULL DEFAULT 0,
  delivered bigint NOT NULL DEFAULT 0,
  undelivered bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  received bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);
CREATE INDEX insights_daily_by_day ON insights_daily (day);

-- The whole platform per hour: most tenants send a few messages an hour, so per-tenant rows
-- barely compress and platform charts must not sum them.
CREATE TABLE insights_platform_hourly (
  hour timestamptz PRIMARY KEY,
  accepted bigint NOT NULL DEFAULT 0,
  segments bigint NOT NULL DEFAULT 0,
  delivered bigint NOT NULL DEFAULT 0,
  undelivered bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  received bigint NOT NULL DEFAULT 0
);
CREATE TABLE insights_platform_errors (
  hour timestamptz NOT NULL,
  error_code integer NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (hour, error_code)
);
CREATE TABLE insights_platform_latency (
  hour timestamptz NOT NULL,
  bucket smallint NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (hour, bucket)
);

-- Everything before rolled_until is in the tables above (one row).
CREATE TABLE insights_rollup_state (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  rolled_until timestamptz NOT NULL
);
