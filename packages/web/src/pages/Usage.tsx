import { useState } from "react";
import { StackedBars } from "../components/charts";
import { NUM, ResultTable, TableHead } from "../components/lists";
import { Badge, Card, ErrorBanner, PageHeader, Stat } from "../components/ui";
import { get, qs } from "../lib/api";
import { fmtInt, fmtUsd } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { useSession } from "../lib/session";
import { BudgetCard } from "./usage/Budget";
import { UsageDrift } from "./usage/Drift";

const CHANNEL_COLORS: Record<string, string> = {
  sms: "#2f5bd3",
  mms: "#2f9e66",
  whatsapp: "#25a36f",
  voice: "#9b59b6",
  verify: "#e0a400",
  lookup: "#888",
};

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 8)}01`;

/** Usage and cost by channel and day, CSV export, and the monthly statement for pass-through billing. */
export function UsagePage() {
  const { tenant } = useSession();
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(today);
  const [month, setMonth] = useState(() => today().slice(0, 7));
  const params = { from, to, tenant_id: tenant?.id };
  const byDay = useAsync(
    (signal) => get(`/v1/usage${qs({ ...params, group_by: "day,channel" })}`, { signal, noTenant: true }),
    [from, to, tenant?.id],
  );
  const byTenant = useAsync(
    (signal) =>
      tenant
        ? Promise.resolve(null)
        : get(`/v1/usage${qs({ from, to, group_by: "tenant" })}`, { signal, noTenant: true }),
    [from, to, tenant?.id],
  );
  const statement = useAsync(
    (signal) =>
      tenant
        ? get(`/v1/tenants/${tenant.id}/statements/${month}`, { signal, noTenant: true })
        : Promise.resolve(null),
    [tenant?.id, month],
  );

  const rows: any[] = byDay.data?.data ?? [];
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const channels = [...new Set(rows.map((r) => r.channel))];
  const costOf = (day: string, channel: string) =>
    rows.filter((r) => r.day === day && r.channel === channel).reduce((s, r) => s + Number(r.cost), 0);

  return (
    <>
      <PageHeader
        title="Usage & billing"
        subtitle={tenant ? tenant.name : "All tenants"}
        actions={
          <a
            className="button"
            href={`/v1/usage${qs({ ...params, group_by: "day,channel", format: "csv" })}`}
            download
          >
            Export CSV
          </a>
        }
      />
      <Card>
        <div className="toolbar">
          <label>
            From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
          </label>
          <span className="muted">UTC days, inclusive</span>
        </div>
        <ErrorBanner error={byDay.error} />
        {byDay.data && (
          <>
            <div className="stats">
              <Stat label="Messages" value={fmtInt(byDay.data.totals.messages)} />
              <Stat label="Segments" value={fmtInt(byDay.data.totals.segments)} />
              <Stat label="Voice minutes" value={byDay.data.totals.minutes} />
              <Stat label="Cost (Twilio)" value={fmtUsd(byDay.data.totals.cost)} />
            </div>
            {days.length > 0 && (
              <StackedBars
                title="Cost per day by channel (USD)"
                times={days}
                labelFormat={(d) => d.slice(5)}
                series={channels.map((c) => ({
                  name: c,
                  color: CHANNEL_COLORS[c] ?? "#555",
                  values: days.map((d) => costOf(d, c)),
                }))}
              />
            )}
            <ResultTable
              columns={[
                "Day",
                "Channel",
                "Direction",
                NUM("Messages"),
                NUM("Segments"),
                NUM("Minutes"),
                NUM("Cost"),
              ]}
              rows={rows}
              empty="No usage in this range."
              row={(r) => (
                <tr key={`${r.day}-${r.channel}-${r.direction}`}>
                  <td>{r.day}</td>
                  <td>{r.channel}</td>
                  <td>{r.direction}</td>
                  <td className="num">{fmtInt(r.messages)}</td>
                  <td className="num">{fmtInt(r.segments)}</td>
                  <td className="num">{r.minutes}</td>
                  <td className="num">{fmtUsd(r.cost)}</td>
                </tr>
              )}
            />
          </>
        )}
      </Card>
      <UsageDrift tenantId={tenant?.id} />
      {!tenant && byTenant.data && (
        <Card title="By tenant">
          <ResultTable
            columns={["Tenant", NUM("Messages"), NUM("Cost")]}
            rows={[...byTenant.data.data]
              .sort((a: any, b: any) => Number(b.cost) - Number(a.cost))
              .slice(0, 50)}
            row={(r: any) => (
              <tr key={r.tenant_id}>
                <td>{r.tenant_id}</td>
                <td className="num">{fmtInt(r.messages)}</td>
                <td className="num">{fmtUsd(r.cost)}</td>
              </tr>
            )}
          />
        </Card>
      )}
      {tenant && <BudgetCard key={tenant.id} tenantId={tenant.id} />}
      {tenant && (
        <Card
          title="Monthly statement"
          actions={
            <>
              <label>
                Month <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
              </label>{" "}
              <a className="button" href={`/v1/tenants/${tenant.id}/statements/${month}?format=csv`} download>
                CSV
              </a>
            </>
          }
        >
          <ErrorBanner error={statement.error} />
          {statement.data && (
            <>
              <p>
                {statement.data.period_start} – {statement.data.period_end}{" "}
                <Badge status={statement.data.status} /> · markup {statement.data.markup_percent}%
              </p>
              <table className="table">
                <TableHead columns={["Channel", "Direction", NUM("Quantity"), NUM("Cost"), NUM("Amount")]} />
                <tbody>
                  {statement.data.lines.map((l: any) => (
                    <tr key={`${l.channel}-${l.direction}`}>
                      <td>{l.channel}</td>
                      <td>{l.direction}</td>
                      <td className="num">
                        {fmtInt(l.quantity)} {l.unit}
                      </td>
                      <td className="num">{fmtUsd(l.cost)}</td>
                      <td className="num">{fmtUsd(l.amount)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={3}>
                      Subtotal / markup / total
                    </th>
                    <td className="num">{fmtUsd(statement.data.subtotal)}</td>
                    <td className="num">
                      {fmtUsd(statement.data.markup)} / <strong>{fmtUsd(statement.data.total)}</strong>
                    </td>
                  </tr>
                </tfoot>
              </table>
            </>
          )}
        </Card>
      )}
    </>
  );
}
