-- Usage metering: daily counters per tenant, channel and direction, priced at record time.

-- Sharded counters (see usage/record.ts): sum over shard when reading.
CREATE TABLE usage_daily (
  tenant_id text NOT NULL REFERENCES tenants (id),
  day date NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'mms', 'whatsapp', 'voice', 'verify', 'lookup')),
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  shard smallint NOT NULL DEFAULT 0,
  messages bigint NOT NULL DEFAULT 0,
  segments bigint NOT NULL DEFAULT 0,
  minutes numeric NOT NULL DEFAULT 0,
  -- USD, what Twilio charges us (before any per-tenant markup).
  cost numeric(20, 6) NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day, channel, direction, shard)
);
CREATE INDEX usage_daily_by_day ON usage_daily (day);

-- Operator overrides of the default list prices (usage/prices.ts); absent row = default.
CREATE TABLE usage_prices (
  channel text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  unit_price numeric(12, 6) NOT NULL CHECK (unit_price >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, direction)
);

-- Pass-through billing settings per tenant (statements add the markup).
CREATE TABLE tenant_billing (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  markup_percent numeric(7, 3) NOT NULL DEFAULT 0 CHECK (markup_percent >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
