-- Budgets: a tenant's hard caps on what it sends through the messages API, per UTC day and
-- calendar month (usage/budget/). NULL: no limit. The counters of the current day and month
-- are reserved in the transaction that accepts the messages, under this row's lock, so two
-- concurrent sends at the limit cannot both pass; they are kept only while a limit is set.
CREATE TABLE tenant_budgets (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  daily_messages bigint CHECK (daily_messages >= 0),
  -- USD at cost, as the messages' price estimates.
  daily_spend numeric(14, 6) CHECK (daily_spend >= 0),
  monthly_messages bigint CHECK (monthly_messages >= 0),
  monthly_spend numeric(14, 6) CHECK (monthly_spend >= 0),
  -- The UTC day and the first day of the UTC month the counters are for.
  day date NOT NULL,
  day_messages bigint NOT NULL DEFAULT 0,
  day_spend numeric(18, 6) NOT NULL DEFAULT 0,
  month date NOT NULL,
  month_messages bigint NOT NULL DEFAULT 0,
  month_spend numeric(18, 6) NOT NULL DEFAULT 0,
  -- The limits reached in the current day / month: usage.budget_reached is sent once for each.
  day_reached text[] NOT NULL DEFAULT '{}',
  month_reached text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The send path caches whether a tenant has a limit (usage/budget/reserve.ts): only a change
-- of a limit is announced, not every reservation.
CREATE TRIGGER tenant_budgets_announce
  AFTER INSERT OR DELETE OR UPDATE OF daily_messages, daily_spend, monthly_messages, monthly_spend ON tenant_budgets
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('budget', 'tenant_id');
