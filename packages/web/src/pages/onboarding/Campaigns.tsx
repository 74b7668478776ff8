import { useState } from "react";
import { Badge, Card, ErrorBanner, Notice, Problems, TextInput } from "../../components/ui";
import { del, get, post, problemsOf } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useSubmission } from "../../lib/forms";
import { useAsync, useInterval } from "../../lib/hooks";

const USE_CASES = [
  "2FA",
  "ACCOUNT_NOTIFICATION",
  "CUSTOMER_CARE",
  "DELIVERY_NOTIFICATION",
  "FRAUD_ALERT",
  "HIGHER_EDUCATION",
  "MARKETING",
  "MIXED",
  "POLLING_VOTING",
  "PUBLIC_SERVICE_ANNOUNCEMENT",
  "SECURITY_ALERT",
  "POLITICAL",
];

const SETTLED = new Set(["approved", "failed", "suspended", "deleted"]);

/**
 * A 10DLC registration's campaigns (one per use case, each with its own service, number and
 * lane), a form to add one, and the brand's vettings (secondary vetting leaves low-volume
 * standard; a Campaign Verify token opens political campaigns).
 */
export function Campaigns({
  tenantId,
  registration,
  onRegistrationChange,
}: {
  tenantId: string;
  registration: any;
  /** A vetting may change the registration (its kind and trust score). */
  onRegistrationChange: () => void;
}) {
  const path = `/v1/tenants/${tenantId}/registrations/${registration.id}`;
  const campaigns = useAsync((signal) => get(`${path}/campaigns`, { signal, noTenant: true }), [path]);
  const vettings = useAsync((signal) => get(`${path}/vettings`, { signal, noTenant: true }), [path]);
  // The lanes as they are (overrides included), with their history: a vetting's raise shows there.
  const lanes = useAsync((signal) => get("/v1/lanes", { signal }), [path]);
  const laneOf = (sid: string | null) =>
    (lanes.data?.data ?? []).find((l: any) => l.kind === "10dlc_campaign" && l.messaging_service_sid === sid);
  const list: any[] = campaigns.data?.data ?? [];
  const vets: any[] = vettings.data?.data ?? [];
  const busy = list.some((c) => !SETTLED.has(c.state)) || vets.some((v) => v.state === "in_progress");
  useInterval(
    () => {
      campaigns.reload();
      vettings.reload();
      lanes.reload();
      if (vets.some((v) => v.state === "in_progress")) onRegistrationChange();
    },
    2000,
    busy,
  );
  const [error, setError] = useState<unknown>(null);
  const approved = registration.state === "approved";
  const soleProprietor = registration.kind === "sole_proprietor";
  return (
    <>
      <Card title="Campaigns" actions={<span className="muted small">one per use case</span>}>
        <ErrorBanner error={campaigns.error ?? error} />
        <div className="table-wrap">
          <table className="table" data-testid="campaigns">
            <thead>
              <tr>
                <th>Use case</th>
                <th>State</th>
                <th>Messaging Service</th>
                <th>Number</th>
                <th>Lane</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-testid={`campaign-${c.use_case}`}>
                  <td>
                    <strong>{c.use_case}</strong>
                    {c.first && <span className="muted small"> (first)</span>}
                  </td>
                  <td>
                    <Badge status={c.state} />
                    {c.current_step && <div className="muted small">{humanize(c.current_step)}</div>}
                    {c.failure?.reasons?.[0]?.hint && (
                      <div className="fix small">{c.failure.reasons[0].hint}</div>
                    )}
                  </td>
                  <td>
                    <code className="small">{c.messaging_service_sid ?? "—"}</code>
                  </td>
                  <td>{c.numbers.map((n: any) => n.phone_number).join(", ") || "—"}</td>
                  <td className="small">
                    <LaneCell planned={c.lane} lane={laneOf(c.messaging_service_sid)} />
                  </td>
                  <td>
                    {!c.first && c.state !== "deleted" && c.state !== "deleting" && (
                      <button
                        type="button"
                        onClick={() => {
                          if (
                            !window.confirm(
                              `Delete the ${c.use_case} campaign? Its queued messages are canceled.`,
                            )
                          )
                            return;
                          setError(null);
                          del(`${path}/campaigns/${c.id}`, { noTenant: true }).then(
                            campaigns.reload,
                            setError,
                          );
                        }}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {soleProprietor ? (
          <p className="muted small">A sole proprietor brand has exactly one campaign.</p>
        ) : approved ? (
          <AddCampaign
            path={path}
            taken={list.filter((c) => c.state !== "deleted").map((c) => c.use_case)}
            onAdded={campaigns.reload}
          />
        ) : (
          <p className="muted small">Campaigns for other use cases are added once the brand is approved.</p>
        )}
      </Card>
      {!soleProprietor && (
        <Vettings path={path} registration={registration} vettings={vets} onChange={vettings.reload} />
      )}
    </>
  );
}

/** The campaign's lane: its live limits when it exists, and its last change from the registration. */
function LaneCell({ planned, lane }: { planned: any; lane: any }) {
  if (!planned) return <>—</>;
  const mps = lane?.mps ?? planned.mps;
  const kind = lane?.rate_kind ?? planned.rate_kind;
  const cap = lane ? lane.daily_cap : planned.daily_cap;
  const raised = lane?.history?.find((h: any) => h.reason === "registration" && h.previous);
  return (
    <>
      {`${mps} seg/s · ${humanize(kind)}${cap ? ` · ${cap}/day` : ""}`}
      {raised && (
        <div className="muted" data-testid="lane-change">
          was {raised.previous.mps} seg/s ({humanize(raised.previous.rate_kind)}) until {fmtTime(raised.at)}
        </div>
      )}
    </>
  );
}

function AddCampaign({ path, taken, onAdded }: { path: string; taken: string[]; onAdded: () => void }) {
  const free = USE_CASES.filter((u) => !taken.includes(u));
  const [open, setOpen] = useState(false);
  const [c, setC] = useState({
    use_case: free[0] ?? "2FA",
    description: "",
    message_flow: "",
    sample1: "",
    sample2: "",
    has_embedded_links: false,
  });
  const s = useSubmission();
  const problems = problemsOf(s.error).map((p) => ({
    ...p,
    path: `/${p.path.replace(/^campaign\./, "").replace(/\[(\d+)\]/g, "/$1")}`,
  }));
  const at = (field: string) =>
    problems.filter((p) => p.path === `/${field}` || p.path.startsWith(`/${field}/`));
  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)} disabled={free.length === 0}>
        Add a campaign
      </button>
    );
  }
  const set = (k: string) => (v: string) => setC({ ...c, [k]: v });
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        s.submit(
          () =>
            post(
              `${path}/campaigns`,
              {
                use_case: c.use_case,
                description: c.description,
                message_flow: c.message_flow,
                message_samples: [c.sample1, c.sample2],
                has_embedded_links: c.has_embedded_links,
                has_embedded_phone: false,
              },
              { noTenant: true },
            ),
          () => {
            setOpen(false);
            onAdded();
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor="campaign-use-case">Use case</label>
        <select id="campaign-use-case" value={c.use_case} onChange={(e) => set("use_case")(e.target.value)}>
          {free.map((u) => (
            <option key={u} value={u}>
              {humanize(u)}
            </option>
          ))}
        </select>
      </div>
      <TextInput
        id="campaign-description"
        label="Description"
        multiline
        value={c.description}
        onChange={set("description")}
        problems={at("description")}
      />
      <TextInput
        id="campaign-flow"
        label="How people opt in (message flow)"
        multiline
        value={c.message_flow}
        onChange={set("message_flow")}
        problems={at("message_flow")}
      />
      <TextInput
        id="campaign-sample-1"
        label="Sample message 1"
        value={c.sample1}
        onChange={set("sample1")}
        problems={at("message_samples/0")}
      />
      <TextInput
        id="campaign-sample-2"
        label="Sample message 2"
        value={c.sample2}
        onChange={set("sample2")}
        problems={at("message_samples/1")}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={c.has_embedded_links}
          onChange={(e) => setC({ ...c, has_embedded_links: e.target.checked })}
        />{" "}
        Messages contain links
      </label>
      <Problems
        problems={problems.filter((p) => !/^\/(description|message_flow|message_samples)/.test(p.path))}
      />
      <ErrorBanner error={s.error} />
      <div className="form-actions">
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={s.busy}>
          Register the campaign
        </button>
      </div>
    </form>
  );
}

