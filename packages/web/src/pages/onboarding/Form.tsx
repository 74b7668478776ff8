import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import type { Finding } from "../../lib/api";
import { post } from "../../lib/api";
import { useDebounced } from "../../lib/hooks";
import { type FieldDef, type Kind, cleanDocument, fieldOfFinding, getIn, sectionsFor, setIn } from "./fields";

/**
 * The registration form with the server's validation inline: the document is checked by
 * POST /v1/registrations/validate as it is typed, and each finding appears under its field
 * with the fix. Findings show once a field was touched (all of them after "Review").
 */
export function RegistrationForm({
  kind,
  doc,
  onChange,
  touchedAll,
  onFindings,
  serverFindings,
}: {
  kind: Kind;
  doc: any;
  onChange: (doc: any) => void;
  touchedAll: boolean;
  onFindings: (findings: Finding[] | null) => void;
  /** Findings from a refused submission (422), shown until the next validation. */
  serverFindings?: Finding[] | null;
}) {
  const sections = useMemo(() => sectionsFor(kind), [kind]);
  const allFields = useMemo(() => sections.flatMap((s) => s.fields), [sections]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [findings, setFindings] = useState<Finding[] | null>(serverFindings ?? null);
  const settled = useDebounced(doc, 400);
  useEffect(() => {
    if (serverFindings) setFindings(serverFindings);
  }, [serverFindings]);

  // Only findings for the document as it is now: a slower answer for older text is dropped.
  const latest = useRef(doc);
  latest.current = doc;
  useEffect(() => {
    if (settled !== latest.current) return;
    const controller = new AbortController();
    post<{ ok: boolean; findings: Finding[] }>("/v1/registrations/validate", cleanDocument(settled), {
      signal: controller.signal,
      noTenant: true,
    })
      .then((r) => {
        if (settled !== latest.current) return;
        setFindings(r.findings);
        onFindings(r.findings);
      })
      .catch(() => {});
    return () => controller.abort();
  }, [settled, onFindings]);

  const shown = (f: Finding) => {
    const field = fieldOfFinding(f.path, allFields);
    return touchedAll || (field !== null && touched.has(field));
  };
  const byField = new Map<string, Finding[]>();
  const loose: Finding[] = [];
  for (const f of findings ?? []) {
    if (!shown(f) && fieldOfFinding(f.path, allFields) !== null) continue;
    const field = fieldOfFinding(f.path, allFields);
    if (field === null) {
      if (touchedAll) loose.push(f);
      continue;
    }
    byField.set(field, [...(byField.get(field) ?? []), f]);
  }
  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));

  return (
    <div className="reg-form">
      {loose.length > 0 && (
        <div className="banner banner-warn" role="alert">
          <FindingList findings={loose} />
        </div>
      )}
      {sections.map((section) => (
        <fieldset key={section.title}>
          <legend>{section.title}</legend>
          {section.fields.map((field) => (
            <Field
              key={field.path}
              field={field}
              value={getIn(doc, field.path)}
              findings={byField.get(field.path) ?? []}
              onChange={(v) => onChange(setIn(doc, field.path, v))}
              onBlur={() => touch(field.path)}
            />
          ))}
        </fieldset>
      ))}
    </div>
  );
}

export function FindingList({ findings }: { findings: Finding[] }) {
  return (
    <ul className="findings">
      {findings.map((f) => (
        <li key={`${f.path}-${f.code}`} className={`finding finding-${f.severity}`} data-code={f.code}>
          <strong>{f.severity === "error" ? "Error" : "Warning"}</strong>{" "}
          <span className="muted small">{f.path}</span>: {f.message} <span className="fix">Fix: {f.fix}</span>
        </li>
      ))}
    </ul>
  );
}

function Field({
  field,
  value,
  findings,
  onChange,
  onBlur,
}: {
  field: FieldDef;
  value: any;
  findings: Finding[];
  onChange: (v: unknown) => void;
  onBlur: () => void;
}) {
  const id = `f-${field.path.replace(/[^a-z0-9]/gi, "-")}`;
  const hasError = findings.some((f) => f.severity === "error");
  const describedBy =
    [field.help ? `${id}-help` : "", findings.length ? `${id}-findings` : ""].filter(Boolean).join(" ") ||
    undefined;
  const common = {
    id,
    onBlur,
    "aria-invalid": hasError || undefined,
    "aria-describedby": describedBy,
    name: field.path,
  };
  let input: ReactNode;
  switch (field.type) {
    case "textarea":
      input = (
        <textarea {...common} rows={3} value={value ?? ""} onChange={(e) => onChange(e.target.value)} />
      );
      break;
    case "select":
      input = (
        <select {...common} value={value ?? ""} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose…</option>
          {field.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case "checkbox":
      return (
        <div className="field field-check">
          <label>
            <input
              {...common}
              type="checkbox"
              checked={Boolean(value)}
              onChange={(e) => onChange(e.target.checked)}
            />{" "}
            {field.label}
          </label>
          <Findings id={`${id}-findings`} findings={findings} />
        </div>
      );
    case "multiselect":
      input = (
        <select
          {...common}
          multiple
          size={Math.min(6, field.options!.length)}
          value={value ?? []}
          onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))}
        >
          {field.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case "list": {
      const items: string[] = Array.isArray(value) && value.length ? value : Array(field.min ?? 1).fill("");
      input = (
        <div className="list-inputs">
          {items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: list inputs are positional, like the document array
            <div key={`${field.path}-${i}`} className="list-item">
              <textarea
                {...common}
                aria-invalid={
                  findings.some((f) => f.severity === "error" && f.path === `${field.path}[${i}]`) ||
                  undefined
                }
                id={i === 0 ? id : `${id}-${i}`}
                name={`${field.path}[${i}]`}
                aria-label={`${field.label} ${i + 1}`}
                rows={2}
                value={item}
                onChange={(e) => onChange(items.map((v, j) => (j === i ? e.target.value : v)))}
              />
              {items.length > (field.min ?? 1) && (
                <button
                  type="button"
                  className="link"
                  onClick={() => onChange(items.filter((_, j) => j !== i))}
                  aria-label={`Remove ${field.label} ${i + 1}`}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          {items.length < (field.max ?? 5) && (
            <button type="button" className="link" onClick={() => onChange([...items, ""])}>
              Add another
            </button>
          )}
        </div>
      );
      break;
    }
    default:
      input = (
        <input
          {...common}
          type={field.type ?? "text"}
          value={value ?? ""}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div className={`field${hasError ? " field-error" : ""}`}>
      <label htmlFor={id}>
        {field.label}
        {field.optional && <span className="muted small"> (optional)</span>}
      </label>
      {input}
      {field.help && (
        <div id={`${id}-help`} className="help">
          {field.help}
        </div>
      )}
      <Findings id={`${id}-findings`} findings={findings} />
    </div>
  );
}

function Findings({ id, findings }: { id: string; findings: Finding[] }) {
  if (!findings.length) return null;
  return (
    <ul id={id} className="findings" aria-live="polite">
      {findings.map((f) => (
        <li key={`${f.path}-${f.code}`} className={`finding finding-${f.severity}`} data-code={f.code}>
          {f.message} <span className="fix">Fix: {f.fix}</span>
        </li>
      ))}
    </ul>
  );
}
