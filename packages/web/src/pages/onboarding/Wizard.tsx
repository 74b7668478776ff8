import { type FormEvent, useCallback, useState } from "react";
import { Card, ErrorBanner, Notice } from "../../components/ui";
import { ApiError, type Finding, post } from "../../lib/api";
import { KIND_LABELS, fmtInt } from "../../lib/format";
import { FindingList, RegistrationForm } from "./Form";
import { type Kind, cleanDocument, emptyDocument, getIn, sectionsFor } from "./fields";

type Stage = "path" | "form" | "review";

/** Path questions → the form (validated inline) → review → submit. */
export function Wizard({
  tenantId,
  onSubmitted,
}: {
  tenantId: string;
  onSubmitted: (registration: any) => void;
}) {
  const [stage, setStage] = useState<Stage>("path");
  const [kind, setKind] = useState<Kind | null>(null);
  const [doc, setDoc] = useState<any>(null);
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [serverFindings, setServerFindings] = useState<Finding[] | null>(null);
  const [touchedAll, setTouchedAll] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const onFindings = useCallback((f: Finding[] | null) => setFindings(f), []);
  const errors = (findings ?? []).filter((f) => f.severity === "error");
  const warnings = (findings ?? []).filter((f) => f.severity === "warning");

  function choose(k: Kind) {
    setKind(k);
    setDoc(emptyDocument(k));
    setFindings(null);
    setTouchedAll(false);
    setStage("form");
  }

  /** Validates the document as it is now (not the last debounced check), then moves on or points at the first problem. */
  async function review() {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ findings: Finding[] }>("/v1/registrations/validate", cleanDocument(doc), {
        noTenant: true,
      });
      setServerFindings(r.findings);
      setFindings(r.findings);
      setTouchedAll(true);
      if (r.findings.some((f) => f.severity === "error")) {
        requestAnimationFrame(() => document.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      } else setStage("review");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      onSubmitted(
        await post(`/v1/tenants/${tenantId}/registrations`, cleanDocument(doc), { noTenant: true }),
      );
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && Array.isArray(e.details)) {
        setServerFindings(e.details as Finding[]);
        setTouchedAll(true);
        setStage("form");
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ol className="steps-indicator" aria-label="Progress">
        {(["path", "form", "review"] as Stage[]).map((s, i) => (
          <li
            key={s}
            aria-current={stage === s ? "step" : undefined}
            className={stage === s ? "current" : ""}
          >
            {i + 1}. {{ path: "Choose a path", form: "Business details", review: "Review and submit" }[s]}
          </li>
        ))}
      </ol>
      {stage === "path" && <PathQuestions onChoose={choose} />}
      {stage === "form" && kind && (
        <Card
          title={`${KIND_LABELS[kind]} registration`}
          actions={
            <button type="button" className="link" onClick={() => setStage("path")}>
              Change path
            </button>
          }
        >
          <RegistrationForm
            kind={kind}
            doc={doc}
            onChange={setDoc}
            touchedAll={touchedAll}
            onFindings={onFindings}
            serverFindings={serverFindings}
          />
          <ErrorBanner error={error} />
          <div className="form-actions">
            <span className="muted" aria-live="polite">
              {findings === null
                ? "Checking…"
                : errors.length
                  ? `${errors.length} to fix`
                  : "No blocking problems"}
              {warnings.length ? `, ${warnings.length} warning${warnings.length > 1 ? "s" : ""}` : ""}
            </span>
            <button type="button" className="primary" disabled={busy} onClick={review}>
              Review
            </button>
          </div>
        </Card>
      )}
      {stage === "review" && kind && (
        <Card title="Review">
          <Review kind={kind} doc={doc} />
          {warnings.length > 0 && (
            <Notice tone="warn">
              These may lead to a rejection; you can still submit:
              <FindingList findings={warnings} />
            </Notice>
          )}
          <ErrorBanner error={error} />
          <div className="form-actions">
            <button type="button" onClick={() => setStage("form")}>
              Back to edit
            </button>
            <button type="button" className="primary" disabled={busy} onClick={submit}>
              {busy ? "Submitting…" : "Submit registration"}
            </button>
          </div>
        </Card>
      )}
    </>
  );
}

