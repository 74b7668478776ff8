import { useState } from "react";
import { Badge, Card, Empty, ErrorBanner } from "../../components/ui";
import { get, qs } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useAsync, useDebounced, useInterval } from "../../lib/hooks";

const STATUSES = ["pending", "approved", "failed", "expired", "canceled"];

/** The tenant's verifications, newest first: each send (and the fallback to a call), checks, outcome. */
export function Verifications({ reloadKey }: { reloadKey: number }) {
  const [status, setStatus] = useState("");
  const [to, setTo] = useState("");
  const toQ = useDebounced(to.trim(), 300);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) => get(`/v1/verify/verifications${qs({ status, to: toQ, cursor, limit: 25 })}`, { signal }),
    [status, toQ, cursor, reloadKey],
  );
  // The first page follows approvals, fallbacks and expiries.
  useInterval(list.reload, 3000, !cursor);
  const reset = () => setCursors([]);
  return (
    <Card title="Verifications">
      <div className="toolbar">
        <label>
          Status{" "}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              reset();
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          To{" "}
          <input
            type="search"
            placeholder="+1… or e-mail"
            value={to}
            onChange={(e) => {
              setTo(e.target.value);
              reset();
            }}
          />
        </label>
      </div>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Sends</th>
              <th scope="col" className="num">
                Checks
              </th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.data.map((v: any) => (
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
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.data.length === 0 && <Empty>No verifications match.</Empty>}
      <div className="pager">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!list.data?.has_more}
          onClick={() => setCursors([...cursors, list.data.next_cursor])}
        >
          Older
        </button>
      </div>
    </Card>
  );
}
