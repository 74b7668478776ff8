import { useState } from "react";
import { Badge, Card, ErrorBanner, Notice, TextInput } from "../../components/ui";
import { get, post } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useSubmission } from "../../lib/forms";
import { useAsync } from "../../lib/hooks";

/**
 * Short code applications: Twilio reviews them with the carriers over weeks and has no API to
 * apply, so Subtext keeps the application and follows it until the short code is live in the
 * tenant's Messaging Service (then it sends from it, on a lane of its own).
 */
export function ShortCodes({ tenantId }: { tenantId: string }) {
  const path = `/v1/tenants/${tenantId}/short-codes`;
  const list = useAsync((signal) => get(path, { signal, noTenant: true }), [path]);
  const apps: any[] = list.data?.data ?? [];
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ use_case: "", sample: "", opt_in_flow: "", volume: "10000" });
  const s = useSubmission<any>();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <Card
      title="Short codes"
      actions={<span className="muted small">carrier review: 8–12 weeks in the US</span>}
    >
      <ErrorBanner error={list.error} />
      {apps.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="short-codes">
            <thead>
              <tr>
                <th>Application</th>
                <th>State</th>
                <th>Short code</th>
                <th>Applied</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.id}>
                  <td className="small">{a.application.use_case}</td>
                  <td>
                    <Badge status={a.state} label={humanize(a.state)} />
                    {a.failure && <div className="fix small">{a.failure.message}</div>}
                  </td>
                  <td>{a.short_code ?? "—"}</td>
                  <td className="small">{fmtTime(a.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Apply for a short code
        </button>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            s.submit(
              () =>
                post(
                  path,
                  {
                    use_case: f.use_case,
                    message_samples: [f.sample],
                    opt_in_flow: f.opt_in_flow,
                    expected_monthly_volume: Number(f.volume),
                  },
                  { noTenant: true },
                ),
              () => {
                setOpen(false);
                list.reload();
              },
            );
          }}
        >
          <TextInput
            id="short-code-use-case"
            label="What it sends, to whom and why"
            multiline
            value={f.use_case}
            onChange={set("use_case")}
            problems={s.at("/use_case")}
          />
          <TextInput
            id="short-code-sample"
            label="A message as it will be sent (brand name and opt-out wording)"
            value={f.sample}
            onChange={set("sample")}
            problems={s.at("/message_samples/0")}
          />
          <TextInput
            id="short-code-opt-in"
            label="How recipients opt in"
            multiline
            value={f.opt_in_flow}
            onChange={set("opt_in_flow")}
            problems={s.at("/opt_in_flow")}
          />
          <TextInput
            id="short-code-volume"
            label="Messages per month"
            inputMode="numeric"
            value={f.volume}
            onChange={set("volume")}
            problems={s.at("/expected_monthly_volume")}
          />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={s.busy}>
              Submit the application
            </button>
          </div>
          <ErrorBanner error={s.error} />
        </form>
      )}
      {s.result && (
        <Notice tone="good">
          Submitted: the carriers review it; it goes live in the tenant's Messaging Service.
        </Notice>
      )}
    </Card>
  );
}
