import { type FormEvent, useState } from "react";
import { Pager, ResultTable } from "../../components/lists";
import { Badge, Card, PhoneInput, TextInput } from "../../components/ui";
import { del, post } from "../../lib/api";
import { useSubmission } from "../../lib/forms";
import { fmtTime, humanize } from "../../lib/format";
import { usePages } from "../../lib/paging";

/** WhatsApp opt-ins: every send needs one; STOP revokes it, START or a new opt-in restores it. */
export function OptIns({ canWrite }: { canWrite: boolean }) {
  const pages = usePages("/v1/whatsapp/opt-ins", {}, { limit: 50 });
  const [phone, setPhone] = useState("");
  const [evidence, setEvidence] = useState("");
  const change = useSubmission();

  function record(e: FormEvent) {
    e.preventDefault();
    change.submit(
      () =>
        post("/v1/whatsapp/opt-ins", {
          phone_number: phone.trim(),
          ...(evidence.trim() ? { evidence } : {}),
        }),
      () => {
        setPhone("");
        setEvidence("");
        pages.first();
      },
    );
  }

  return (
    <Card title="Opt-ins">
      {canWrite && (
        <form className="inline-form" onSubmit={record} aria-label="Record an opt-in">
          <PhoneInput
            id="wa-optin-phone"
            label="Contact"
            value={phone}
            onChange={setPhone}
            problems={change.at("/phone_number")}
          />
          <TextInput
            id="wa-optin-evidence"
            label="Evidence"
            placeholder="checkbox at checkout, 2030-01-31"
            maxLength={500}
            value={evidence}
            onChange={setEvidence}
            problems={[]}
          />
          <div className="field">
            <button className="primary" type="submit">
              Record opt-in
            </button>
          </div>
        </form>
      )}
      <ResultTable
        columns={["Contact", "Status", "How", "Opted in", "Revoked", canWrite && ""]}
        rows={pages.rows}
        error={change.error ?? pages.list.error}
        empty="No opt-ins."
        row={(o: any) => (
          <tr key={o.phone_number}>
            <td>{o.phone_number}</td>
            <td>
              <Badge status={o.status} />
            </td>
            <td>
              {o.source === "inbound" ? "Wrote first" : humanize(o.source)}
              {o.evidence && <div className="small muted">{o.evidence}</div>}
            </td>
            <td>{fmtTime(o.opted_in_at)}</td>
            <td>{fmtTime(o.revoked_at)}</td>
            {canWrite && (
              <td>
                {o.status === "opted_in" && (
                  <button
                    type="button"
                    className="link danger"
                    onClick={() =>
                      change.submit(
                        () => del(`/v1/whatsapp/opt-ins/${encodeURIComponent(o.phone_number)}`),
                        pages.list.reload,
                      )
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            )}
          </tr>
        )}
      />
      <Pager pages={pages} labels={["Previous", "Next"]} />
    </Card>
  );
}
