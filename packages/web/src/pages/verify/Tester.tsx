import { type FormEvent, useState } from "react";
import { Badge, Card, ErrorBanner, Notice, Problems } from "../../components/ui";
import { post, problemsAt, problemsOf } from "../../lib/api";

const CHANNELS = ["sms", "call", "email", "whatsapp"];

/** Sends a code the way the tenant's app would (the same limits apply), for support and testing. */
export function StartVerification({ onStarted }: { onStarted: () => void }) {
  const [to, setTo] = useState("");
  const [channel, setChannel] = useState("sms");
  const [locale, setLocale] = useState("");
  const [fallback, setFallback] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState<any>(null);
  const at = (path: string) => problemsAt(problemsOf(error), path);

  function start(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setStarted(null);
    post("/v1/verify/verifications", {
      to: to.trim(),
      channel,
      ...(locale.trim() ? { locale: locale.trim() } : {}),
      ...(channel === "sms" && !fallback ? { fallback: false } : {}),
    }).then((v) => {
      setStarted(v);
      onStarted();
    }, setError);
  }

  return (
    <Card title="Send a code">
      <form onSubmit={start} aria-label="Send a code">
        <div className="field">
          <label htmlFor="vf-to">To</label>
          <input
            id="vf-to"
            required
            placeholder={channel === "email" ? "ann@example.com" : "+14155552671"}
            value={to}
            aria-invalid={at("/to").length > 0 || undefined}
            onChange={(e) => setTo(e.target.value)}
          />
          <Problems problems={at("/to")} />
        </div>
        <div className="inline-form">
          <label>
            Channel{" "}
            <select value={channel} onChange={(e) => setChannel(e.target.value)}>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            Locale{" "}
            <input
              size={6}
              placeholder="en"
              value={locale}
              aria-invalid={at("/locale").length > 0 || undefined}
              onChange={(e) => setLocale(e.target.value)}
            />
          </label>
          {channel === "sms" && (
            <label className="field-check">
              <input type="checkbox" checked={fallback} onChange={(e) => setFallback(e.target.checked)} />{" "}
              Fall back to a call
            </label>
          )}
        </div>
        <Problems problems={at("/locale")} />
        <div className="form-actions">
          <span className="muted small">Counts against the limits below, like a request from your app.</span>
          <button className="primary" type="submit">
            Send code
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {started && (
        <Notice tone="good">
          Code sent to {started.to} by {started.channel}: <Badge status={started.status} />{" "}
          <span className="small">{started.id}</span>
        </Notice>
      )}
    </Card>
  );
}

/** Checks a code as the tenant's app would: a wrong code is an answer (valid: false), not an error. */
export function CheckCode({ onChecked }: { onChecked: () => void }) {
  const [to, setTo] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<any>(null);
  const at = (path: string) => problemsAt(problemsOf(error), path);

  function check(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setResult(null);
    post("/v1/verify/checks", { to: to.trim(), code: code.trim() }).then((r) => {
      setResult(r);
      onChecked();
    }, setError);
  }

  return (
    <Card title="Check a code">
      <form onSubmit={check} aria-label="Check a code">
        <div className="field">
          <label htmlFor="vc-to">To</label>
          <input
            id="vc-to"
            required
            placeholder="+14155552671"
            value={to}
            aria-invalid={at("/to").length > 0 || undefined}
            onChange={(e) => setTo(e.target.value)}
          />
          <Problems problems={at("/to")} />
        </div>
        <div className="field">
          <label htmlFor="vc-code">Code</label>
          <input
            id="vc-code"
            required
            inputMode="numeric"
            autoComplete="off"
            value={code}
            aria-invalid={at("/code").length > 0 || undefined}
            onChange={(e) => setCode(e.target.value)}
          />
          <Problems problems={at("/code")} />
        </div>
        <div className="form-actions">
          <button className="primary" type="submit">
            Check
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {result && (
        <Notice tone={result.valid ? "good" : "warn"}>
          <span data-testid="check-result">{result.valid ? "Valid code" : "Not the right code"}</span>: the
          verification is <Badge status={result.status} />
        </Notice>
      )}
    </Card>
  );
}
