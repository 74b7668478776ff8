import { type FormEvent, useState } from "react";
import { NUM, FilterBar, Pager, ResultTable, SelectFilter } from "../../components/lists";
import { Badge, Card, ErrorBanner, Field, Notice, Problems, PhoneInput } from "../../components/ui";
import { get, post } from "../../lib/api";
import { useSubmission } from "../../lib/forms";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { usePages } from "../../lib/paging";
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
const DIRECTIONS = ["inbound", "outbound"];
export const FINAL_CALL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

/** Calls in and out, newest first, and placing one that runs a flow or says a message. */
export function Calls({ canWrite }: { canWrite: boolean }) {
  const [status, setStatus] = useState("");
  const [direction, setDirection] = useState("");
  const pages = usePages("/v1/calls", { status, direction }, { limit: 25, follow: true });
  const flows = useAsync((signal) => get("/v1/ivr-flows?limit=100", { signal }), []);
  const flowName = (id: string | null) => flows.data?.data.find((f: any) => f.id === id)?.name ?? id;

  return (
    <>
      {canWrite && <PlaceCall flows={flows.data?.data ?? []} onPlaced={pages.first} />}
      <Card title="Calls">
        <FilterBar>
          <SelectFilter label="Status" value={status} onChange={setStatus} options={STATUSES} />
          <SelectFilter
            label="Direction"
            value={direction}
            onChange={setDirection}
            options={DIRECTIONS}
            all="Both"
          />
        </FilterBar>
        <ResultTable
          columns={["Started", "Direction", "From", "To", "Flow", "Status", NUM("Duration")]}
          rows={pages.rows}
          error={pages.list.error}
          empty="No calls match."
          row={(c: any) => (
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
          )}
        />
        <Pager pages={pages} />
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
  const call = useSubmission();
  const chosenFlow = flowId || flows[0]?.id || "";

  function place(e: FormEvent) {
    e.preventDefault();
    call.submit(
      () =>
        post("/v1/calls", {
          to: to.trim(),
          ...(from.trim() ? { from: from.trim() } : {}),
          ...(what === "flow" ? { flow_id: chosenFlow } : { say }),
        }),
      onPlaced,
    );
  }

  return (
    <Card title="Place a call">
      <form onSubmit={place} aria-label="Place a call">
        <div className="inline-form">
          <PhoneInput id="call-to" label="To" value={to} onChange={setTo} problems={call.at("/to")} />
          <Field
            id="call-from"
            label="From (optional)"
            problems={[...call.at("/from"), ...call.at("/phone_number")]}
          >
            <input
              id="call-from"
              list="call-tenant-numbers"
              placeholder="the flow's number"
              value={from}
              aria-invalid={call.invalid("/from")}
              onChange={(e) => setFrom(e.target.value)}
            />
            <NumberOptions id="call-tenant-numbers" numbers={numbers} />
          </Field>
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
          <Problems problems={[...call.at("/flow_id"), ...call.at("/say")]} />
        </fieldset>
        <div className="form-actions">
          <button className="primary" type="submit">
            Call
          </button>
        </div>
      </form>
      <ErrorBanner error={call.error} />
      {call.result && (
        <Notice tone="good">
          Calling {call.result.to} from {call.result.from}:{" "}
          <Link to={`/voice/calls/${call.result.id}`}>{call.result.id}</Link>
        </Notice>
      )}
    </Card>
  );
}
