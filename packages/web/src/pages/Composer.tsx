import { type FormEvent, useMemo, useState } from "react";
import { countSegments, MAX_BODY_CHARACTERS, SEGMENT_LIMITS } from "@subtext/telecom/segments";
import { Card, ErrorBanner, Notice } from "../components/ui";
import { post } from "../lib/api";
import { Link } from "../lib/router";

/**
 * Sending from the dashboard. Segments and encoding are computed as you type with the very
 * function the server bills with (@subtext/telecom/segments is pure and runs in the browser).
 */
export function Composer({ onSent }: { onSent: (message: any) => void }) {
  const [to, setTo] = useState("");
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<any>(null);
  const count = useMemo(() => countSegments(body, { segmentTexts: true }), [body]);
  const limits = SEGMENT_LIMITS[count.encoding];
  const perSegment = count.segments > 1 ? limits.multipart : limits.single;
  const used = count.segments === 0 ? 0 : count.units - (count.segments - 1) * perSegment;
  const tooLong = count.characters > MAX_BODY_CHARACTERS;

  async function send(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const m = await post("/v1/messages", { to: to.trim(), body }, {});
      setSent(m);
      setBody("");
      onSent(m);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="New message">
      <form className="composer" onSubmit={send}>
        <label>
          To
          <input
            value={to}
            onChange={(e) => setTo(e.target.value)}
            placeholder="+14155550123"
            inputMode="tel"
            required
            name="to"
          />
        </label>
        <label>
          Message
          <textarea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={4}
            required
            name="body"
            aria-describedby="segment-meter"
          />
        </label>
        <div id="segment-meter" className="segment-meter" aria-live="polite">
          <span data-testid="segments">
            <strong>{count.segments}</strong> segment{count.segments === 1 ? "" : "s"}
          </span>
          <span data-testid="encoding" className={count.encoding === "UCS-2" ? "warn-text" : ""}>
            {count.encoding}
          </span>
          <span>
            {count.characters} characters · {used}/{perSegment}{" "}
            {count.encoding === "GSM-7" ? "septets" : "code units"} in the last segment
          </span>
        </div>
        {count.encoding === "UCS-2" && body && (
          <p className="help">
            A character outside GSM-7 makes the whole message UCS-2 (70 per segment instead of 160):{" "}
            {nonGsm(body)}
          </p>
        )}
        {count.segment_texts && count.segment_texts.length > 1 && (
          <ol className="segment-texts" aria-label="How the message is split">
            {count.segment_texts.map((t, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
              <li key={i}>{t}</li>
            ))}
          </ol>
        )}
        {tooLong && (
          <Notice tone="bad">
            Twilio refuses bodies over {MAX_BODY_CHARACTERS} characters (error 21617).
          </Notice>
        )}
        <ErrorBanner error={error} />
        <div className="form-actions">
          <button className="primary" type="submit" disabled={busy || tooLong || !body || !to}>
            {busy ? "Sending…" : "Send"}
          </button>
          {sent && (
            <span role="status">
              Accepted as <Link to={`/messages/${sent.id}`}>{sent.id}</Link> ({sent.status})
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}

function nonGsm(body: string): string {
  const chars = [...new Set([...body].filter((c) => countSegments(c).encoding === "UCS-2"))];
  return chars.slice(0, 8).join(" ");
}
