/**
 * Seeds the dashboard benchmark's volume straight into SQL with generate_series (an API call
 * per row would take hours): tenants with registrations and lanes, messages spread over the
 * last 30 days with a skewed distribution across tenants (a few big senders, a long tail), the
 * brands' daily cap counters and the usage rollups the usage pages read.
 */
import type { Db } from "@subtext/server";

export interface SeedSize {
  tenants: number;
  messages: number;
  /** The instant "now" of the data (the server's clock when timing). */
  now: Date;
}

const DAY_MS = 86_400_000;

export async function seedDashboard(db: Db, size: SeedSize): Promise<void> {
  const { tenants, messages, now } = size;
  const start = new Date(now.getTime() - 30 * DAY_MS);
  await db.exec(
    `INSERT INTO secrets (id, purpose, key_id, ciphertext) VALUES ('sec_bench', 'bench', 'bench', 'bench')`,
  );
  await db.query(
    `INSERT INTO tenants (id, name, environment, status, friendly_name, subaccount_sid,
       subaccount_auth_token_secret_id, twilio_key_sid, twilio_key_secret_id, created_at, updated_at)
     SELECT 'ten_bench' || lpad(g::text, 7, '0'),
       (ARRAY['Acme','Bright','Cedar','Delta','Evergreen','Fjord','Granite','Harbor','Indigo','Juniper'])[1 + g % 10]
         || ' ' || (ARRAY['Bakery','Dental','Fitness','Realty','Motors','Clinic','Salon','Logistics'])[1 + (g / 10) % 8]
         || ' ' || g,
       CASE WHEN g % 13 = 0 THEN 'development' WHEN g % 7 = 0 THEN 'staging' ELSE 'production' END,
       CASE WHEN g % 97 = 0 THEN 'suspended' ELSE 'active' END,
       'bench ' || g, 'AC' || md5('s' || g), 'sec_bench', 'SK' || md5('k' || g), 'sec_bench',
       $2::timestamptz - (($1 - g) || ' minutes')::interval, $2::timestamptz
     FROM generate_series(1, $1) g`,
    [tenants, start],
  );
  // Registration mix: 70% approved, then in review, in progress, failed, awaiting OTP; 1 in 10 has none.
  await db.query(
    `INSERT INTO registrations (id, tenant_id, kind, channel, state, document, failure, brand_submitted_at,
       campaign_submitted_at, review_started_at, approved_at, trust_score, created_at, updated_at)
     SELECT 'reg_bench' || lpad(g::text, 7, '0'), 'ten_bench' || lpad(g::text, 7, '0'), kind,
       CASE WHEN kind = 'toll_free' THEN 'toll_free' ELSE '10dlc' END, state, '{}'::jsonb,
       CASE WHEN state = 'failed' THEN '{"stage":"campaign","reasons":[{"code":"30896","message":"Opt-in description is vague","hint":"Describe where and how users consent"}]}'::jsonb END,
       created + interval '1 minute', CASE WHEN state IN ('approved', 'in_review') THEN created + interval '2 minutes' END,
       created + interval '2 minutes', CASE WHEN state = 'approved' THEN created + interval '4 days' END,
       CASE WHEN kind = 'standard' THEN 50 + g % 50 END, created, created
     FROM (SELECT g, $2::timestamptz - (g % 20 || ' days')::interval AS created,
             (ARRAY['standard','low_volume_standard','sole_proprietor','toll_free'])[1 + g % 4] AS kind,
             CASE WHEN g % 10 < 7 THEN 'approved' WHEN g % 10 = 7 THEN 'in_review'
                  WHEN g % 20 = 8 THEN 'failed' WHEN g % 20 = 18 THEN 'in_progress'
                  WHEN g % 4 = 2 THEN 'awaiting_otp' ELSE 'in_progress' END AS state
           FROM generate_series(1, $1) g WHERE g % 10 <> 9) r`,
    [tenants, now],
  );
  await db.query(
    `INSERT INTO lanes (id, tenant_id, key, kind, rate_kind, brand_id, trust_score, sender, mps, burst,
       daily_cap, tmobile_daily_cap, created_at, updated_at)
     SELECT 'lane_bench' || lpad(g::text, 7, '0'), 'ten_bench' || lpad(g::text, 7, '0'), 'bench',
       CASE WHEN g % 4 = 3 THEN 'toll_free_number' ELSE '10dlc_campaign' END,
       (ARRAY['standard','low_volume_standard','sole_proprietor','toll_free'])[1 + g % 4],
       'BNbench' || g, CASE WHEN g % 4 = 0 THEN 50 + g % 50 END, '+1833' || lpad(g::text, 7, '0'),
       (ARRAY[120, 3.75, 1, 3])[1 + g % 4], 10,
       (ARRAY[NULL, 6000, 3000, NULL])[1 + g % 4], (ARRAY[40000, 2000, 1000, NULL])[1 + g % 4], $2, $2
     FROM generate_series(1, $1) g`,
    [tenants, start],
  );
  // Messages: time grows with g (so ids sort by time, as ULIDs do); the tenant is skewed
  // (cube of a uniform draw) so tenant 1 sends ~10% and most tenants a few hundred.
  await db.query(
    `INSERT INTO messages (id, tenant_id, direction, channel, status, lane_id, to_number, from_number, body,
       segments, encoding, not_before, created_at, updated_at, sent_at, completed_at, error_code, error_message)
     SELECT 'msg_bench' || lpad(g::text, 9, '0'), 'ten_bench' || lpad(t::text, 7, '0'), 'outbound', 'sms', status,
       'lane_bench' || lpad(t::text, 7, '0'), '+1555' || lpad((g % 9999991)::text, 7, '0'),
       '+1833' || lpad(t::text, 7, '0'), 'Your order ' || g || ' is ready for pickup. Reply STOP to opt out.',
       1 + (g % 5 = 0)::int, 'GSM-7', created, created, created,
       CASE WHEN status IN ('sent', 'delivered', 'undelivered') THEN created + interval '400 milliseconds' END,
       CASE WHEN status IN ('delivered', 'undelivered', 'failed')
            THEN created + make_interval(secs => 0.4 + exp(r2 * 3.2)) END,
       CASE status WHEN 'undelivered' THEN (ARRAY[30003, 30005, 30006, 30007])[1 + g % 4]
                   WHEN 'failed' THEN (ARRAY[21610, 30034, 21614])[1 + g % 3] END,
       NULL
     FROM (SELECT g, 1 + floor($1 * power(random(), 3))::int AS t, random() AS r2,
             $3::timestamptz + ((g::float8 / $2) * interval '30 days') AS created,
             CASE WHEN g > $2 - 300 THEN 'queued'
                  WHEN g % 100 < 90 THEN 'delivered' WHEN g % 100 < 94 THEN 'undelivered'
                  WHEN g % 100 < 97 THEN 'failed' WHEN g > $2 - 3000 THEN 'sent' ELSE 'delivered' END AS status
           FROM generate_series(1, $2) g) s`,
    [tenants, messages, start],
  );
  await db.query(
    `INSERT INTO brand_daily_usage (brand_id, day, segments, tmobile_segments)
     SELECT 'BNbench' || ltrim(substr(tenant_id, 10), '0'), (created_at AT TIME ZONE 'America/Los_Angeles')::date,
       sum(segments), sum(segments) / 3
     FROM messages WHERE created_at >= $1 GROUP BY 1, 2`,
    [new Date(now.getTime() - 2 * DAY_MS)],
  );
  await db.exec(
    `INSERT INTO usage_daily (tenant_id, day, channel, direction, messages, segments, cost)
     SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, 'sms', 'outbound', count(*), sum(segments), sum(segments) * 0.0083
     FROM messages GROUP BY 1, 2`,
  );
  await db.exec("ANALYZE");
}
