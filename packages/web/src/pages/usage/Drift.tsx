import { useState } from "react";
import { NUM, Pager, ResultTable, SelectFilter } from "../../components/lists";
import { Badge, Card, ErrorBanner, Notice } from "../../components/ui";
import { post } from "../../lib/api";
import { fmtInt, fmtUsd, humanize } from "../../lib/format";
import { usePages } from "../../lib/paging";
import { useSession } from "../../lib/session";

interface Drift {
  id: string;
  tenant_id: string;
  day: string;
  category: string;
  unit: string;
  subtext: { count: number; cost: string };
  twilio: { count: number; price: string };
  difference: { count: number; price: string };
  reasons: string[];
  state: "open" | "resolved";
}

interface CheckResult {
  from: string;
  to: string;
  tenants: number;
  opened: string[];
  resolved: string[];
  open: number;
  failed: { tenant_id: string; error: string }[];
}

const signed = (n: number) => (n > 0 ? `+${fmtInt(n)}` : fmtInt(n));

/**
 * The drift report: days and categories where what Subtext metered differs from what Twilio's
 * usage records say (checked daily, or now by the operator).
 */
export function UsageDrift({ tenantId }: { tenantId?: string }) {
  const { me } = useSession();
  const [state, setState] = useState("open");
  const pages = usePages<Drift>(
    "/v1/usage/drift",
    { state: state || undefined, tenant_id: tenantId },
    { limit: 20 },
  );
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canCheck = !me?.tenant && (me?.kind === "admin_token" || Boolean(me?.permissions.billing));

  function checkNow() {
    setChecking(true);
    setError(null);
    post<CheckResult>("/v1/usage/drift/check", tenantId ? { tenant_id: tenantId } : {}, { noTenant: true })
      .then((r) => {
        setResult(r);
        pages.first();
      }, setError)
      .finally(() => setChecking(false));
  }

  return (
    <Card
      title="Drift: Subtext vs Twilio"
      actions={
        <>
          <SelectFilter label="State" value={state} onChange={setState} options={["open", "resolved"]} />{" "}
          {canCheck && (
            <button type="button" onClick={checkNow} disabled={checking}>
              {checking ? "Checking…" : "Check now"}
            </button>
          )}
        </>
      }
    >
      <p className="muted">
        Every day Subtext compares its metered usage with Twilio's usage records for the seven days before
        (SMS in segments, MMS in messages, per UTC day). A difference stays open until the two agree.
      </p>
      <ErrorBanner error={error} />
      {result && (
        <Notice tone={result.opened.length > 0 || result.failed.length > 0 ? "warn" : "good"}>
          Checked {result.tenants} tenant{result.tenants === 1 ? "" : "s"} from {result.from} to {result.to}:{" "}
          {result.opened.length} new, {result.resolved.length} resolved, {result.open} open
          {result.failed.length > 0 && `, ${result.failed.length} could not be read from Twilio`}.
        </Notice>
      )}
      <ResultTable
        columns={[
          !tenantId && "Tenant",
          "Day",
          "Category",
          NUM("Subtext"),
          NUM("Twilio"),
          NUM("Difference"),
          NUM("Cost / price"),
          "What differs",
          "State",
        ]}
        rows={pages.rows}
        error={pages.list.error}
        empty={
          state === "resolved"
            ? "Nothing resolved yet."
            : "No differences: what Subtext metered is what Twilio billed."
        }
        row={(d) => (
          <tr key={d.id}>
            {!tenantId && <td>{d.tenant_id}</td>}
            <td>{d.day}</td>
            <td>{d.category}</td>
            <td className="num">
              {fmtInt(d.subtext.count)} {d.unit}
            </td>
            <td className="num">
              {fmtInt(d.twilio.count)} {d.unit}
            </td>
            <td className="num">{signed(d.difference.count)}</td>
            <td className="num">
              {fmtUsd(d.subtext.cost)} / {fmtUsd(d.twilio.price)}
            </td>
            <td>{d.reasons.map(humanize).join(", ")}</td>
            <td>
              <Badge status={d.state} />
            </td>
          </tr>
        )}
      />
      <Pager pages={pages} />
    </Card>
  );
}
