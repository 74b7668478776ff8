import { NUM, Pager, ResultTable } from "../../components/lists";
import { Card } from "../../components/ui";
import { fmtTime } from "../../lib/format";
import { usePages } from "../../lib/paging";
import { Link, useRouter } from "../../lib/router";

/** The tenant's IVR flows with their numbers; each opens in the editor. */
export function Flows({ canWrite }: { canWrite: boolean }) {
  const { navigate } = useRouter();
  const flows = usePages("/v1/ivr-flows", {}, { limit: 50 });
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
      <ResultTable
        columns={["Name", "Numbers", NUM("Nodes"), NUM("Version"), "Warnings", "Updated"]}
        rows={flows.rows}
        error={flows.list.error}
        empty="No IVR flows yet."
        row={(f: any) => (
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
        )}
      />
      <Pager pages={flows} labels={["Previous", "Next"]} />
    </Card>
  );
}
