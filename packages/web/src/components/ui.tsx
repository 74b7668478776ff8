import type { InputHTMLAttributes, ReactNode } from "react";
import { type Problem, errorText } from "../lib/api";
import { humanize } from "../lib/format";

const TONES: Record<string, string> = {
  delivered: "good",
  approved: "good",
  active: "good",
  succeeded: "good",
  verified: "good",
  done: "good",
  resolved: "good",
  received: "info",
  sent: "info",
  sending: "info",
  queued: "neutral",
  scheduled: "neutral",
  pending: "neutral",
  submitted: "neutral",
  in_progress: "info",
  in_review: "info",
  running: "info",
  waiting: "neutral",
  awaiting_otp: "warn",
  not_sent: "neutral",
  retrying: "warn",
  provisioning: "warn",
  open: "warn",
  expired: "warn",
  undelivered: "bad",
  failed: "bad",
  suspended: "bad",
  closed: "neutral",
  canceled: "neutral",
  // WhatsApp template reviews, opt-ins, windows
  unsubmitted: "neutral",
  rejected: "bad",
  paused: "warn",
  disabled: "bad",
  opted_in: "good",
  opted_out: "bad",
  // Calls (Twilio's statuses)
  initiated: "info",
  ringing: "info",
  "in-progress": "info",
  completed: "good",
  busy: "bad",
  "no-answer": "warn",
};

export function Badge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge badge-${TONES[status] ?? "neutral"}`}>{label ?? humanize(status)}</span>;
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="banner banner-bad" role="alert">
      {errorText(error)}
    </div>
  );
}

export function Notice({
  children,
  tone = "info",
}: {
  children: ReactNode;
  tone?: "info" | "good" | "warn" | "bad";
}) {
  return (
    <div className={`banner banner-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="loading" aria-live="polite">
      {what}…
    </p>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
}: {
  tabs: [T, string][];
  value: T;
  onChange: (t: T) => void;
}) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={value === id}
          className={value === id ? "tab active" : "tab"}
          onClick={() => onChange(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

/** Shown by tenant-level pages when an admin has not picked a tenant yet. */
export function NeedsTenant({ what }: { what: string }) {
  return (
    <Card>
      <Empty>
        Pick a tenant in the <strong>Tenants</strong> page (or the selector at the top) to see its {what}.
      </Empty>
    </Card>
  );
}

/** The server's findings for one field or node, each with its stable code (data-code). */
export function Problems({ problems, relativeTo }: { problems: Problem[]; relativeTo?: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="findings">
      {problems.map((p) => {
        const where = relativeTo && p.path.startsWith(relativeTo) ? p.path.slice(relativeTo.length) : p.path;
        return (
          <li
            key={`${p.path}-${p.code}`}
            className={`finding finding-${p.severity ?? "error"}`}
            data-code={p.code}
          >
            <strong>{p.severity === "warning" ? "Warning" : "Error"}</strong>{" "}
            <code className="small">{p.code}</code>
            {where && where !== "/" && <span className="muted small"> at {where.replace(/^\//, "")}</span>}:{" "}
            {p.message}
          </li>
        );
      })}
    </ul>
  );
}

/** A labelled form control with its help and the server's findings at its path. */
export function Field({
  id,
  label,
  problems,
  help,
  children,
}: {
  id: string;
  label: string;
  problems: Problem[];
  help?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {help && <div className="help">{help}</div>}
      <Problems problems={problems} />
    </div>
  );
}

/**
 * A text field (or a small textarea) marked invalid while the server has an error at it; other
 * attributes (required, inputMode, autoComplete…) go to the input.
 */
export function TextInput({
  id,
  label,
  value,
  onChange,
  problems,
  help,
  multiline,
  ...input
}: {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (v: string) => void;
  problems: Problem[];
  help?: ReactNode;
  multiline?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onChange">) {
  const invalid = problems.some((p) => p.severity !== "warning") || undefined;
  return (
    <Field id={id} label={label} problems={problems} help={help}>
      {multiline ? (
        <textarea
          id={id}
          rows={2}
          value={value ?? ""}
          placeholder={input.placeholder}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          {...input}
          id={id}
          value={value ?? ""}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A contact's phone number (E.164, required), with the same example everywhere. */
export function PhoneInput(props: Omit<Parameters<typeof TextInput>[0], "required" | "placeholder">) {
  return <TextInput required placeholder="+14155552671" {...props} />;
}
