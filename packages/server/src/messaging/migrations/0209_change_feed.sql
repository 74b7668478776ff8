-- Messaging settings are cached by every process (system/changes.ts).
CREATE TRIGGER messaging_settings_announce AFTER INSERT OR UPDATE OR DELETE ON messaging_settings
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('messaging-settings', 'tenant_id');
