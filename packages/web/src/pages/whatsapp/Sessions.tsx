import { useState } from "react";
import { Badge, Card, Empty, ErrorBanner } from "../../components/ui";
import { get, qs } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync, useDebounced, useInterval } from "../../lib/hooks";

/**
 * Customer-service windows: a contact's message opens 24 hours of free-form messages with the
 * sender it wrote to; outside them only approved templates may be sent.
 */
export function Sessions() {
  const [phone, setPhone] = useState("");
  const q = useDebounced(phone.trim(), 300);
  const list = useAsync(
    (signal) => get(`/v1/whatsapp/sessions${qs({ phone_number: q, limit: 100 })}`, { signal }),
    [q],
  );
  // Windows open as contacts write and close as time passes; the server says which.
  useInterval(list.reload, 5000);
  return (
    <Card
      title="Customer-service windows"
      actions={
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      <p className="muted">
        Free-form messages may be sent while a window is open; outside it, send an approved template.
      </p>
      <div className="toolbar">
        <label>
          Contact{" "}
          <input type="search" placeholder="+1…" value={phone} onChange={(e) => setPhone(e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">Sender</th>
              <th scope="col">Last message from the contact</th>
              <th scope="col">Window</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.data.map((s: any) => (
              <tr key={`${s.sender}-${s.contact}`} data-contact={s.contact}>
                <td>{s.contact}</td>
                <td>{s.sender}</td>
                <td>{fmtTime(s.last_inbound_at)}</td>
                <td>
                  <Badge status={s.open ? "active" : "closed"} label={s.open ? "Open" : "Closed"} />{" "}
                  {s.open ? (
                    <span className="small muted">until {fmtTime(s.expires_at)}</span>
                  ) : (
                    s.closed_by_twilio_at && (
                      <span className="small muted">
                        closed by Twilio (63016) {fmtTime(s.closed_by_twilio_at)}
                      </span>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.data.length === 0 && <Empty>No contact has written to a WhatsApp sender yet.</Empty>}
    </Card>
  );
}
