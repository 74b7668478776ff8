import { type FormEvent, useState } from "react";
import { Card, Empty, ErrorBanner, Notice, Problems } from "../../components/ui";
import { get, post, problemsAt, problemsOf } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { NumberOptions, useTenantNumbers } from "../../lib/numbers";

/** The tenant's WhatsApp senders, and registering one of its numbers as one. */
export function Senders({ canWrite }: { canWrite: boolean }) {
  const senders = useAsync((signal) => get("/v1/whatsapp/senders", { signal }), []);
  const numbers = useTenantNumbers();
  const [phone, setPhone] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<string | null>(null);
  const problems = problemsAt(problemsOf(error), "/phone_number");

  function register(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setAdded(null);
    post("/v1/whatsapp/senders", { phone_number: phone.trim() }).then((s) => {
      setAdded(s.address);
      setPhone("");
      senders.reload();
    }, setError);
  }

  return (
    <Card title="Senders">
      <p className="muted">
        A sender is one of the tenant's numbers. Its incoming messages, WhatsApp and SMS, reach Subtext's
        inbound webhook; the number itself is registered with WhatsApp in Twilio's console.
      </p>
      {canWrite && (
        <form className="inline-form" onSubmit={register} aria-label="Register a sender">
          <div className="field">
            <label htmlFor="wa-sender">Phone number</label>
            <input
              id="wa-sender"
              name="phone_number"
              list="wa-tenant-numbers"
              placeholder="+14155550123"
              required
              value={phone}
              aria-invalid={problems.length > 0 || undefined}
              onChange={(e) => setPhone(e.target.value)}
            />
            <NumberOptions id="wa-tenant-numbers" numbers={numbers} />
            <Problems problems={problems} />
          </div>
          <div className="field">
            <button className="primary" type="submit">
              Register sender
            </button>
          </div>
        </form>
      )}
      <ErrorBanner error={error ?? senders.error} />
      {added && <Notice tone="good">{added} is a WhatsApp sender.</Notice>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Number SID</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {senders.data?.data.map((s: any) => (
              <tr key={s.id}>
                <td>
                  {s.address} <div className="small muted">{s.id}</div>
                </td>
                <td className="small">{s.phone_number_sid ?? "—"}</td>
                <td>{fmtTime(s.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {senders.data?.data.length === 0 && <Empty>No WhatsApp sender yet.</Empty>}
    </Card>
  );
}