function Vettings({
  path,
  registration,
  vettings,
  onChange,
}: {
  path: string;
  registration: any;
  vettings: any[];
  onChange: () => void;
}) {
  const s = useSubmission();
  const [token, setToken] = useState("");
  const lowVolume = registration.kind === "low_volume_standard";
  const open = (provider: string) =>
    vettings.some((v) => v.provider === provider && v.state === "in_progress");
  const ask = (body: object) => s.submit(() => post(`${path}/vettings`, body, { noTenant: true }), onChange);
  return (
    <Card
      title="Brand vetting"
      actions={<span className="muted small">trust score {registration.resources?.trust_score ?? "—"}</span>}
    >
      {lowVolume ? (
        <p className="muted">
          Low-volume standard: about 3.75 segments per second per campaign and 6,000 a day. Secondary vetting
          gives the brand a trust score; it then becomes a standard brand, and its lanes take that score's
          rate and caps.
        </p>
      ) : (
        <p className="muted">Vettings of this brand. A Campaign Verify token opens political campaigns.</p>
      )}
      {registration.state === "approved" && (
        <div className="toolbar">
          {lowVolume && (
            <button
              type="button"
              className="primary"
              disabled={s.busy || open("aegis")}
              onClick={() => ask({ provider: "aegis" })}
            >
              Ask for secondary vetting
            </button>
          )}
          <input
            aria-label="Campaign Verify token"
            placeholder="cv|…"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <button
            type="button"
            disabled={s.busy || !token || open("campaign-verify")}
            onClick={() => ask({ provider: "campaign-verify", vetting_token: token })}
          >
            Import Campaign Verify token
          </button>
        </div>
      )}
      <ErrorBanner error={s.error} />
      {vettings.length > 0 && (
        <ul className="reasons" data-testid="vettings">
          {vettings.map((v) => (
            <li key={v.id}>
              <Badge status={v.state} /> <strong>{v.provider}</strong>{" "}
              <span className="muted small">asked {fmtTime(v.created_at)}</span>
              {v.state === "succeeded" && v.kind_after !== v.kind_before && (
                <Notice tone="good">
                  Now {humanize(v.kind_after)} with trust score {v.trust_score}: its lanes follow the new
                  rate.
                </Notice>
              )}
              {v.failure?.hint && <div className="fix">What to do: {v.failure.hint}</div>}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
