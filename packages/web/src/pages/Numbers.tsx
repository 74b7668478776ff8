import { useState } from "react";
import { Badge, Card, ErrorBanner, NeedsTenant, Notice, PageHeader, TextInput } from "../components/ui";
import { del, get, patch, post, qs } from "../lib/api";
import { fmtTime, humanize } from "../lib/format";
import { useSubmission } from "../lib/forms";
import { useAsync } from "../lib/hooks";
import { useSession } from "../lib/session";

/**
 * The selected tenant's numbers and sender pools: buy (search, then pick), move between its
 * Messaging Services, release, and each pool's sticky-sender and geomatch settings.
 */
export function NumbersPage() {
  const { tenant, me } = useSession();
  if (!tenant)
    return (
      <>
        <PageHeader title="Numbers" />
        <NeedsTenant what="numbers" />
      </>
    );
  const canWrite = Boolean(me?.permissions.write);
  return (
    <div key={tenant.id}>
      <PageHeader
        title="Numbers"
        subtitle={`Phone numbers of ${tenant.name}, in its own Twilio subaccount, and the sender pools they send from.`}
      />
      <NumbersAndPools canWrite={canWrite} />
    </div>
  );
}

function NumbersAndPools({ canWrite }: { canWrite: boolean }) {
  const [showReleased, setShowReleased] = useState(false);
  const numbers = useAsync(
    (signal) => get(`/v1/numbers${qs({ include_released: showReleased || undefined })}`, { signal }),
    [showReleased],
  );
  const services = useAsync((signal) => get("/v1/messaging-services", { signal }), []);
  const pools: any[] = services.data?.data ?? [];
  const list: any[] = numbers.data?.data ?? [];
  const reload = () => {
    numbers.reload();
    services.reload();
  };
  const [error, setError] = useState<unknown>(null);
  const poolName = (sid: string | null) => {
    const p = pools.find((s) => s.id === sid);
    return p ? poolLabel(p) : "—";
  };
  const release = async (n: any, force = false) => {
    setError(null);
    try {
      await del(`/v1/numbers/${n.id}${force ? "?force=true" : ""}`);
      reload();
    } catch (e: any) {
      if (!force && e?.code === "last_number_of_campaign") {
        if (window.confirm(`${e.message} Release it anyway?`)) await release(n, true);
        return;
      }
      setError(e);
    }
  };
  const move = async (n: any, to: string) => {
    setError(null);
    try {
      await patch(`/v1/numbers/${n.id}`, { messaging_service_id: to || null });
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Card
        title="Numbers"
        actions={
          <label className="check small">
            <input
              type="checkbox"
              checked={showReleased}
              onChange={(e) => setShowReleased(e.target.checked)}
            />{" "}
            Show released
          </label>
        }
      >
        <ErrorBanner error={numbers.error ?? error} />
        <div className="table-wrap">
          <table className="table" data-testid="numbers">
            <thead>
              <tr>
                <th>Number</th>
                <th>Type</th>
                <th>State</th>
                <th>Sender pool</th>
                <th>Capabilities</th>
                <th>Bought</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((n) => (
                <tr key={n.id} data-testid={`number-${n.phone_number ?? n.id}`}>
                  <td>
                    <strong>{n.phone_number ?? "…"}</strong>
                  </td>
                  <td>{humanize(n.type)}</td>
                  <td>
                    <Badge status={n.state} />
                    {n.toll_free_verification && (
                      <div className="muted small">
                        verification: {humanize(n.toll_free_verification.status ?? "not submitted")}
                      </div>
                    )}
                  </td>
                  <td>
                    {canWrite && n.state === "active" ? (
                      <select
                        aria-label={`Sender pool of ${n.phone_number}`}
                        value={n.messaging_service_id ?? ""}
                        onChange={(e) => move(n, e.target.value)}
                      >
                        <option value="">None (calls only)</option>
                        {pools.map((p) => (
                          <option key={p.id} value={p.id}>
                            {poolLabel(p)} · {p.id.slice(0, 10)}…
                          </option>
                        ))}
                      </select>
                    ) : (
                      poolName(n.messaging_service_id)
                    )}
                  </td>
                  <td className="small">
                    {n.capabilities
                      ? ["sms", "mms", "voice"]
                          .filter((c) => n.capabilities[c])
                          .join(", ")
                          .toUpperCase()
                      : "—"}
                  </td>
                  <td className="small">{fmtTime(n.created_at)}</td>
                  <td>
                    {canWrite && n.state === "active" && (
                      <button
                        type="button"
                        onClick={() => window.confirm(`Release ${n.phone_number}?`) && release(n)}
                      >
                        Release
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.length === 0 && !numbers.loading && <p className="muted">No numbers yet.</p>}
      </Card>
      {canWrite && <BuyNumber pools={pools} onBought={reload} />}
      <Card
        title="Sender pools"
        actions={<span className="muted small">one Messaging Service per campaign</span>}
      >
        <ErrorBanner error={services.error} />
        <div className="table-wrap">
          <table className="table" data-testid="pools">
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Messaging Service</th>
                <th>Numbers</th>
                <th>Sticky sender</th>
                <th>Area-code geomatch</th>
              </tr>
            </thead>
            <tbody>
              {pools.map((p) => (
                <PoolRow key={p.id} pool={p} canWrite={canWrite} onChange={services.reload} />
              ))}
            </tbody>
          </table>
        </div>
        {pools.length === 0 && !services.loading && (
          <p className="muted">No Messaging Service yet: a registration creates the first one.</p>
        )}
      </Card>
    </>
  );
}

/** Where numbers can be bought; outside the US and Canada, with an approved regulatory bundle. */
const COUNTRIES: [string, string][] = [
  ["US", "United States"],
  ["CA", "Canada"],
  ["GB", "United Kingdom"],
  ["DE", "Germany"],
  ["AU", "Australia"],
  ["BR", "Brazil"],
  ["IN", "India"],
];

/** A sender pool by its campaign's use case ("Sole proprietor", "2fa"…), or toll-free. */
const poolLabel = (p: { use_case: string | null }) =>
  p.use_case ? humanize(p.use_case.toLowerCase()) : "Toll-free";

function PoolRow({ pool, canWrite, onChange }: { pool: any; canWrite: boolean; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const toggle = (field: "sticky_sender" | "area_code_geomatch") => async () => {
    setError(null);
    try {
      await patch(`/v1/messaging-services/${pool.id}`, { [field]: !pool[field] });
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr data-testid={`pool-${pool.use_case ?? "toll-free"}`}>
      <td>
        {poolLabel(pool)}
        {!pool.live && <div className="muted small">not sending</div>}
        <ErrorBanner error={error} />
      </td>
      <td>
        <code className="small">{pool.id}</code>
      </td>
      <td className="small">{pool.numbers.join(", ") || "—"}</td>
      {(["sticky_sender", "area_code_geomatch"] as const).map((f) => (
        <td key={f}>
          <input
            type="checkbox"
            aria-label={`${humanize(f)} for ${pool.use_case ?? "toll-free"}`}
            checked={pool[f]}
            disabled={!canWrite}
            onChange={toggle(f)}
          />
        </td>
      ))}
    </tr>
  );
}

function BuyNumber({ pools, onBought }: { pools: any[]; onBought: () => void }) {
  const [q, setQ] = useState({ country: "US", type: "local", area_code: "", contains: "", pool: "" });
  const home = q.country === "US" || q.country === "CA";
  const search = useSubmission<any>();
  const buy = useSubmission<any>();
  const set = (k: keyof typeof q) => (v: string) => setQ({ ...q, [k]: v });
  const found: any[] = search.result?.data ?? [];
  return (
    <Card title="Buy a number">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          search.submit(() =>
            get(
              `/v1/numbers/available${qs({
                country: q.country,
                type: q.type,
                area_code: (home && q.area_code) || undefined,
                contains: q.contains || undefined,
                sms: true,
                limit: 10,
              })}`,
            ),
          );
        }}
      >
        <div className="field">
          <label htmlFor="buy-country">Country</label>
          <select id="buy-country" value={q.country} onChange={(e) => set("country")(e.target.value)}>
            {COUNTRIES.map(([iso, name]) => (
              <option key={iso} value={iso}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="buy-type">Type</label>
          <select id="buy-type" value={q.type} onChange={(e) => set("type")(e.target.value)}>
            <option value="local">Local</option>
            <option value="mobile">Mobile</option>
            <option value="toll_free">Toll-free</option>
          </select>
        </div>
        <TextInput
          id="buy-area-code"
          label="Area code"
          inputMode="numeric"
          value={q.area_code}
          onChange={set("area_code")}
          problems={search.at("/area_code")}
        />
        <TextInput
          id="buy-contains"
          label="Contains"
          value={q.contains}
          onChange={set("contains")}
          problems={search.at("/contains")}
        />
        <div className="field">
          <label htmlFor="buy-pool">Sender pool</label>
          <select id="buy-pool" value={q.pool} onChange={(e) => set("pool")(e.target.value)}>
            <option value="">None (calls only)</option>
            {pools.map((p) => (
              <option key={p.id} value={p.id}>
                {poolLabel(p)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={search.busy}>
          Search
        </button>
      </form>
      <ErrorBanner error={search.error ?? buy.error} />
      {buy.result && (
        <Notice tone="good">
          Bought {buy.result.phone_number}
          {buy.result.toll_free_verification ? ": its toll-free verification is under way." : "."}
        </Notice>
      )}
      {found.length > 0 && (
        <ul className="available" data-testid="available">
          {found.map((n) => (
            <li key={n.phone_number}>
              <strong>{n.phone_number}</strong>{" "}
              <span className="muted small">{[n.locality, n.region].filter(Boolean).join(", ")}</span>{" "}
              <button
                type="button"
                disabled={buy.busy}
                onClick={() =>
                  buy.submit(
                    () =>
                      post("/v1/numbers", {
                        phone_number: n.phone_number,
                        country: q.country,
                        type: q.type,
                        ...(q.pool ? { messaging_service_id: q.pool } : {}),
                      }),
                    () => {
                      search.submit(async () => ({
                        data: found.filter((f) => f.phone_number !== n.phone_number),
                      }));
                      onBought();
                    },
                  )
                }
              >
                Buy
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
