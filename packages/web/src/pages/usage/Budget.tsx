import { type FormEvent, useState } from "react";
import { NUM, TableHead } from "../../components/lists";
import { Card, ErrorBanner, Notice, Problems, TextInput } from "../../components/ui";
import { get, put } from "../../lib/api";
import { fmtInt, fmtTime, fmtUsd } from "../../lib/format";
import { useSubmission } from "../../lib/forms";
import { useAsync } from "../../lib/hooks";
import { useSession } from "../../lib/session";

const LIMITS = [
  { key: "daily_messages", label: "Messages per day", period: "day", money: false },
  { key: "daily_spend", label: "Spend per day", period: "day", money: true },
  { key: "monthly_messages", label: "Messages per month", period: "month", money: false },
  { key: "monthly_spend", label: "Spend per month", period: "month", money: true },
] as const;
type LimitKey = (typeof LIMITS)[number]["key"];

/**
 * The tenant's budget: hard caps on what it sends per UTC day and month, their use, and (for the
 * operator's staff who manage tenants) a form to change them.
 */
export function BudgetCard({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const canEdit = !me?.tenant && Boolean(me?.permissions.manage_tenants || me?.kind === "admin_token");
  const budget = useAsync(
    (signal) => get(`/v1/tenants/${tenantId}/budget`, { signal, noTenant: true }),
    [tenantId],
  );
  const [editing, setEditing] = useState(false);
  const b = budget.data;
  const reached: string[] = b ? [...b.day.reached, ...b.month.reached] : [];

  return (
    <Card
      title="Budget"
      actions={
        canEdit &&
        b &&
        !editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Change limits
          </button>
        )
      }
    >
      <ErrorBanner error={budget.error} />
      {b && reached.length > 0 && (
        <Notice tone="bad">
          Budget reached ({reached.join(", ")}): sends are refused with <code>budget_exceeded</code> until the
          period starts over ({fmtTime(b.day.reached.length ? b.day.resets_at : b.month.resets_at)}) or the
          limit is raised.
        </Notice>
      )}
      {b && (
        <table className="table">
          <TableHead columns={["Limit", NUM("Used"), NUM("Maximum"), "Use", "Starts over"]} />
          <tbody>
            {LIMITS.map((l) => {
              const use = b[l.period];
              const used = l.money ? Number(use.spend) : use.messages;
              const max = b[l.key] === null ? null : Number(b[l.key]);
              return (
                <tr key={l.key} data-limit={l.key}>
                  <th scope="row">{l.label}</th>
                  <td className="num">{l.money ? fmtUsd(use.spend) : fmtInt(use.messages)}</td>
                  <td className="num">{max === null ? "No limit" : l.money ? fmtUsd(max) : fmtInt(max)}</td>
                  <td>
                    <UseMeter used={used} max={max} label={l.label} />
                  </td>
                  <td>{fmtTime(use.resets_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="muted small">
        UTC days and calendar months. Counts the messages accepted by the API and their price estimates (USD
        at cost); alerts on spend and volume are under Settings → Alerts.
      </p>
      {b && editing && (
        <BudgetForm
          tenantId={tenantId}
          current={b}
          onDone={(saved) => {
            setEditing(false);
            if (saved) budget.reload();
          }}
        />
      )}
    </Card>
  );
}

function UseMeter({ used, max, label }: { used: number; max: number | null; label: string }) {
  if (max === null) return <span className="muted">—</span>;
  const pct = max === 0 ? 100 : Math.min(100, (used / max) * 100);
  const tone = pct >= 100 ? "bad" : pct >= 80 ? "warn" : "good";
  return (
    <span className="meter">
      <span className="meter-track" aria-hidden="true">
        <span className={`meter-fill meter-${tone}`} style={{ width: `${pct}%` }} />
      </span>
      <span className="meter-text">
        <span className="sr-only">{label}: </span>
        {pct.toFixed(pct < 10 ? 1 : 0)}%
      </span>
    </span>
  );
}

function BudgetForm({
  tenantId,
  current,
  onDone,
}: {
  tenantId: string;
  current: Record<LimitKey, number | string | null>;
  onDone: (saved: boolean) => void;
}) {
  const [values, setValues] = useState<Record<LimitKey, string>>(
    () =>
      Object.fromEntries(
        LIMITS.map((l) => [l.key, current[l.key] === null ? "" : String(current[l.key])]),
      ) as Record<LimitKey, string>,
  );
  const save = useSubmission();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    // An empty field is no limit; a count goes as a number, money as the decimal string typed.
    const body = Object.fromEntries(
      LIMITS.map((l) => {
        const v = values[l.key].trim();
        return [l.key, v === "" ? null : l.money ? v : Number(v)];
      }),
    );
    save.submit(
      () => put(`/v1/tenants/${tenantId}/budget`, body, { noTenant: true }),
      () => onDone(true),
    );
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Budget limits">
      {LIMITS.map((l) => (
        <TextInput
          key={l.key}
          id={`budget-${l.key}`}
          label={l.money ? `${l.label} (USD)` : l.label}
          value={values[l.key]}
          onChange={(v) => setValues((s) => ({ ...s, [l.key]: v }))}
          problems={save.at(`/${l.key}`)}
          inputMode={l.money ? "decimal" : "numeric"}
          placeholder="No limit"
        />
      ))}
      <Problems problems={save.at("/")} />
      <ErrorBanner error={save.error} />
      <div className="form-actions">
        <button className="primary" type="submit" disabled={save.busy}>
          Save limits
        </button>
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
