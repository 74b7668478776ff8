import { useState } from "react";
import { Badge, Card, ErrorBanner, Notice, Problems, TextInput } from "../../components/ui";
import { get, post, problemsOf, qs } from "../../lib/api";
import { fmtTime, humanize } from "../../lib/format";
import { useSubmission } from "../../lib/forms";
import { useAsync, useInterval } from "../../lib/hooks";

const SETTLED = new Set(["approved", "rejected"]);
const ADDRESS_FIELDS = ["customer_name", "street", "city", "region", "postal_code"] as const;

/**
 * Regulatory bundles: what a country asks for numbers of a type (read from Twilio's
 * regulations), a form built from it, and the tenant's bundles through review. A rejected
 * bundle shows Twilio's reasons and is resubmitted after the data is fixed.
 */
export function Bundles({ tenantId, countries }: { tenantId: string; countries: string[] }) {
  const path = `/v1/tenants/${tenantId}/bundles`;
  const list = useAsync((signal) => get(path, { signal, noTenant: true }), [path]);
  const bundles: any[] = list.data?.data ?? [];
  useInterval(
    list.reload,
    3000,
    bundles.some((b) => !SETTLED.has(b.state)),
  );
  const [error, setError] = useState<unknown>(null);
  return (
    <Card
      title="Regulatory bundles"
      actions={<span className="muted small">numbers in other countries</span>}
    >
      <ErrorBanner error={list.error ?? error} />
      {bundles.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="bundles">
            <thead>
              <tr>
                <th>Country</th>
                <th>Numbers</th>
                <th>State</th>
                <th>Submitted</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {bundles.map((b) => (
                <tr key={b.id} data-testid={`bundle-${b.country}`}>
                  <td>
                    <strong>{b.country}</strong>
                  </td>
                  <td className="small">
                    {humanize(b.number_type)} · {b.end_user_type}
                  </td>
                  <td>
                    <Badge status={b.state} label={humanize(b.state)} />
                    {b.failure?.reasons?.map((r: any) => (
                      <div key={`${r.code}-${r.document}`} className="fix small">
                        {r.message}
                      </div>
                    ))}
                  </td>
                  <td className="small">{b.submitted_at ? fmtTime(b.submitted_at) : "—"}</td>
                  <td>
                    {b.state === "rejected" && (
                      <button
                        type="button"
                        onClick={() => {
                          setError(null);
                          post(`${path}/${b.id}/resubmit`, {}, { noTenant: true }).then(
                            list.reload,
                            setError,
                          );
                        }}
                      >
                        Resubmit
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewBundle path={path} countries={countries} onCreated={list.reload} />
    </Card>
  );
}

function NewBundle({
  path,
  countries,
  onCreated,
}: {
  path: string;
  countries: string[];
  onCreated: () => void;
}) {
  const [what, setWhat] = useState({
    country: countries[0] ?? "",
    number_type: "mobile",
    end_user_type: "business",
  });
  const req = useAsync(
    (signal) => (what.country ? get(`/v1/regulations${qs(what)}`, { signal }) : Promise.resolve(null)),
    [what.country, what.number_type, what.end_user_type],
  );
  const r = req.data;
  const [endUser, setEndUser] = useState<Record<string, string>>({});
  const [docs, setDocs] = useState<Record<string, { type: string; attributes: Record<string, string> }>>({});
  const [address, setAddress] = useState<Record<string, string>>({});
  const [email, setEmail] = useState("");
  const s = useSubmission<any>();
  const problems = problemsOf(s.error);
  if (countries.length === 0) return <p className="muted small">Declare the countries first (above).</p>;
  const set = (k: keyof typeof what) => (v: string) => setWhat({ ...what, [k]: v });
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        s.submit(
          () =>
            post(
              path,
              {
                ...what,
                email,
                end_user: endUser,
                documents: (r?.documents ?? []).map((g: any) => {
                  const d = docs[g.requirement] ?? { type: g.accepted[0]?.type, attributes: {} };
                  return { type: d.type, attributes: d.attributes };
                }),
                ...(r?.address.required ? { address: { ...address, iso_country: what.country } } : {}),
              },
              { noTenant: true },
            ),
          onCreated,
        );
      }}
    >
      <h3>New bundle</h3>
      <div className="inline-form">
        <div className="field">
          <label htmlFor="bundle-country">Country</label>
          <select id="bundle-country" value={what.country} onChange={(e) => set("country")(e.target.value)}>
            {countries.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="bundle-type">Number type</label>
          <select
            id="bundle-type"
            value={what.number_type}
            onChange={(e) => set("number_type")(e.target.value)}
          >
            <option value="mobile">Mobile</option>
            <option value="local">Local</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="bundle-end-user">For</label>
          <select
            id="bundle-end-user"
            value={what.end_user_type}
            onChange={(e) => set("end_user_type")(e.target.value)}
          >
            <option value="business">A business</option>
            <option value="individual">An individual</option>
          </select>
        </div>
      </div>
      <ErrorBanner error={req.error} />
      {r && !r.bundle_required && <Notice>These numbers need no bundle: buy them directly.</Notice>}
      {r?.bundle_required && (
        <>
          <p className="muted small" data-testid="regulation">
            {r.regulation_name}: Twilio reviews in {r.review_time.min_days}–{r.review_time.max_days} business
            days.
          </p>
          <TextInput
            id="bundle-email"
            label="Email for Twilio's review notes"
            type="email"
            value={email}
            onChange={setEmail}
            problems={s.at("/email")}
          />
          <fieldset className="plain">
            <legend>{r.end_user?.name ?? "End user"}</legend>
            {(r.end_user?.fields ?? []).map((f: any) => (
              <TextInput
                key={f.name}
                id={`end-user-${f.name}`}
                label={f.label}
                help={f.description ?? undefined}
                value={endUser[f.name] ?? ""}
                onChange={(v) => setEndUser({ ...endUser, [f.name]: v })}
                problems={s.at(`/end_user/${f.name}`)}
              />
            ))}
          </fieldset>
          {r.documents.map((g: any, i: number) => {
            const d = docs[g.requirement] ?? { type: g.accepted[0]?.type, attributes: {} };
            const type = g.accepted.find((a: any) => a.type === d.type) ?? g.accepted[0];
            return (
              <fieldset key={g.requirement} className="plain">
                <legend>{g.name}</legend>
                <div className="field">
                  <label htmlFor={`doc-${i}-type`}>Document</label>
                  <select
                    id={`doc-${i}-type`}
                    value={d.type}
                    onChange={(e) =>
                      setDocs({ ...docs, [g.requirement]: { type: e.target.value, attributes: {} } })
                    }
                  >
                    {g.accepted.map((a: any) => (
                      <option key={a.type} value={a.type}>
                        {a.name}
                      </option>
                    ))}
                  </select>
                </div>
                {(type?.fields ?? []).map((f: any) => (
                  <TextInput
                    key={f.name}
                    id={`doc-${i}-${f.name}`}
                    label={f.label}
                    value={d.attributes[f.name] ?? ""}
                    onChange={(v) =>
                      setDocs({
                        ...docs,
                        [g.requirement]: { ...d, attributes: { ...d.attributes, [f.name]: v } },
                      })
                    }
                    problems={s.at(`/documents/${i}/attributes/${f.name}`)}
                  />
                ))}
              </fieldset>
            );
          })}
          {r.address.required && (
            <fieldset className="plain">
              <legend>
                Address{" "}
                {r.address.where === "locality" ? "(in the city of the numbers)" : `in ${what.country}`}
              </legend>
              {ADDRESS_FIELDS.map((f) => (
                <TextInput
                  key={f}
                  id={`address-${f}`}
                  label={humanize(f)}
                  value={address[f] ?? ""}
                  onChange={(v) => setAddress({ ...address, [f]: v })}
                  problems={s.at(`/address/${f}`)}
                />
              ))}
            </fieldset>
          )}
          <Problems
            problems={problems.filter((p) => !p.path || p.path === "/documents" || p.path === "/country")}
          />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={s.busy}>
              Submit the bundle
            </button>
          </div>
          <ErrorBanner error={s.error} />
          {s.result && (
            <Notice tone="good">Submitted: Twilio reviews it, usually in 1–3 business days.</Notice>
          )}
        </>
      )}
    </form>
  );
}
