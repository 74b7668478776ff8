import { useState } from "react";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { get, qs } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { Link, useRouter } from "../../lib/router";

/** The tenant's IVR flows with their numbers; each opens in the editor. */
export function Flows({ canWrite }: { canWrite: boolean }) {
  const { navigate } = useRouter();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const flows = useAsync((signal) => get(`/v1/ivr-flows${qs({ cursor, limit: 50 })}`, { signal }), [cursor]);
  return (
    <Card
      title="IVR flows"
      actions={
        canWrite && (
          <button type="button" className="primary" onClick={() => navigate("/voice/flows/new")}>
            New flow
          </button>
        )
      }
    >
      <p className="muted">
        A flow is a phone menu: named steps (say, play, menu, dial, record, redirect, hang up) linked to each
        other. Calls to its numbers run it; outbound calls can run it too.
      </p>
      <ErrorBanner error={flows.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Numbers</th>
              <th scope="col" className="num">
                Nodes
              </th>
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col">Warnings</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {flows.data?.data.map((f: any) => (
              <tr key={f.id}>
                <td>
                  <Link to={`/voice/flows/${f.id}`}>{f.name}</Link> <div className="small muted">{f.id}</div>
                </td>
                <td>{(f.phone_numbers ?? []).join(", ") || "—"}</td>
                <td className="num">{Object.keys(f.nodes ?? {}).length}</td>
                <td className="num">{f.version}</td>
                <td>
                  {f.findings?.length ? (
                    <span className="warn-text small">{f.findings.map((x: any) => x.code).join(", ")}</span>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{fmtTime(f.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {flows.data?.data.length === 0 && <Empty>No IVR flows yet.</Empty>}
      <div className="pager">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!flows.data?.has_more}
          onClick={() => setCursors([...cursors, flows.data.next_cursor])}
        >
          Next
        </button>
      </div>
    </Card>
  );
}
