-- Spend and volume alerts (usage/alerts/rules.ts): a rule of kind spend_above or messages_above
-- measures the current UTC day or calendar month, named by `period`.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check
  CHECK (kind IN ('delivery_rate_below', 'error_code_spike', 'daily_cap_usage', 'spend_above', 'messages_above'));
ALTER TABLE alert_rules ADD COLUMN period text CHECK (period IN ('day', 'month'));
