import { type FormEvent, useState } from "react";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { del, get, post, qs } from "../../lib/api";
import { humanize } from "../../lib/format";
import { useAsync } from "../../lib/hooks";

/** Rules that raise alerts (shown on Insights and sent as alert.triggered events). */
export function AlertRules({ tenantId }: { tenantId: string }) {
  const rules = useAsync(
    (signal) => get(`/v1/alert-rules${qs({ tenant_id: tenantId })}`, { signal, noTenant: true }),
    [tenantId],
  );
  const [error, setError] = useState<unknown>(null);
  function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    post(
      "/v1/alert-rules",
      {
        tenant_id: tenantId,
        kind: f.get("kind"),
        threshold: Number(f.get("threshold")),
        window_minutes: Number(f.get("window")),
      },
      { noTenant: true },
    ).then(rules.reload, setError);
  }
  return (
    <Card title="Alert rules">
      <form className="inline-form" onSubmit={add}>
        <label>
          When{" "}
          <select name="kind">
            <option value="delivery_rate_below">delivery rate falls below (%)</option>
            <option value="error_code_spike">failures exceed (count)</option>
            <option value="daily_cap_usage">daily cap use reaches (%)</option>
          </select>
        </label>
        <label>
          Threshold <input name="threshold" type="number" min={0} step="any" defaultValue={90} required />
        </label>
        <label>
          Over (minutes) <input name="window" type="number" min={5} max={10080} defaultValue={60} required />
        </label>
        <button className="primary" type="submit">
          Add rule
        </button>
      </form>
      <ErrorBanner error={error ?? rules.error} />
      <ul className="alerts">
        {rules.data?.data?.map((r: any) => (
          <li key={r.id}>
            <strong>{humanize(r.kind)}</strong> {r.threshold} over {r.window_minutes} min{" "}
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
