import { type FormEvent, useState } from "react";
import { Badge, Card, Empty, ErrorBanner, Problems } from "../../components/ui";
import { del, get, post, problemsAt, problemsOf, qs } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useAsync } from "../../lib/hooks";

/** WhatsApp opt-ins: every send needs one; STOP revokes it, START or a new opt-in restores it. */
export function OptIns({ canWrite }: { canWrite: boolean }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) => get(`/v1/whatsapp/opt-ins${qs({ cursor, limit: 50 })}`, { signal }),
    [cursor],
  );
  const [phone, setPhone] = useState("");
  const [evidence, setEvidence] = useState("");
  const [error, setError] = useState<unknown>(null);
  const at = (path: string) => problemsAt(problemsOf(error), path);

  function record(e: FormEvent) {
    e.preventDefault();
    setError(null);
    post("/v1/whatsapp/opt-ins", {
      phone_number: phone.trim(),
      ...(evidence.trim() ? { evidence } : {}),
    }).then(() => {
      setPhone("");
      setEvidence("");
      setCursors([]);
      list.reload();
    }, setError);
  }

  return (
    <Card title="Opt-ins">
      {canWrite && (
        <form className="inline-form" onSubmit={record} aria-label="Record an opt-in">
          <div className="field">
            <label htmlFor="wa-optin-phone">Contact</label>
            <input
              id="wa-optin-phone"
              required
              placeholder="+14155552671"
              value={phone}
              aria-invalid={at("/phone_number").length > 0 || undefined}
              onChange={(e) => setPhone(e.target.value)}
            />
            <Problems problems={at("/phone_number")} />
          </div>
          <div className="field">
            <label htmlFor="wa-optin-evidence">Evidence</label>
            <input
              id="wa-optin-evidence"
              placeholder="checkbox at checkout, 2030-01-31"
              maxLength={500}
              value={evidence}
              onChange={(e) => setEvidence(e.target.value)}
            />
          </div>
          <div className="field">
            <button className="primary" type="submit">
              Record opt-in
            </button>
          </div>
        </form>
      )}
      <ErrorBanner error={error ?? list.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">Status</th>
              <th scope="col">How</th>
              <th scope="col">Opted in</th>
              <th scope="col">Revoked</th>
              {canWrite && <th scope="col" />}
            </tr>
          </thead>
          <tbody>
            {list.data?.data.map((o: any) => (
              <tr key={o.phone_number}>
                <td>{o.phone_number}</td>
                <td>
                  <Badge status={o.status} />
                </td>
                <td>
                  {o.source === "inbound" ? "Wrote first" : humanize(o.source)}
                  {o.evidence && <div className="small muted">{o.evidence}</div>}
                </td>
                <td>{fmtTime(o.opted_in_at)}</td>
                <td>{fmtTime(o.revoked_at)}</td>
                {canWrite && (
                  <td>
                    {o.status === "opted_in" && (
                      <button
                        type="button"
                        className="link danger"
                        onClick={() => {
                          setError(null);
                          del(`/v1/whatsapp/opt-ins/${encodeURIComponent(o.phone_number)}`).then(
                            list.reload,
                            setError,
                          );
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.data.length === 0 && <Empty>No opt-ins.</Empty>}
      <div className="pager">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!list.data?.has_more}
          onClick={() => setCursors([...cursors, list.data.next_cursor])}
        >
          Next
        </button>
      </div>
    </Card>
  );
}
