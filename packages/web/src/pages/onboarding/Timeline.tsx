import { useCallback, useState } from "react";
import { Badge, Card, ErrorBanner, Notice } from "../../components/ui";
import { type Finding, get, patch, post } from "../../lib/api";
import { KIND_LABELS, fmtDate, fmtTime, humanize } from "../../lib/format";
import { useAsync, useInterval } from "../../lib/hooks";
import { RegistrationForm } from "./Form";
import { type Kind, cleanDocument } from "./fields";

const FINAL = new Set(["approved", "failed", "suspended"]);

/** A submitted registration: every step with Twilio's status, failures with hints, the OTP, and remediation. */
export function RegistrationTimeline({
  tenantId,
  registrationId,
}: {
  tenantId: string;
  registrationId: string;
}) {
  const path = `/v1/tenants/${tenantId}/registrations/${registrationId}`;
  const reg = useAsync((signal) => get(path, { signal, noTenant: true }), [path]);
  const r = reg.data;
  useInterval(reg.reload, 2000, Boolean(r) && !FINAL.has(r.state));
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!r) return <ErrorBanner error={reg.error} />;
  return (
    <>
      <Card
        title={
          <>
            {KIND_LABELS[r.kind]} registration <Badge status={r.state} />
          </>
        }
        actions={<span className="muted small">{r.id}</span>}
      >
        <dl className="facts inline">
          <dt>State</dt>
          <dd data-testid="registration-state">{humanize(r.state)}</dd>
          <dt>Stage</dt>
          <dd>{humanize(r.stage)}</dd>
          <dt>Current step</dt>
          <dd>{humanize(r.current_step)}</dd>
          <dt>Expected</dt>
          <dd>
            {r.eta
              ? `${fmtDate(r.eta.earliest)} – ${fmtDate(r.eta.latest)} (${r.eta.business_days.min}–${r.eta.business_days.max} business days for the ${humanize(r.eta.waiting_for).toLowerCase()})`
              : r.state === "approved"
                ? `Approved ${fmtTime(r.approved_at)}`
                : "—"}
          </dd>
          {r.resources.phone_number && (
            <>
              <dt>Sender</dt>
              <dd>{r.resources.phone_number}</dd>
            </>
          )}
          {r.resources.trust_score !== null && (
            <>
              <dt>Trust score</dt>
              <dd>{r.resources.trust_score}</dd>
            </>
          )}
        </dl>
        {r.state === "approved" && <Notice tone="good">Approved: this tenant can send messages.</Notice>}
      </Card>

      {r.failure && (
        <Card title={`Failed at the ${humanize(r.failure.stage).toLowerCase()} stage`} className="card-bad">
          <ul className="reasons">
            {(r.failure.reasons ?? []).map((reason: any, i: number) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: reasons come in Twilio's order and are never reordered
              <li key={`${reason.code}-${i}`}>
                <strong>{reason.reason}</strong>
                {reason.twilio_code ? (
                  <span className="muted small"> (Twilio {reason.twilio_code})</span>
                ) : null}
                {reason.fields?.length ? (
                  <div className="muted small">Fields: {reason.fields.join(", ")}</div>
                ) : null}
                {reason.hint && <div className="fix">What to do: {reason.hint}</div>}
              </li>
            ))}
          </ul>
          {r.state === "failed" && !editing && (
            <button type="button" className="primary" onClick={() => setEditing(true)}>
              Edit and resubmit
            </button>
          )}
          {r.state === "suspended" && (
            <Notice tone="bad">Suspended registrations are not retried; contact Twilio support.</Notice>
          )}
        </Card>
      )}

      {editing && (
        <Remediation
          kind={r.kind}
          document={r.document}
          onCancel={() => setEditing(false)}
          onSave={async (doc) => {
            setError(null);
            try {
              await patch(path, doc, { noTenant: true });
              await post(`${path}/resubmit`, undefined, { noTenant: true });
              setEditing(false);
              reg.reload();
            } catch (e) {
              setError(e);
            }
          }}
        />
      )}
      <ErrorBanner error={error} />

      {r.otp && (
        <OtpCard
          otp={r.otp}
          onResend={() => post(`${path}/otp`, undefined, { noTenant: true }).then(reg.reload, setError)}
        />
      )}

      <Card title="Steps">
        <ol className="timeline">
          {r.steps.map((s: any) => (
            <li key={s.name} className={`tl-item tl-${s.status}`}>
              <div className="tl-head">
                <Badge status={s.status} /> <strong>{humanize(s.name)}</strong>{" "}
                <span className="muted small">{humanize(s.stage)}</span>
              </div>
              <div className="tl-body small">
                {s.twilio_status && (
                  <span>
                    Twilio: <code>{s.twilio_status}</code>{" "}
                  </span>
                )}
                {s.sid && <code className="muted">{s.sid}</code>}
                <span className="muted">
                  {" "}
                  {s.started_at && `started ${fmtTime(s.started_at)}`}
                  {s.completed_at && ` · done ${fmtTime(s.completed_at)}`}
                  {s.status === "waiting" && s.wait_until && ` · next check ${fmtTime(s.wait_until)}`}
                </span>
                {s.error && (
                  <div className="finding finding-error">{s.error.message ?? JSON.stringify(s.error)}</div>
                )}
              </div>
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}

function OtpCard({ otp, onResend }: { otp: any; onResend: () => void }) {
  const canResend =
    otp.status !== "verified" &&
    otp.retrigger_available_at &&
    new Date(otp.retrigger_available_at) <= new Date();
  return (
    <Card
      title={
        <>
          Mobile verification (OTP) <Badge status={otp.status} />
        </>
      }
    >
      <p className="muted">
        The sole proprietor must reply YES to the text Twilio sends to their mobile; it expires after 24
        hours.
      </p>
      <dl className="facts inline">
        <dt>Sent</dt>
        <dd>{fmtTime(otp.sent_at)}</dd>
        <dt>Expires</dt>
        <dd>{fmtTime(otp.expires_at)}</dd>
        <dt>Verified</dt>
        <dd>{fmtTime(otp.verified_at)}</dd>
        <dt>Deadline</dt>
        <dd>{fmtDate(otp.deadline)}</dd>
        <dt>Re-sent</dt>
        <dd>{otp.retriggers} times</dd>
      </dl>
      {otp.warnings.map((w: string) => (
        <Notice key={w} tone="warn">
          {w}
        </Notice>
      ))}
      {otp.status !== "verified" && (
        <button type="button" disabled={!canResend} onClick={onResend}>
          Resend verification text
        </button>
      )}
      {otp.status !== "verified" && !canResend && otp.retrigger_available_at && (
        <span className="muted small"> available {fmtTime(otp.retrigger_available_at)}</span>
      )}
    </Card>
  );
}

function Remediation({
  kind,
  document,
  onSave,
  onCancel,
}: {
  kind: Kind;
  document: any;
  onSave: (doc: any) => Promise<void>;
  onCancel: () => void;
}) {
  const [doc, setDoc] = useState<any>(() => structuredClone(document));
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [busy, setBusy] = useState(false);
  const onFindings = useCallback((f: Finding[] | null) => setFindings(f), []);
  const errors = (findings ?? []).filter((f) => f.severity === "error").length;
  return (
    <Card title="Edit and resubmit">
      <p className="muted">Only the failed stage is sent again; what Twilio approved already stays.</p>
      <RegistrationForm kind={kind} doc={doc} onChange={setDoc} touchedAll onFindings={onFindings} />
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || errors > 0}
          onClick={async () => {
            setBusy(true);
            const { kind: _kind, ...rest } = cleanDocument(doc);
            await onSave(rest);
            setBusy(false);
          }}
        >
          Save and resubmit
        </button>
      </div>
    </Card>
  );
}
