import { Badge, Card, ErrorBanner, Loading, NeedsTenant, Notice, PageHeader } from "../components/ui";
import { get, post } from "../lib/api";
import { fmtTime, fmtUsd, humanize } from "../lib/format";
import { useAsync, useInterval } from "../lib/hooks";
import { Link } from "../lib/router";
import { useSession } from "../lib/session";

const FINAL = new Set(["delivered", "undelivered", "failed", "canceled", "received"]);

/** One message: what was sent, each status on its timeline, and any error in plain words. */
export function MessageDetailPage({ id }: { id: string }) {
  const { tenant, me } = useSession();
  const msg = useAsync(
    (signal) => (tenant ? get(`/v1/messages/${id}`, { signal }) : Promise.resolve(null)),
    [id, tenant?.id],
  );
  const m = msg.data;
  useInterval(msg.reload, 1500, Boolean(m) && !FINAL.has(m.status));
  if (!tenant) return <NeedsTenant what="messages" />;
  if (!m) return msg.error ? <ErrorBanner error={msg.error} /> : <Loading />;
  return (
    <>
      <PageHeader
        title="Message"
        subtitle={
          <>
            <Link to="/messages">← Messages</Link> · <code>{m.id}</code>
          </>
        }
        actions={
          me?.permissions.write &&
          (m.status === "queued" || m.status === "scheduled") && (
            <button
              type="button"
              onClick={() => post(`/v1/messages/${m.id}/cancel`).then(msg.reload, () => msg.reload())}
            >
              Cancel message
            </button>
          )
        }
      />
      <div className="grid-2">
        <Card
          title={
            <>
              Status <Badge status={m.status} />
            </>
          }
        >
          <dl className="facts">
            <dt>To</dt>
            <dd>{m.to}</dd>
            <dt>From</dt>
            <dd>{m.from ?? m.messaging_service_id ?? "—"}</dd>
            <dt>Segments</dt>
            <dd>
              {m.segments} ({m.encoding})
              {m.smart_encoding?.applied ? `, smart encoding saved ${m.smart_encoding.segments_saved}` : ""}
            </dd>
            <dt>Estimated price</dt>
            <dd>{fmtUsd(m.price_estimate?.amount)}</dd>
            <dt>Twilio SID</dt>
            <dd>
              <code>{m.twilio_sid ?? "—"}</code>
            </dd>
            <dt>Attempts</dt>
            <dd>{m.attempts}</dd>
            {m.held && (
              <>
                <dt>Held</dt>
                <dd>
                  {humanize(m.held.reason)} until {fmtTime(m.held.until)}
                </dd>
              </>
            )}
          </dl>
          <h3>Body</h3>
          <p className="pre body">
            {m.body_redacted ? <span className="muted">Redacted by the retention policy.</span> : m.body}
          </p>
          {m.error && (
            <Notice tone="bad">
              <strong>{m.error.twilio_code ? `Twilio error ${m.error.twilio_code}` : "Error"}:</strong>{" "}
              {m.error.explanation ?? m.error.message}
            </Notice>
          )}
        </Card>
        <Card title="Timeline">
          <ol className="timeline">
            {m.events.map((e: any, i: number) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events are in time order and never reordered
              <li key={i} className={`tl-item tl-${e.type === "status" ? e.name : "note"}`}>
                <div className="tl-head">
                  {e.type === "status" ? <Badge status={e.name} /> : <strong>{humanize(e.name)}</strong>}
                  <span className="muted small"> {fmtTime(e.at)}</span>
                </div>
                {e.data && Object.keys(e.data).length > 0 && (
                  <div className="tl-body small muted">
                    {Object.entries(e.data)
                      .map(
                        ([k, v]) =>
                          `${humanize(k)}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`,
                      )
                      .join(" · ")}
                  </div>
                )}
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </>
  );
}