function PathQuestions({ onChoose }: { onChoose: (k: Kind) => void }) {
  const [rec, setRec] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  async function ask(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      setRec(
        await post(
          "/v1/registrations/recommend",
          {
            has_tax_id: f.get("has_tax_id") === "yes",
            country: String(f.get("country")),
            expected_daily_volume: Number(f.get("volume")),
            sender_type_wanted: String(f.get("sender")),
            use_case: String(f.get("use_case") || "") || undefined,
          },
          { noTenant: true },
        ),
      );
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Card title="Which registration fits this customer?">
      <form className="questions" onSubmit={ask}>
        <fieldset>
          <legend>Does the business have a tax id (EIN in the US, Business Number in Canada)?</legend>
          <label>
            <input type="radio" name="has_tax_id" value="yes" defaultChecked /> Yes
          </label>
          <label>
            <input type="radio" name="has_tax_id" value="no" /> No (a sole proprietor)
          </label>
        </fieldset>
        <label>
          Country of the business
          <select name="country" defaultValue="US">
            <option value="US">United States</option>
            <option value="CA">Canada</option>
            <option value="GB">United Kingdom</option>
            <option value="DE">Germany</option>
            <option value="ZZ">Elsewhere</option>
          </select>
        </label>
        <label>
          Messages per day at peak
          <input name="volume" type="number" min={0} defaultValue={1000} required />
        </label>
        <label>
          Sender wanted
          <select name="sender" defaultValue="any">
            <option value="any">Whatever fits best</option>
            <option value="10dlc">Local number (10DLC)</option>
            <option value="toll_free">Toll-free number</option>
          </select>
        </label>
        <label>
          Use case (optional)
          <input name="use_case" placeholder="e.g. ACCOUNT_NOTIFICATION" />
        </label>
        <button className="primary" type="submit">
          Recommend
        </button>
      </form>
      <p className="muted small">
        Recipients outside the US and Canada? Those registrations are different (alphanumeric sender IDs,
        numbers abroad with a regulatory bundle, short codes):{" "}
        <button
          type="button"
          className="link"
          onClick={() => document.getElementById("abroad")?.scrollIntoView({ behavior: "smooth" })}
        >
          set up sending abroad
        </button>
        .
      </p>
      <ErrorBanner error={error} />
      {rec && (
        <div className="recommendation" aria-live="polite">
          <h3>Recommended: {KIND_LABELS[rec.kind]}</h3>
          <p>{rec.reason}</p>
          <dl className="facts">
            <dt>Throughput</dt>
            <dd>
              {rec.throughput.mps.min === rec.throughput.mps.max
                ? rec.throughput.mps.min
                : `${rec.throughput.mps.min}–${rec.throughput.mps.max}`}{" "}
              MPS per {rec.throughput.per}
            </dd>
            <dt>Daily cap</dt>
            <dd>{rec.daily_caps.total ? `${fmtInt(rec.daily_caps.total.max)} segments` : "none"}</dd>
            <dt>T-Mobile daily cap</dt>
            <dd>
              {rec.daily_caps.tmobile
                ? `${fmtInt(rec.daily_caps.tmobile.min)}${rec.daily_caps.tmobile.min !== rec.daily_caps.tmobile.max ? `–${fmtInt(rec.daily_caps.tmobile.max)}` : ""}`
                : "none"}
            </dd>
            <dt>Expected review</dt>
            <dd>
              {rec.timeline_business_days.min}–{rec.timeline_business_days.max} business days
            </dd>
          </dl>
          {rec.caveats.length > 0 && (
            <ul className="caveats">
              {rec.caveats.map((c: string) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          )}
          <div className="form-actions">
            <button className="primary" type="button" onClick={() => onChoose(rec.kind)}>
              Continue with {KIND_LABELS[rec.kind]}
            </button>
            <span className="muted">or choose:</span>
            {(Object.keys(KIND_LABELS) as Kind[])
              .filter((k) => k !== rec.kind)
              .map((k) => (
                <button key={k} type="button" onClick={() => onChoose(k)}>
                  {KIND_LABELS[k]}
                </button>
              ))}
          </div>
        </div>
      )}
    </Card>
  );
}

export function Review({ kind, doc }: { kind: Kind; doc: any }) {
  return (
    <div className="review">
      {sectionsFor(kind).map((s) => (
        <section key={s.title}>
          <h3>{s.title}</h3>
          <dl className="facts">
            {s.fields.map((f) => {
              const v = getIn(doc, f.path);
              const shown = Array.isArray(v)
                ? v.filter(Boolean).join("\n")
                : typeof v === "boolean"
                  ? v
                    ? "Yes"
                    : "No"
                  : v;
              return (
                <div key={f.path} className="fact">
                  <dt>{f.label}</dt>
                  <dd className="pre">{shown || <span className="muted">—</span>}</dd>
                </div>
              );
            })}
          </dl>
        </section>
      ))}
    </div>
  );
}
