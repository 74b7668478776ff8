import { Badge, Card, Empty, ErrorBanner, Loading, NeedsTenant, PageHeader } from "../../components/ui";
import { get } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useAsync, useInterval } from "../../lib/hooks";
import { Link } from "../../lib/router";
import { useSession } from "../../lib/session";
import { FINAL_CALL } from "./Calls";

/** One call: its facts, the flow's events (nodes, menu inputs, retries, dials), recordings, transcriptions. */
export function CallDetailPage({ id }: { id: string }) {
  const { tenant } = useSession();
  const call = useAsync(
    (signal) => (tenant ? get(`/v1/calls/${id}`, { signal }) : Promise.resolve(null)),
    [id, tenant?.id],
  );
  const c = call.data;
  const flow = useAsync(
    (signal) =>
      c?.flow_id ? get(`/v1/ivr-flows/${c.flow_id}`, { signal }).catch(() => null) : Promise.resolve(null),
    [c?.flow_id],
  );
  useInterval(call.reload, 2000, Boolean(c) && !FINAL_CALL.has(c.status));
  if (!tenant)
    return (
      <>
        <PageHeader title="Call" />
        <NeedsTenant what="calls" />
      </>
    );
  if (!c)
    return (
      <>
        <PageHeader title="Call" subtitle={<Link to="/voice">← Calls</Link>} />
        <ErrorBanner error={call.error} />
        {!call.error && <Loading />}
      </>
    );
  return (
    <>
      <PageHeader
        title={`Call ${c.direction === "inbound" ? "from" : "to"} ${c.direction === "inbound" ? c.from : c.to}`}
        subtitle={<Link to="/voice">← Calls</Link>}
      />
      <Card
        title={
          <>
            {humanize(c.direction)} call <Badge status={c.status} />
          </>
        }
        actions={<span className="muted small">{c.id}</span>}
      >
        <dl className="facts inline">
          <dt>From</dt>
          <dd>{c.from}</dd>
          <dt>To</dt>
          <dd>{c.to}</dd>
          <dt>Flow</dt>
          <dd>
            {c.flow_id ? (
              <Link to={`/voice/flows/${c.flow_id}`}>{flow.data?.name ?? c.flow_id}</Link>
            ) : (
              "— (a message)"
            )}
          </dd>
          <dt>Duration</dt>
          <dd>{c.duration_seconds === null ? "—" : `${c.duration_seconds} s`}</dd>
          <dt>Started</dt>
          <dd>{fmtTime(c.created_at)}</dd>
          <dt>Answered</dt>
          <dd>{fmtTime(c.answered_at)}</dd>
          <dt>Ended</dt>
          <dd>{fmtTime(c.ended_at)}</dd>
          <dt>Twilio</dt>
          <dd className="small">
            {c.twilio_sid ?? "—"}
            {c.error_code ? ` · error ${c.error_code}` : ""}
          </dd>
        </dl>
      </Card>
      <div className="grid-2">
        <Card title="What happened">
          {c.events.length === 0 ? (
            <Empty>Nothing yet.</Empty>
          ) : (
            <ol className="timeline">
              {c.events.map((e: any, i: number) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events are listed in the order they happened
                <li key={i} className="tl-item tl-done" data-event={e.kind}>
                  <strong>{humanize(e.kind)}</strong>
                  {e.node && <span className="muted"> · {e.node}</span>}
                  <span className="muted small"> · {fmtTime(e.at)}</span>
                  {e.data && Object.keys(e.data).length > 0 && (
                    <div className="tl-body small muted">
                      {Object.entries(e.data)
                        .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
                        .join(" · ")}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="Recordings and transcriptions">
          {c.recordings.length === 0 && c.transcriptions.length === 0 && <Empty>None.</Empty>}
          <ul className="alerts">
            {c.recordings.map((r: any) => (
              <li key={r.id}>
                <a href={r.url} target="_blank" rel="noreferrer">
                  Recording
                </a>{" "}
                <span className="muted small">
                  {r.node} · {r.duration_seconds ?? "?"} s · {fmtTime(r.created_at)}
                </span>
              </li>
            ))}
            {c.transcriptions.map((t: any) => (
              <li key={t.id}>
                <Badge status={t.status} /> <span className="pre">{t.text ?? "—"}</span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
