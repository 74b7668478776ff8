-- The price table is cached by every process (system/changes.ts).
CREATE TRIGGER usage_prices_announce AFTER INSERT OR UPDATE OR DELETE ON usage_prices
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('prices', 'channel');
