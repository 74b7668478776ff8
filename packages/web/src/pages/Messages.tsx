import { useState } from "react";
import { Badge, Card, Empty, ErrorBanner, NeedsTenant, PageHeader } from "../components/ui";
import { get, qs } from "../lib/api";
import { fmtTime } from "../lib/format";
import { useAsync, useDebounced, useInterval } from "../lib/hooks";
import { Link } from "../lib/router";
import { useSession } from "../lib/session";
import { Composer } from "./Composer";

const STATUSES = [
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "canceled",
  "received",
];

/** The message log of the selected tenant, filtered and cursor-paged by the server, with the composer. */
export function MessagesPage() {
  const { tenant, me } = useSession();
  const [status, setStatus] = useState("");
  const [to, setTo] = useState("");
  const [after, setAfter] = useState("");
  const [before, setBefore] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const toQ = useDebounced(to, 300);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) =>
      tenant
        ? get(
            `/v1/messages${qs({
              status,
              to: toQ,
              after: after ? new Date(after).toISOString() : undefined,
              before: before ? new Date(before).toISOString() : undefined,
              cursor,
              limit: 50,
            })}`,
            { signal },
          )
        : Promise.resolve(null),
    [tenant?.id, status, toQ, after, before, cursor],
  );
  // The first page follows new messages and their statuses.
  useInterval(list.reload, 3000, Boolean(tenant) && !cursor);
  const reset = () => setCursors([]);

  if (!tenant)
    return (
      <>
        <PageHeader title="Messages" />
        <NeedsTenant what="messages" />
      </>
    );
  return (
    <>
      <PageHeader title="Messages" subtitle={`Sent and received by ${tenant.name}.`} />
      {me?.permissions.write && (
        <Composer
          onSent={() => {
            reset();
            list.reload();
          }}
        />
      )}
      <Card title="Log">
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
              value={to}
              placeholder="+1…"
              onChange={(e) => {
                setTo(e.target.value);
                reset();
              }}
            />
          </label>
          <label>
            From{" "}
            <input
              type="datetime-local"
              value={after}
              onChange={(e) => {
                setAfter(e.target.value);
                reset();
              }}
            />
          </label>
          <label>
            Until{" "}
            <input
              type="datetime-local"
              value={before}
              onChange={(e) => {
                setBefore(e.target.value);
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
                <th scope="col">Created</th>
                <th scope="col">To</th>
                <th scope="col">From</th>
                <th scope="col">Status</th>
                <th scope="col">Body</th>
                <th scope="col" className="num">
                  Segments
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((m: any) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/messages/${m.id}`}>{fmtTime(m.created_at)}</Link>
                  </td>
                  <td>{m.direction === "inbound" ? m.from : m.to}</td>
                  <td>{m.direction === "inbound" ? m.to : (m.from ?? "—")}</td>
                  <td>
                    <Badge status={m.status} />
                  </td>
                  <td className="truncate">
                    {m.body_redacted ? <span className="muted">redacted</span> : m.body}
                  </td>
                  <td className="num">
                    {m.segments} <span className="muted small">{m.encoding}</span>
                  </td>
                  <td>{m.error?.twilio_code ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data && list.data.data.length === 0 && <Empty>No messages match.</Empty>}
        </div>
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
    </>
  );
}
