import { type FormEvent, useState } from "react";
import { Badge, Card, Empty, ErrorBanner, Notice } from "../../components/ui";
import { get, post } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";

/** Endpoints, their delivery log (each attempt's status code and latency) and replay. */
export function Webhooks() {
  const endpoints = useAsync((signal) => get("/v1/webhook-endpoints", { signal }), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const types = String(f.get("event_types") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    post("/v1/webhook-endpoints", { url: f.get("url"), event_types: types.length ? types : null }).then(
      (ep) => {
        setSecret(ep.secret);
        endpoints.reload();
      },
      setError,
    );
  }
  const current = endpoints.data?.data.find((e: any) => e.id === selected);
  return (
    <>
      <Card title="Webhook endpoints">
        <form className="inline-form" onSubmit={create}>
          <label>
            URL <input name="url" type="url" required placeholder="https://example.com/subtext" />
          </label>
          <label>
            Event types <input name="event_types" placeholder="all, or message.delivered, message.failed" />
          </label>
          <button className="primary" type="submit">
            Add endpoint
          </button>
        </form>
        <ErrorBanner error={error ?? endpoints.error} />
        {secret && (
          <Notice tone="good">
            Signing secret (shown once): <code className="secret">{secret}</code>
          </Notice>
        )}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Last success</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {endpoints.data?.data.map((e: any) => (
              <tr key={e.id}>
                <td className="truncate">{e.url}</td>
                <td>{e.event_types?.join(", ") ?? "all"}</td>
                <td>
                  <Badge
                    status={e.enabled ? (e.consecutive_failures ? "retrying" : "active") : "failed"}
                    label={e.enabled ? undefined : "disabled"}
                  />
                  {e.disabled_reason && <div className="small muted">{e.disabled_reason}</div>}
                </td>
                <td>{fmtTime(e.last_success_at)}</td>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(e.id)}>
                    Delivery log
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {endpoints.data?.data.length === 0 && <Empty>No endpoints.</Empty>}
      </Card>
      {current && <Deliveries endpoint={current} />}
    </>
  );
}

function Deliveries({ endpoint }: { endpoint: any }) {
  const log = useAsync(
    (signal) => get(`/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=50`, { signal }),
    [endpoint.id],
  );
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <Card
      title={`Deliveries to ${endpoint.url}`}
      actions={
        <button type="button" onClick={log.reload}>
          Refresh
        </button>
      }
    >
      <ErrorBanner error={error ?? log.error} />
      {note && <Notice tone="good">{note}</Notice>}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Last response</th>
            <th scope="col">Next retry</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {log.data?.data.map((d: any) => (
            <tr key={d.id}>
              <td>
                {d.event_type} <div className="small muted">{d.event_id}</div>
              </td>
              <td>
                <Badge status={d.status} /> {d.replay && <span className="small muted">replay</span>}
              </td>
              <td className="num">{d.attempts}</td>
              <td>
                {d.last_status_code ?? "—"}{" "}
                {d.last_latency_ms !== null && <span className="muted small">{d.last_latency_ms} ms</span>}
                {d.last_error && <div className="small warn-text">{d.last_error}</div>}
              </td>
              <td>{fmtTime(d.next_attempt_at)}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    post(`/v1/events/${d.event_id}/replay`, { endpoint_id: endpoint.id }).then(() => {
                      setNote(`Replaying ${d.event_id}`);
                      log.reload();
                    }, setError)
                  }
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data?.data.length === 0 && <Empty>Nothing delivered yet.</Empty>}
    </Card>
  );
}
