import { type FormEvent, useState } from "react";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { del, get, post, qs } from "../../lib/api";
import { fmtUsd, humanize } from "../../lib/format";
import { useAsync } from "../../lib/hooks";

/** Kinds measured over the current UTC day or month rather than a window of minutes. */
const PERIOD_KINDS = ["spend_above", "messages_above"];

/** Rules that raise alerts (shown on Insights and sent as alert.triggered events). */
export function AlertRules({ tenantId }: { tenantId: string }) {
  const rules = useAsync(
    (signal) => get(`/v1/alert-rules${qs({ tenant_id: tenantId })}`, { signal, noTenant: true }),
    [tenantId],
  );
  const [error, setError] = useState<unknown>(null);
  const [kind, setKind] = useState("delivery_rate_below");
  const perPeriod = PERIOD_KINDS.includes(kind);
  function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    post(
      "/v1/alert-rules",
      {
        tenant_id: tenantId,
        kind,
        threshold: Number(f.get("threshold")),
        ...(perPeriod ? { period: f.get("period") } : { window_minutes: Number(f.get("window")) }),
      },
      { noTenant: true },
    ).then(rules.reload, setError);
  }
  return (
    <Card title="Alert rules">
      <form className="inline-form" onSubmit={add}>
        <label>
          When{" "}
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="delivery_rate_below">delivery rate falls below (%)</option>
            <option value="error_code_spike">failures exceed (count)</option>
            <option value="daily_cap_usage">daily cap use reaches (%)</option>
            <option value="spend_above">spend reaches (USD)</option>
            <option value="messages_above">messages sent reach (count)</option>
          </select>
        </label>
        <label>
          Threshold <input name="threshold" type="number" min={0} step="any" defaultValue={90} required />
        </label>
        {perPeriod ? (
          <label>
            Per{" "}
            <select name="period" defaultValue="day">
              <option value="day">UTC day</option>
              <option value="month">UTC month</option>
            </select>
          </label>
        ) : (
          <label>
            Over (minutes){" "}
            <input name="window" type="number" min={5} max={10080} defaultValue={60} required />
          </label>
        )}
        <button className="primary" type="submit">
          Add rule
        </button>
      </form>
      <ErrorBanner error={error ?? rules.error} />
      <ul className="alerts">
        {rules.data?.data?.map((r: any) => (
          <li key={r.id}>
            <strong>{humanize(r.kind)}</strong>{" "}
            {PERIOD_KINDS.includes(r.kind)
              ? `${r.kind === "spend_above" ? fmtUsd(r.threshold) : r.threshold} per UTC ${r.period}`
              : `${r.threshold} over ${r.window_minutes} min`}{" "}
            {r.tenant_id ? "" : "(all tenants)"}{" "}
            <button
              type="button"
              className="link danger"
              onClick={() => del(`/v1/alert-rules/${r.id}`, { noTenant: true }).then(rules.reload, setError)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      {rules.data?.data?.length === 0 && <Empty>No rules.</Empty>}
    </Card>
  );
}
