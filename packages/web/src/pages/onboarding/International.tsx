import { SENDER_OPTIONS, senderOptionsFor } from "@subtext/telecom/countries/sender-options";
import { useState } from "react";
import { Badge, Card, ErrorBanner, Notice, TextInput } from "../../components/ui";
import { del, get, post, put } from "../../lib/api";
import { humanize } from "../../lib/format";
import { useSubmission } from "../../lib/forms";
import { useAsync } from "../../lib/hooks";
import { Bundles } from "./Bundles";
import { ShortCodes } from "./ShortCodes";

/** The countries the country data knows, US and Canada (always permitted) aside. */
const ABROAD = Object.values(SENDER_OPTIONS)
  .filter((c) => c.country !== "US" && c.country !== "CA")
  .sort((a, b) => a.name.localeCompare(b.name));

const ALPHA: Record<string, string> = {
  allowed: "Alphanumeric ID: allowed",
  registration_required: "Alphanumeric ID: registration required",
  not_supported: "No alphanumeric ID",
};

/**
 * Sending abroad: the countries the tenant serves (its geo permissions at Twilio), what each
 * country offers as a sender, the alphanumeric sender IDs, the regulatory bundles that numbers in
 * other countries need, and short code applications.
 */
export function International({ tenantId }: { tenantId: string }) {
  const countries = useAsync(
    (signal) => get(`/v1/tenants/${tenantId}/countries`, { signal, noTenant: true }),
    [tenantId],
  );
  const declared: string[] = countries.data?.countries ?? [];
  return (
    <>
      <Card title="Sending abroad" actions={<span className="muted small">beyond the US and Canada</span>}>
        <ErrorBanner error={countries.error} />
        {countries.data && <Countries tenantId={tenantId} declared={declared} onSaved={countries.reload} />}
        {declared.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="country-options">
              <thead>
                <tr>
                  <th>Country</th>
                  <th>Alphanumeric ID</th>
                  <th>Local numbers</th>
                  <th>Short codes</th>
                </tr>
              </thead>
              <tbody>
                {declared.map((iso) => {
                  const o = senderOptionsFor(iso);
                  if (!o) return null;
                  return (
                    <tr key={iso} data-testid={`country-${iso}`}>
                      <td>
                        <strong>{o.name}</strong> <span className="muted small">{iso}</span>
                      </td>
                      <td className="small">
                        {ALPHA[o.alphanumeric.status]}
                        {o.alphanumeric.registration && (
                          <div className="muted">{o.alphanumeric.registration}</div>
                        )}
                      </td>
                      <td className="small">
                        {!o.long_code.available
                          ? "Not sold"
                          : `${o.long_code.number_types.map(humanize).join(", ")}${o.long_code.bundle_required ? " · regulatory bundle first" : ""}${o.long_code.a2p ? "" : " · person-to-person only"}`}
                      </td>
                      <td className="small">{o.short_code.available ? "Available" : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <AlphaSenders declared={declared} />
      <Bundles
        tenantId={tenantId}
        countries={declared.filter((iso) => senderOptionsFor(iso)?.long_code.bundle_required)}
      />
      <ShortCodes tenantId={tenantId} />
    </>
  );
}

function Countries({
  tenantId,
  declared,
  onSaved,
}: {
  tenantId: string;
  declared: string[];
  onSaved: () => void;
}) {
  const [chosen, setChosen] = useState<string[]>(declared);
  const s = useSubmission<any>();
  const toggle = (iso: string) =>
    setChosen(chosen.includes(iso) ? chosen.filter((c) => c !== iso) : [...chosen, iso]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        s.submit(
          () => put(`/v1/tenants/${tenantId}/countries`, { countries: chosen }, { noTenant: true }),
          onSaved,
        );
      }}
    >
      <fieldset className="plain">
        <legend>
          Countries this customer sends to (Twilio refuses every other one: its geo permissions)
        </legend>
        <div className="country-picks">
          {ABROAD.map((c) => (
            <label key={c.country} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(c.country)}
                onChange={() => toggle(c.country)}
              />{" "}
              {c.name}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={s.busy}>
          Save countries
        </button>
        {s.result && (
          <span className="muted">Saved: Twilio sends to {s.result.permitted.join(", ")} only.</span>
        )}
      </div>
      <ErrorBanner error={s.error} />
    </form>
  );
}

function AlphaSenders({ declared }: { declared: string[] }) {
  const list = useAsync((signal) => get("/v1/alpha-senders", { signal }), []);
  const senders: any[] = (list.data?.data ?? []).filter((a: any) => !a.deleted_at);
  const usable = declared.filter((iso) => senderOptionsFor(iso)?.alphanumeric.status !== "not_supported");
  const [form, setForm] = useState({ id: "", countries: [] as string[] });
  const s = useSubmission<any>();
  const [error, setError] = useState<unknown>(null);
  return (
    <Card
      title="Alphanumeric sender IDs"
      actions={<span className="muted small">one-way: replies go to a number</span>}
    >
      <ErrorBanner error={list.error ?? error} />
      {senders.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="alpha-senders">
            <thead>
              <tr>
                <th>Sender ID</th>
                <th>Countries</th>
                <th>Replies</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {senders.map((a) => (
                <tr key={a.id} data-testid={`alpha-${a.alpha_sender_id}`}>
                  <td>
                    <strong>{a.alpha_sender_id}</strong>
                  </td>
                  <td>
                    {a.countries.map((c: any) => (
                      <div key={c.country}>
                        {c.country} <Badge status={c.status} label={humanize(c.status)} />
                        {c.reason && <span className="muted small"> {c.reason}</span>}
                      </div>
                    ))}
                  </td>
                  <td className="small">{a.replies}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => {
                        if (!window.confirm(`Remove ${a.alpha_sender_id}?`)) return;
                        setError(null);
                        del(`/v1/alpha-senders/${a.id}`).then(list.reload, setError);
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {usable.length === 0 ? (
        <p className="muted small">Declare a country that takes alphanumeric IDs first (above).</p>
      ) : (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            s.submit(
              () => post("/v1/alpha-senders", { alpha_sender_id: form.id, countries: form.countries }),
              () => {
                setForm({ id: "", countries: [] });
                list.reload();
              },
            );
          }}
        >
          <TextInput
            id="alpha-id"
            label="Sender ID (up to 11 letters and digits)"
            value={form.id}
            onChange={(v) => setForm({ ...form, id: v })}
            problems={s.at("/alpha_sender_id")}
          />
          <fieldset className="plain">
            <legend>For</legend>
            {usable.map((iso) => (
              <label key={iso} className="check">
                <input
                  type="checkbox"
                  checked={form.countries.includes(iso)}
                  onChange={() =>
                    setForm({
                      ...form,
                      countries: form.countries.includes(iso)
                        ? form.countries.filter((c) => c !== iso)
                        : [...form.countries, iso],
                    })
                  }
                />{" "}
                {senderOptionsFor(iso)?.name ?? iso}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={s.busy || form.countries.length === 0}>
            Add sender ID
          </button>
        </form>
      )}
      <ErrorBanner error={s.error} />
      {s.result?.countries?.some((c: any) => c.status === "registration_pending") && (
        <Notice tone="warn">
          Registration is required in{" "}
          {s.result.countries
            .filter((c: any) => c.status === "registration_pending")
            .map((c: any) => c.country)
            .join(", ")}
          : sends there wait until the carriers approve it.
        </Notice>
      )}
    </Card>
  );
}
