-- A registration's changes change its tenant's sending profile (system/changes.ts).
CREATE TRIGGER registrations_announce AFTER INSERT OR UPDATE OR DELETE ON registrations
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
