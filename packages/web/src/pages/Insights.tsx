import { useState } from "react";
import { HBars, LineChart, Meter, StackedBars, timeLabel } from "../components/charts";
import { Badge, Card, Empty, ErrorBanner, Loading, PageHeader, Stat } from "../components/ui";
import { get, qs } from "../lib/api";
import { fmtInt, fmtMs, fmtPercent, fmtTime, humanize } from "../lib/format";
import { useAsync, useInterval } from "../lib/hooks";
import { useSession } from "../lib/session";

const RANGES = ["1h", "6h", "24h", "7d", "30d"] as const;
const COLORS = {
  delivered: "#2f9e66",
  undelivered: "#e0a400",
  failed: "#d64545",
  p50: "#2f5bd3",
  p95: "#9b59b6",
  limit: "#888",
};

/** Delivery, errors, latency, throughput, queues and caps — for the selected tenant or the platform. */
export function InsightsPage() {
  const { tenant } = useSession();
  const [range, setRange] = useState<(typeof RANGES)[number]>("24h");
  const data = useAsync(
    (signal) =>
      get(`/v1/insights/overview${qs({ range, tenant_id: tenant?.id })}`, { signal, noTenant: true }),
    [range, tenant?.id],
  );
  const alerts = useAsync(
    (signal) => get(`/v1/alerts${qs({ tenant_id: tenant?.id, limit: 10 })}`, { signal, noTenant: true }),
    [tenant?.id],
  );
  useInterval(data.reload, 15_000);
  const o = data.data;
  const times: string[] = o?.series.map((s: any) => s.t) ?? [];
  const label = timeLabel(o?.bucket_seconds ?? 3600);
  const col = (k: string) => o?.series.map((s: any) => s[k]) ?? [];

  return (
    <>
      <PageHeader
        title="Insights"
        subtitle={tenant ? `${tenant.name}` : "All tenants"}
        actions={
          <fieldset className="segmented">
            <legend className="sr-only">Range</legend>
            {RANGES.map((r) => (
              <button
                key={r}
                type="button"
                aria-pressed={range === r}
                className={range === r ? "active" : ""}
                onClick={() => setRange(r)}
              >
                {r}
              </button>
            ))}
          </fieldset>
        }
      />
      <ErrorBanner error={data.error} />
      {!o && !data.error && <Loading />}
      {o && (
        <>
          <div className="stats">
            <Stat
              label="Accepted"
              value={fmtInt(o.totals.accepted)}
              hint={`${fmtInt(o.totals.segments)} segments`}
            />
            <Stat
              label="Delivery rate"
              value={<span data-testid="delivery-rate">{fmtPercent(o.totals.delivery_rate)}</span>}
              hint={`${fmtInt(o.totals.delivered)} delivered`}
            />
            <Stat label="Undelivered + failed" value={fmtInt(o.totals.undelivered + o.totals.failed)} />
            <Stat label="Latency p50" value={fmtMs(o.totals.latency_p50_ms)} hint="queued → delivered" />
            <Stat label="Latency p95" value={fmtMs(o.totals.latency_p95_ms)} />
            <Stat label="Received" value={fmtInt(o.totals.received)} />
          </div>
          <div className="grid-2">
            <Card>
              <LineChart
                title="Delivery rate"
                times={times}
                labelFormat={label}
                fixedMax={1}
                format={(v) => `${Math.round(v * 100)}%`}
                series={[
                  { name: "Delivered / finished", color: COLORS.delivered, values: col("delivery_rate") },
                ]}
              />
            </Card>
            <Card>
              <StackedBars
                title="Outcomes"
                times={times}
                labelFormat={label}
                series={[
                  { name: "Delivered", color: COLORS.delivered, values: col("delivered") },
                  { name: "Undelivered", color: COLORS.undelivered, values: col("undelivered") },
                  { name: "Failed", color: COLORS.failed, values: col("failed") },
                ]}
              />
            </Card>
            <Card>
              <LineChart
                title="Latency, queued → delivered"
                times={times}
                labelFormat={label}
                format={fmtMs}
                series={[
                  { name: "p50", color: COLORS.p50, values: col("latency_p50_ms") },
                  { name: "p95", color: COLORS.p95, values: col("latency_p95_ms") },
                ]}
              />
            </Card>
            <Card>
              <LineChart
                title={o.limit_mps ? "Throughput vs lane limit (segments/s)" : "Throughput (segments/s)"}
                times={times}
                labelFormat={label}
                format={(v) => (v < 10 ? v.toFixed(1) : String(Math.round(v)))}
                series={[
                  { name: "Accepted, average", color: COLORS.p50, values: col("throughput_mps") },
                  ...(o.limit_mps
                    ? [
                        {
                          name: "Limit",
                          color: COLORS.limit,
                          values: times.map(() => o.limit_mps),
                          dashed: true,
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
          </div>
          <div className="grid-2">
            <Card>
              <HBars
                title="Error codes"
                items={o.error_codes
                  .slice(0, 8)
                  .map((e: any) => ({ label: String(e.code), value: e.count, note: e.explanation }))}
              />
            </Card>
            <Card title="Alerts">
              <ErrorBanner error={alerts.error} />
              {alerts.data?.data.length === 0 && (
                <Empty>No alerts. Rules are set under Settings → Alerts, or with /v1/alert-rules.</Empty>
              )}
              <ul className="alerts">
                {alerts.data?.data.map((a: any) => (
                  <li key={a.id}>
                    <Badge status={a.state} /> <strong>{humanize(a.kind)}</strong> {a.message}
                    <div className="muted small">
                      {fmtTime(a.triggered_at)}
                      {a.resolved_at ? ` · resolved ${fmtTime(a.resolved_at)}` : ""} · {a.tenant_id}
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          </div>
          <Card title="Lanes now: queue depth, throughput and daily caps">
            {o.lanes.length === 0 ? (
              <Empty>No lanes yet: a lane appears when a tenant's registration is approved.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Lane</th>
                      {!tenant && <th scope="col">Tenant</th>}
                      <th scope="col" className="num">
                        Queued
                      </th>
                      <th scope="col" className="num">
                        Sending now
                      </th>
                      <th scope="col" className="num">
                        Limit
                      </th>
                      <th scope="col">Daily cap</th>
                      <th scope="col">T-Mobile cap</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.lanes.map((l: any) => (
                      <tr key={l.id}>
                        <td>
                          {humanize(l.rate_kind)} <span className="muted small">{l.sender ?? l.id}</span>
                          {l.held_reason && (
                            <div className="small warn-text">held: {humanize(l.held_reason)}</div>
                          )}
                        </td>
                        {!tenant && <td>{l.tenant_name}</td>}
                        <td className="num">{fmtInt(l.queued)}</td>
                        <td className="num">{l.recent_mps} /s</td>
                        <td className="num">{l.mps} /s</td>
                        <td>
                          <Meter value={l.cap_used} max={l.daily_cap} label="Daily cap used" />
                        </td>
                        <td>
                          <Meter value={l.tmobile_used} max={l.tmobile_daily_cap} label="T-Mobile cap used" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </>
      )}
    </>
  );
}
