import { type FormEvent, useState } from "react";
import { Badge, Card, Empty, ErrorBanner, PageHeader } from "../components/ui";
import { get, post, qs } from "../lib/api";
import { KIND_LABELS, fmtInt, fmtPercent } from "../lib/format";
import { useAsync, useDebounced } from "../lib/hooks";
import { useRouter } from "../lib/router";
import { useSession } from "../lib/session";

const PAGE = 25;

/** Every customer at a glance; searched, filtered, sorted and paged by the server. */
export function TenantsPage() {
  const { me, selectTenant } = useSession();
  const { navigate } = useRouter();
  const [search, setSearch] = useState("");
  const [environment, setEnvironment] = useState("");
  const [registration, setRegistration] = useState("");
  const [sort, setSort] = useState("newest");
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search, 250);
  const list = useAsync(
    (signal) =>
      get(`/v1/insights/tenants${qs({ q, environment, registration, sort, limit: PAGE, offset })}`, {
        signal,
        noTenant: true,
      }),
    [q, environment, registration, sort, offset],
  );
  const open = (t: { id: string; name: string }, to: string) => {
    selectTenant({ id: t.id, name: t.name });
    navigate(to);
  };
  const total = list.data?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Your customers, their registrations and how their messages are doing."
        actions={
          me?.permissions.manage_tenants && (
            <button className="primary" type="button" onClick={() => setCreating(true)}>
              New tenant
            </button>
          )
        }
      />
      {creating && <NewTenant onDone={(t) => (t ? open(t, "/onboarding") : setCreating(false))} />}
      <Card>
        <div className="toolbar">
          <label>
            <span className="sr-only">Search tenants</span>
            <input
              type="search"
              placeholder="Search by name, tenant id or subaccount SID"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setOffset(0);
              }}
            />
          </label>
          <label>
            Environment{" "}
            <select
              value={environment}
              onChange={(e) => {
                setEnvironment(e.target.value);
                setOffset(0);
              }}
            >
              <option value="">All</option>
              <option value="production">Production</option>
              <option value="staging">Staging</option>
              <option value="development">Development</option>
            </select>
          </label>
          <label>
            Registration{" "}
            <select
              value={registration}
              onChange={(e) => {
                setRegistration(e.target.value);
                setOffset(0);
              }}
            >
              <option value="">All</option>
              <option value="attention">Needs attention</option>
              <option value="approved">Approved</option>
              <option value="in_review">In review</option>
              <option value="in_progress">In progress</option>
              <option value="awaiting_otp">Awaiting OTP</option>
              <option value="failed">Failed</option>
              <option value="none">Not started</option>
            </select>
          </label>
          <label>
            Sort{" "}
            <select
              value={sort}
              onChange={(e) => {
                setSort(e.target.value);
                setOffset(0);
              }}
            >
              <option value="newest">Newest</option>
              <option value="name">Name</option>
              <option value="messages_today">Messages today</option>
              <option value="delivery_rate">Lowest delivery rate</option>
            </select>
          </label>
        </div>
        <ErrorBanner error={list.error} />
        <div className="table-wrap" aria-busy={list.loading}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Environment</th>
                <th scope="col">Registration</th>
                <th scope="col">ETA</th>
                <th scope="col">Throughput</th>
                <th scope="col" className="num">
                  Messages today
                </th>
                <th scope="col" className="num">
                  Delivery (7 d)
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((t: any) => (
                <tr key={t.id}>
                  <td>
                    <button type="button" className="link strong" onClick={() => open(t, "/onboarding")}>
                      {t.name}
                    </button>
                    <div className="muted small">{t.id}</div>
                    {t.status !== "active" && <Badge status={t.status} />}
                  </td>
                  <td>{t.environment}</td>
                  <td>
                    {t.registration ? (
                      <>
                        <span className="small">{KIND_LABELS[t.registration.kind]}</span>{" "}
                        <Badge status={t.registration.state} />
                      </>
                    ) : (
                      <span className="muted">Not started</span>
                    )}
                  </td>
                  <td>
                    {t.registration?.eta ? (
                      <span title={`${t.registration.eta.earliest} – ${t.registration.eta.latest}`}>
                        {t.registration.eta.business_days_left.min}–
                        {t.registration.eta.business_days_left.max} business days
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {t.throughput ? (
                      <span className={t.throughput.expected ? "muted" : ""}>{t.throughput.label}</span>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="num">{fmtInt(t.messages_today)}</td>
                  <td className="num">
                    <button type="button" className="link" onClick={() => open(t, "/insights")}>
                      {fmtPercent(t.delivery_rate_7d)}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data && list.data.data.length === 0 && <Empty>No tenant matches.</Empty>}
        </div>
        <div className="pager">
          <span>
            {total === 0 ? "0" : `${fmtInt(offset + 1)}–${fmtInt(Math.min(offset + PAGE, total))}`} of{" "}
            {fmtInt(total)}
          </span>
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
        </div>
      </Card>
    </>
  );
}

function NewTenant({ onDone }: { onDone: (t: { id: string; name: string } | null) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    try {
      const t = await post(
        "/v1/tenants",
        { name: f.get("name"), environment: f.get("environment") },
        { noTenant: true },
      );
      onDone(t);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return (
    <Card title="New tenant">
      <form className="inline-form" onSubmit={submit}>
        <label>
          Tenant name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Environment
          <select name="environment" defaultValue="production">
            <option value="production">Production</option>
            <option value="staging">Staging</option>
            <option value="development">Development</option>
          </select>
        </label>
        <button className="primary" type="submit" disabled={busy}>
          {busy ? "Creating subaccount…" : "Create"}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </form>
      <ErrorBanner error={error} />
    </Card>
  );
}
