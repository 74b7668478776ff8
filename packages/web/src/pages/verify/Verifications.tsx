import { useState } from "react";
import { NUM, FilterBar, InputFilter, Pager, ResultTable, SelectFilter } from "../../components/lists";
import { Badge, Card } from "../../components/ui";
import { fmtTime, humanize } from "../../lib/format";
import { useDebounced } from "../../lib/hooks";
import { usePages } from "../../lib/paging";

const STATUSES = ["pending", "approved", "failed", "expired", "canceled"];

/** The tenant's verifications, newest first: each send (and the fallback to a call), checks, outcome. */
export function Verifications({ reloadKey }: { reloadKey: number }) {
  const [status, setStatus] = useState("");
  const [to, setTo] = useState("");
  const toQ = useDebounced(to.trim(), 300);
  // The first page follows approvals, fallbacks and expiries.
  const pages = usePages(
    "/v1/verify/verifications",
    { status, to: toQ },
    { limit: 25, follow: true, deps: [reloadKey] },
  );
  return (
    <Card title="Verifications">
      <FilterBar>
        <SelectFilter label="Status" value={status} onChange={setStatus} options={STATUSES} />
        <InputFilter label="To" type="search" placeholder="+1… or e-mail" value={to} onChange={setTo} />
      </FilterBar>
      <ResultTable
        columns={["Started", "To", "Status", "Sends", NUM("Checks"), "Expires"]}
        rows={pages.rows}
        error={pages.list.error}
        empty="No verifications match."
        row={(v: any) => (
          <tr key={v.id} data-verification={v.id}>
            <td>
              {fmtTime(v.created_at)} <div className="small muted">{v.id}</div>
            </td>
            <td>{v.to}</td>
            <td>
              <Badge status={v.status} />
              {v.failure_reason && <div className="small warn-text">{humanize(v.failure_reason)}</div>}
              {v.approved_at && <div className="small muted">{fmtTime(v.approved_at)}</div>}
            </td>
            <td>
              {(v.sends ?? []).map((s: any) => (
                <div key={`${s.channel}-${s.at}`} className="small">
                  {s.channel} <span className="muted">{s.reason === "fallback" ? "fallback" : ""}</span>{" "}
                  <span className="muted">{fmtTime(s.at)}</span>
                </div>
              ))}
            </td>
            <td className="num">{v.check_attempts}</td>
            <td>{v.status === "pending" ? fmtTime(v.expires_at) : "—"}</td>
          </tr>
        )}
      />
      <Pager pages={pages} />
    </Card>
  );
}
