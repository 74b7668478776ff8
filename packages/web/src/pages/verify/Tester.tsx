import { type FormEvent, useState } from "react";
import { Badge, Card, ErrorBanner, Notice, Problems, PhoneInput, TextInput } from "../../components/ui";
import { post } from "../../lib/api";
import { useSubmission } from "../../lib/forms";

const CHANNELS = ["sms", "call", "email", "whatsapp"];

/** Sends a code the way the tenant's app would (the same limits apply), for support and testing. */
export function StartVerification({ onStarted }: { onStarted: () => void }) {
  const [to, setTo] = useState("");
  const [channel, setChannel] = useState("sms");
  const [locale, setLocale] = useState("");
  const [fallback, setFallback] = useState(true);
  const start = useSubmission();

  function send(e: FormEvent) {
    e.preventDefault();
    start.submit(
      () =>
        post("/v1/verify/verifications", {
          to: to.trim(),
          channel,
          ...(locale.trim() ? { locale: locale.trim() } : {}),
          ...(channel === "sms" && !fallback ? { fallback: false } : {}),
        }),
      onStarted,
    );
  }

  return (
    <Card title="Send a code">
      <form onSubmit={send} aria-label="Send a code">
        <TextInput
          id="vf-to"
          label="To"
          required
          placeholder={channel === "email" ? "ann@example.com" : "+14155552671"}
          value={to}
          onChange={setTo}
          problems={start.at("/to")}
        />
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
              aria-invalid={start.invalid("/locale")}
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
        <Problems problems={start.at("/locale")} />
        <div className="form-actions">
          <span className="muted small">Counts against the limits below, like a request from your app.</span>
          <button className="primary" type="submit">
            Send code
          </button>
        </div>
      </form>
      <ErrorBanner error={start.error} />
      {start.result && (
        <Notice tone="good">
          Code sent to {start.result.to} by {start.result.channel}: <Badge status={start.result.status} />{" "}
          <span className="small">{start.result.id}</span>
        </Notice>
      )}
    </Card>
  );
}

/** Checks a code as the tenant's app would: a wrong code is an answer (valid: false), not an error. */
export function CheckCode({ onChecked }: { onChecked: () => void }) {
  const [to, setTo] = useState("");
  const [code, setCode] = useState("");
  const check = useSubmission();

  function send(e: FormEvent) {
    e.preventDefault();
    check.submit(() => post("/v1/verify/checks", { to: to.trim(), code: code.trim() }), onChecked);
  }

  return (
    <Card title="Check a code">
      <form onSubmit={send} aria-label="Check a code">
        <PhoneInput id="vc-to" label="To" value={to} onChange={setTo} problems={check.at("/to")} />
        <TextInput
          id="vc-code"
          label="Code"
          required
          inputMode="numeric"
          autoComplete="off"
          value={code}
          onChange={setCode}
          problems={check.at("/code")}
        />
        <div className="form-actions">
          <button className="primary" type="submit">
            Check
          </button>
        </div>
      </form>
      <ErrorBanner error={check.error} />
      {check.result && (
        <Notice tone={check.result.valid ? "good" : "warn"}>
          <span data-testid="check-result">{check.result.valid ? "Valid code" : "Not the right code"}</span>:
          the verification is <Badge status={check.result.status} />
        </Notice>
      )}
    </Card>
  );
}
