import { type FormEvent, useState } from "react";
import { Badge, Card, Empty, ErrorBanner, Notice, Problems } from "../../components/ui";
import { get, post, problemsAt, problemsOf, qs } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync, useInterval } from "../../lib/hooks";
import { NumberOptions, useTenantNumbers } from "../../lib/numbers";
import { Link } from "../../lib/router";

const STATUSES = [
  "queued",
  "initiated",
  "ringing",
  "in-progress",
  "completed",
  "busy",
  "no-answer",
  "failed",
  "canceled",
];
export const FINAL_CALL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

/** Calls in and out, newest first, and placing one that runs a flow or says a message. */
export function Calls({ canWrite }: { canWrite: boolean }) {
  const [status, setStatus] = useState("");
  const [direction, setDirection] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) => get(`/v1/calls${qs({ status, direction, cursor, limit: 25 })}`, { signal }),
    [status, direction, cursor],
  );
  useInterval(list.reload, 3000, !cursor);
  const flows = useAsync((signal) => get("/v1/ivr-flows?limit=100", { signal }), []);
  const flowName = (id: string | null) => flows.data?.data.find((f: any) => f.id === id)?.name ?? id;
  const reset = () => setCursors([]);

  return (
    <>
      {canWrite && (
        <PlaceCall
          flows={flows.data?.data ?? []}
          onPlaced={() => {
            reset();
            list.reload();
          }}
        />
      )}
      <Card title="Calls">
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
            Direction{" "}
            <select
              value={direction}
              onChange={(e) => {
                setDirection(e.target.value);
                reset();
              }}
            >
              <option value="">Both</option>
              <option value="inbound">inbound</option>
              <option value="outbound">outbound</option>
            </select>
          </label>
        </div>
        <ErrorBanner error={list.error} />
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Direction</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Flow</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((c: any) => (
                <tr key={c.id} data-call={c.id}>
                  <td>
                    <Link to={`/voice/calls/${c.id}`}>{fmtTime(c.created_at)}</Link>
                  </td>
                  <td>{c.direction}</td>
                  <td>{c.from}</td>
                  <td>{c.to}</td>
                  <td>{c.flow_id ? flowName(c.flow_id) : <span className="muted">message</span>}</td>
                  <td>
                    <Badge status={c.status} />
                    {c.error_code && <div className="small warn-text">Twilio {c.error_code}</div>}
                  </td>
                  <td className="num">{c.duration_seconds === null ? "—" : `${c.duration_seconds} s`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data?.data.length === 0 && <Empty>No calls match.</Empty>}
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

function PlaceCall({ flows, onPlaced }: { flows: any[]; onPlaced: () => void }) {
  const numbers = useTenantNumbers();
  const [to, setTo] = useState("");
  const [from, setFrom] = useState("");
  const [what, setWhat] = useState<"flow" | "say">("flow");
  const [flowId, setFlowId] = useState("");
  const [say, setSay] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [placed, setPlaced] = useState<any>(null);
  const at = (path: string) => problemsAt(problemsOf(error), path);
  const chosenFlow = flowId || flows[0]?.id || "";

  function place(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setPlaced(null);
    post("/v1/calls", {
      to: to.trim(),
      ...(from.trim() ? { from: from.trim() } : {}),
      ...(what === "flow" ? { flow_id: chosenFlow } : { say }),
    }).then((c) => {
      setPlaced(c);
      onPlaced();
    }, setError);
  }

  return (
    <Card title="Place a call">
      <form onSubmit={place} aria-label="Place a call">
        <div className="inline-form">
          <div className="field">
            <label htmlFor="call-to">To</label>
            <input
              id="call-to"
              required
              placeholder="+14155552671"
              value={to}
              aria-invalid={at("/to").length > 0 || undefined}
              onChange={(e) => setTo(e.target.value)}
            />
            <Problems problems={at("/to")} />
          </div>
          <div className="field">
            <label htmlFor="call-from">From (optional)</label>
            <input
              id="call-from"
              list="call-tenant-numbers"
              placeholder="the flow's number"
              value={from}
              aria-invalid={at("/from").length > 0 || undefined}
              onChange={(e) => setFrom(e.target.value)}
            />
            <NumberOptions id="call-tenant-numbers" numbers={numbers} />
            <Problems problems={[...at("/from"), ...at("/phone_number")]} />
          </div>
        </div>
        <fieldset>
          <legend>The call</legend>
          <div className="inline-form">
            <label className="field-check">
              <input
                type="radio"
                name="call-what"
                checked={what === "flow"}
                onChange={() => setWhat("flow")}
              />{" "}
              Runs the flow
            </label>
            <select
              aria-label="Flow"
              value={chosenFlow}
              disabled={what !== "flow"}
              onChange={(e) => setFlowId(e.target.value)}
            >
              {flows.length === 0 && <option value="">No flow yet</option>}
              {flows.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
            <label className="field-check">
              <input type="radio" name="call-what" checked={what === "say"} onChange={() => setWhat("say")} />{" "}
              Says
            </label>
            <input
              aria-label="Message to say"
              className="wide"
              placeholder="Your table is ready."
              disabled={what !== "say"}
              value={say}
              onChange={(e) => setSay(e.target.value)}
            />
          </div>
          <Problems problems={[...at("/flow_id"), ...at("/say")]} />
        </fieldset>
        <div className="form-actions">
          <button className="primary" type="submit">
            Call
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {placed && (
        <Notice tone="good">
          Calling {placed.to} from {placed.from}: <Link to={`/voice/calls/${placed.id}`}>{placed.id}</Link>
        </Notice>
      )}
    </Card>
  );
}
