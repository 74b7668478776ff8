import { useState } from "react";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { get } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";

/** IVR flows (voice): listed with their numbers; a flow's definition is shown as the API's JSON. */
export function IvrFlows() {
  const flows = useAsync((signal) => get("/v1/ivr-flows", { signal }), []);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card title="IVR flows">
      <p className="muted">
        Flows are created and changed with POST/PUT /v1/ivr-flows; the dashboard shows them.
      </p>
      <ErrorBanner error={flows.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Numbers</th>
            <th scope="col">Updated</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {flows.data?.data?.map((f: any) => (
            <tr key={f.id}>
              <td>{f.name}</td>
              <td>{(f.phone_numbers ?? []).join(", ") || "—"}</td>
              <td>{fmtTime(f.updated_at)}</td>
              <td>
                <button type="button" className="link" onClick={() => setOpen(open === f.id ? null : f.id)}>
                  {open === f.id ? "Hide" : "Show"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {flows.data?.data?.length === 0 && <Empty>No IVR flows.</Empty>}
      {open && (
        <pre className="code">
          {JSON.stringify(
            flows.data?.data?.find((f: any) => f.id === open),
            null,
            2,
          )}
        </pre>
      )}
    </Card>
  );
}
