-- The change feed (system/changes.ts): a row changed in a table that processes cache announces
-- itself to every process, at commit, on the channel `subtext_changes_<schema>`, as
-- `<change>:<key>` (the change's name and the value of the column that keys it).
CREATE FUNCTION subtext_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM pg_notify('subtext_changes_' || current_schema(), TG_ARGV[0] || ':' || coalesce(r ->> TG_ARGV[1], ''));
  RETURN NULL;
END $$;

CREATE TRIGGER tenants_announce AFTER INSERT OR UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('tenant', 'id');
-- last_used_at is bookkeeping: a key's use must not make every process forget its owner.
CREATE TRIGGER api_keys_announce AFTER INSERT OR DELETE OR UPDATE OF revoked_at, tenant_id, hash ON api_keys
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('api-key', 'id');
