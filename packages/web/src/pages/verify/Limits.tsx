import { type FormEvent, useEffect, useState } from "react";
import { Card, ErrorBanner, Notice, Problems } from "../../components/ui";
import { get, problemsAt, problemsOf, put } from "../../lib/api";
import { useAsync } from "../../lib/hooks";

const SCOPES: [string, string, string][] = [
  ["per_destination", "Per destination", "the same phone number or address"],
  ["per_tenant", "Per tenant", "all of this tenant's verifications"],
  ["per_ip", "Per client IP", "the end user's IP (client_ip)"],
];

type Settings = {
  limits: Record<string, { max: number; window_seconds: number }>;
  fallback: { enabled: boolean; after_seconds: number };
};

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "";
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Our limits in front of Verify (they stop SMS pumping), and the SMS → call fallback. */
export function Limits({ canWrite }: { canWrite: boolean }) {
  const current = useAsync((signal) => get<Settings>("/v1/verify/settings", { signal }), []);
  const [form, setForm] = useState<Settings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (current.data) setForm(current.data);
  }, [current.data]);
  const at = (path: string) => problemsAt(problemsOf(error), path);

  if (!form) return <ErrorBanner error={current.error} />;
  const setLimit = (scope: string, field: "max" | "window_seconds", value: string) => {
    setSaved(false);
    setForm({
      ...form,
      limits: { ...form.limits, [scope]: { ...form.limits[scope], [field]: Number(value) } },
    });
  };

  function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    put<Settings>("/v1/verify/settings", {
      limits: form!.limits,
      fallback: { enabled: form!.fallback.enabled, after_seconds: form!.fallback.after_seconds },
    }).then((s) => {
      setForm(s);
      setSaved(true);
    }, setError);
  }

  return (
    <Card title="Limits and fallback">
      <p className="muted">
        Checked before anything reaches Twilio; over a limit the API answers 429 with Retry-After. The windows
        slide.
      </p>
      <form onSubmit={save} aria-label="Limits and fallback">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col">Requests</th>
              <th scope="col">Window (seconds)</th>
            </tr>
          </thead>
          <tbody>
            {SCOPES.map(([scope, label, what]) => (
              <tr key={scope}>
                <td>
                  {label} <div className="small muted">{what}</div>
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    max={1_000_000}
                    required
                    disabled={!canWrite}
                    aria-label={`${label}: requests`}
                    value={form.limits[scope].max}
                    aria-invalid={at(`/limits/${scope}/max`).length > 0 || undefined}
                    onChange={(e) => setLimit(scope, "max", e.target.value)}
                  />
                  <Problems problems={at(`/limits/${scope}/max`)} />
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    max={604_800}
                    required
                    disabled={!canWrite}
                    aria-label={`${label}: window in seconds`}
                    value={form.limits[scope].window_seconds}
                    aria-invalid={at(`/limits/${scope}/window_seconds`).length > 0 || undefined}
                    onChange={(e) => setLimit(scope, "window_seconds", e.target.value)}
                  />{" "}
                  <span className="muted small">{duration(form.limits[scope].window_seconds)}</span>
                  <Problems problems={at(`/limits/${scope}/window_seconds`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <fieldset>
          <legend>Fallback to a call (SMS only)</legend>
          <div className="inline-form">
            <label className="field-check">
              <input
                type="checkbox"
                disabled={!canWrite}
                checked={form.fallback.enabled}
                onChange={(e) => {
                  setSaved(false);
                  setForm({ ...form, fallback: { ...form.fallback, enabled: e.target.checked } });
                }}
              />{" "}
              Call with the same code when the SMS code is not checked in time
            </label>
            <label>
              After (seconds){" "}
              <input
                type="number"
                min={10}
                max={540}
                required
                disabled={!canWrite}
                value={form.fallback.after_seconds}
                aria-invalid={at("/fallback/after_seconds").length > 0 || undefined}
                onChange={(e) => {
                  setSaved(false);
                  setForm({ ...form, fallback: { ...form.fallback, after_seconds: Number(e.target.value) } });
                }}
              />
            </label>
          </div>
          <div className="help">10 to 540 seconds: Verify forgets a code after ten minutes.</div>
          <Problems problems={at("/fallback")} />
        </fieldset>
        <ErrorBanner error={error} />
        {saved && <Notice tone="good">Saved.</Notice>}
        {canWrite && (
          <div className="form-actions">
            <button className="primary" type="submit">
              Save limits
            </button>
          </div>
        )}
      </form>
    </Card>
  );
}
