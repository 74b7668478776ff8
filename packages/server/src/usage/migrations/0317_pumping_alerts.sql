-- SMS pumping alerts (usage/alerts/rules.ts): a rule of kind pumping_suspected compares a
-- tenant's outbound traffic per destination prefix over its recent window (window_minutes)
-- with the baseline window just before it (baseline_minutes). threshold is the spike ratio and
-- min_messages the least recent traffic a prefix needs; high-risk prefixes use their own pair.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check
  CHECK (kind IN ('delivery_rate_below', 'error_code_spike', 'daily_cap_usage', 'spend_above', 'messages_above',
    'pumping_suspected'));
ALTER TABLE alert_rules ADD COLUMN baseline_minutes integer CHECK (baseline_minutes BETWEEN 60 AND 43200);
ALTER TABLE alert_rules ADD COLUMN high_risk_threshold numeric(12, 3) CHECK (high_risk_threshold >= 1);
ALTER TABLE alert_rules ADD COLUMN high_risk_min_messages integer CHECK (high_risk_min_messages >= 1);
ALTER TABLE alert_rules ADD COLUMN prefix_digits integer CHECK (prefix_digits BETWEEN 2 AND 8);
