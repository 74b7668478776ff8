import { type FormEvent, useState } from "react";
import { Card, Empty, ErrorBanner } from "../../components/ui";
import { del, get, post, qs } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync, useDebounced } from "../../lib/hooks";
import { useSession } from "../../lib/session";

/** The suppression list: who may not be messaged, why, and since when. */
export function OptOuts() {
  const { me } = useSession();
  const [phone, setPhone] = useState("");
  const q = useDebounced(phone, 300);
  const list = useAsync((signal) => get(`/v1/opt-outs${qs({ phone: q, limit: 100 })}`, { signal }), [q]);
  const [error, setError] = useState<unknown>(null);
  function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    post("/v1/opt-outs", { phone: f.get("phone"), reason: f.get("reason") || undefined }).then(
      list.reload,
      setError,
    );
    e.currentTarget.reset();
  }
  return (
    <Card title="Opt-outs">
      {me?.permissions.write && (
        <form className="inline-form" onSubmit={add}>
          <label>
            Phone <input name="phone" required placeholder="+14155550123" />
          </label>
          <label>
            Reason <input name="reason" placeholder="optional" />
          </label>
          <button className="primary" type="submit">
            Add to list
          </button>
        </form>
      )}
      <div className="toolbar">
        <label>
          Find{" "}
          <input type="search" value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+1…" />
        </label>
      </div>
      <ErrorBanner error={error ?? list.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Phone</th>
            <th scope="col">Scope</th>
            <th scope="col">Source</th>
            <th scope="col">Since</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {list.data?.data?.map((o: any) => (
            <tr key={`${o.phone}-${o.scope}`}>
              <td>{o.phone}</td>
              <td>{o.scope}</td>
              <td>
                {o.source}
                {o.keyword ? ` (${o.keyword})` : ""}
              </td>
              <td>{fmtTime(o.created_at)}</td>
              <td>
                {me?.permissions.write && (
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      del(`/v1/opt-outs/${encodeURIComponent(o.phone)}${qs({ scope: o.scope })}`).then(
                        list.reload,
                        setError,
                      )
                    }
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.data?.length === 0 && <Empty>Nobody has opted out.</Empty>}
    </Card>
  );
}
