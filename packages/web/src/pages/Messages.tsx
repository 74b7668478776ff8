import { useState } from "react";
import { NUM, FilterBar, InputFilter, Pager, ResultTable, SelectFilter } from "../components/lists";
import { Badge, Card, NeedsTenant, PageHeader } from "../components/ui";
import { fmtTime } from "../lib/format";
import { useDebounced } from "../lib/hooks";
import { usePages } from "../lib/paging";
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
  const toQ = useDebounced(to, 300);
  // The first page follows new messages and their statuses.
  const pages = usePages(
    tenant ? "/v1/messages" : null,
    {
      status,
      to: toQ,
      after: after ? new Date(after).toISOString() : undefined,
      before: before ? new Date(before).toISOString() : undefined,
    },
    { limit: 50, follow: true, deps: [tenant?.id] },
  );

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
      {me?.permissions.write && <Composer onSent={pages.first} />}
      <Card title="Log">
        <FilterBar>
          <SelectFilter label="Status" value={status} onChange={setStatus} options={STATUSES} />
          <InputFilter label="To" type="search" value={to} placeholder="+1…" onChange={setTo} />
          <InputFilter label="From" type="datetime-local" value={after} onChange={setAfter} />
          <InputFilter label="Until" type="datetime-local" value={before} onChange={setBefore} />
        </FilterBar>
        <ResultTable
          columns={["Created", "To", "From", "Status", "Body", NUM("Segments"), "Error"]}
          rows={pages.rows}
          error={pages.list.error}
          empty="No messages match."
          row={(m: any) => (
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
          )}
        />
        <Pager pages={pages} />
      </Card>
    </>
  );
}
