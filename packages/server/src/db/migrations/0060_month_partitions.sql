-- Month partitions for the big, time-ordered tables (messages and their attempts and timelines,
-- events). They are partitioned by RANGE on the ULID id (or on the message id they belong to):
-- a ULID's first 10 characters after the prefix encode its creation time in milliseconds
-- (Crockford base32, fixed width), so the ids of one month are exactly the strings between
-- `prefix || ulid_time(month start)` and `prefix || ulid_time(next month start)`. The primary
-- key stays the id, and every lookup by id prunes to one partition (see docs/deploy.md).
-- These functions are used by the migrations and by the maintenance job (db/partitions.ts).

-- The 10-character ULID time of an instant.
CREATE FUNCTION subtext_ulid_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
           ((floor(extract(epoch FROM t) * 1000)::bigint >> (5 * (9 - i))) & 31)::int + 1, 1), '' ORDER BY i)
  FROM generate_series(0, 9) AS i
$$;

-- The first day (UTC) of the month an id `prefix_ULID` was made in; NULL when it is not one.
CREATE FUNCTION subtext_id_month(id text) RETURNS date LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN id ~ '^[a-z][a-z0-9]{1,7}_[0-9A-HJKMNP-TV-Z]{26}$' THEN
    date_trunc('month', to_timestamp((
      SELECT sum((strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(split_part(id, '_', 2), i + 1, 1)) - 1)::numeric
                 * (32::numeric ^ (9 - i)))
      FROM generate_series(0, 9) AS i) / 1000) AT TIME ZONE 'UTC')::date
  END
$$;

-- Creates `<parent>_pYYYYMM` for the month of `month` unless it exists, first taking the rows
-- of that range out of `<parent>_default` (PostgreSQL refuses a new partition whose rows sit in
-- the default one) and putting them back through the parent. True when it created one.
CREATE FUNCTION subtext_month_partition(parent text, key text, prefix text, month date)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  lo text := prefix || subtext_ulid_time(first::timestamp AT TIME ZONE 'UTC');
  hi text := prefix || subtext_ulid_time((first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  part text := parent || '_p' || to_char(first, 'YYYYMM');
  def text := parent || '_default';
  moved bigint := 0;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN false; END IF;
  IF to_regclass(def) IS NOT NULL THEN
    EXECUTE format('CREATE TEMP TABLE subtext_moving (LIKE %I) ON COMMIT DROP', parent);
    EXECUTE format('WITH d AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *)
                    INSERT INTO subtext_moving SELECT * FROM d', def, key, lo, key, hi);
    GET DIAGNOSTICS moved = ROW_COUNT;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, lo, hi);
  IF to_regclass(def) IS NOT NULL THEN
    IF moved > 0 THEN
      EXECUTE format('INSERT INTO %I SELECT * FROM subtext_moving', parent);
    END IF;
    DROP TABLE subtext_moving;
  END IF;
  RETURN true;
END
$$;
