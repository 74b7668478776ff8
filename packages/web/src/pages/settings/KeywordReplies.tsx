import { type FormEvent, useEffect, useState } from "react";
import { Card, ErrorBanner, Notice } from "../../components/ui";
import { get, patch, put } from "../../lib/api";
import { useAsync } from "../../lib/hooks";

type Kind = "opt_out" | "help" | "opt_in";
const KINDS: { kind: Kind; label: string }[] = [
  { kind: "opt_out", label: "Reply to STOP (opt-out)" },
  { kind: "help", label: "Reply to HELP" },
  { kind: "opt_in", label: "Reply to START (opt-in)" },
];
const SOURCES: Record<string, string> = {
  registration: "as registered",
  tenant: "your text",
  service: "set for one messaging service",
  default: "Subtext's default",
};

const EXAMPLE = {
  keywords: { opt_out: ["ARRET"], help: ["AIDE"] },
  languages: { es: { keywords: { opt_out: ["ALTO"] } } },
};

/** The tenant-wide configuration as PUT takes it (without its scope and date). */
function tenantWide(configs: any): Record<string, any> | undefined {
  const current = configs?.data?.find((c: any) => c.messaging_service_id === null);
  if (!current) return undefined;
  const { messaging_service_id: _s, updated_at: _u, ...config } = current;
  return config;
}

/**
 * The replies to STOP, HELP and START: those in force (registered at registration unless the
 * tenant set its own), who answers the exact keywords, and custom keywords edited as JSON.
 */
export function KeywordReplies() {
  const inForce = useAsync((signal) => get("/v1/keyword-replies/in-force", { signal }), []);
  const configs = useAsync((signal) => get("/v1/keyword-replies", { signal }), []);
  const reload = () => {
    inForce.reload();
    configs.reload();
  };
  return (
    <>
      <Replies inForce={inForce.data} configs={configs.data} onSaved={reload} error={inForce.error} />
      {inForce.data && <Answerer current={inForce.data.default_keywords_answered_by} onSaved={reload} />}
      <CustomKeywords configs={configs.data} onSaved={reload} error={configs.error} />
    </>
  );
}

function Replies({
  inForce,
  configs,
  onSaved,
  error: loadError,
}: {
  inForce: any;
  configs: any;
  onSaved: () => void;
  error: unknown;
}) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (!inForce) return <ErrorBanner error={loadError} />;
  const registered: Record<Kind, string | null> | undefined = inForce.registration?.replies;
  const whoAnswers =
    inForce.default_keywords_answered_by === "subtext"
      ? "Subtext sends these replies to every keyword, and to your custom keywords."
      : "Twilio answers these keywords written exactly (STOP, Help) with its own texts; Subtext sends these replies to the rest (STOP!, stop please, help?) and to your custom keywords.";
  function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const config = tenantWide(configs) ?? {};
    const replies: Record<string, string> = { ...config.replies };
    for (const { kind } of KINDS) {
      const text = String(f.get(kind) ?? "").trim();
      // The registered text needs no override: it applies by itself.
      if (!text || text === registered?.[kind]) delete replies[kind];
      else replies[kind] = text;
    }
    setSaved(false);
    setError(null);
    put("/v1/keyword-replies", { ...config, replies }).then(() => {
      setSaved(true);
      onSaved();
    }, setError);
  }
  return (
    <Card title="Keyword replies">
      <p className="muted">
        What {inForce.brand_name ?? "the tenant"} answers to STOP, HELP and START. {whoAnswers}
      </p>
      <form className="stacked-form" onSubmit={save} key={JSON.stringify(inForce.replies)}>
        {KINDS.map(({ kind, label }) => {
          const reply = inForce.replies[kind];
          const differs = inForce.differs_from_registration.includes(kind) && registered?.[kind];
          return (
            <label key={kind}>
              {label} <span className="muted">({SOURCES[reply.source] ?? reply.source})</span>
              <textarea
                name={kind}
                rows={3}
                maxLength={320}
                defaultValue={reply.text}
                data-testid={`reply-${kind}`}
              />
              {differs && (
                <Notice tone="warn">
                  Registered with Twilio: “{registered?.[kind]}”. Carriers expect the replies people get to
                  match the registered ones; Twilio does not let a campaign's replies change.
                </Notice>
              )}
            </label>
          );
        })}
        <ErrorBanner error={error} />
        {saved && <Notice tone="good">Saved.</Notice>}
        <div className="form-actions">
          <button className="primary" type="submit">
            Save replies
          </button>
        </div>
      </form>
    </Card>
  );
}

function Answerer({ current, onSaved }: { current: "twilio" | "subtext"; onSaved: () => void }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <Card title="Who answers STOP, HELP and START written exactly">
      <label>
        Answered by
        <select
          value={current}
          onChange={(e) => {
            setError(null);
            patch("/v1/messaging/settings", { default_keywords_answered_by: e.target.value }).then(
              onSaved,
              setError,
            );
          }}
        >
          <option value="twilio">Twilio (its default or Advanced Opt-Out texts)</option>
          <option value="subtext">Subtext (the replies above)</option>
        </select>
      </label>
      <p className="muted">
        Choose Subtext only once Twilio Support has turned off Twilio's keyword handling for this tenant's
        subaccount; otherwise people get two replies.
      </p>
      <ErrorBanner error={error} />
    </Card>
  );
}

/** Custom keywords and per-language variants (tenant-wide), edited as the API's JSON. */
function CustomKeywords({
  configs,
  onSaved,
  error: loadError,
}: {
  configs: any;
  onSaved: () => void;
  error: unknown;
}) {
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!configs) return;
    setText(JSON.stringify(tenantWide(configs) ?? EXAMPLE, null, 2));
  }, [configs]);
  return (
    <Card title="Custom keywords">
      <p className="muted">
        STOP, START and HELP (and their standard synonyms) always work. Add keywords here; per-language
        variants go under
        <code> languages</code>.
      </p>
      <label htmlFor="kw-json">Tenant-wide configuration (JSON)</label>
      <textarea
        id="kw-json"
        className="code"
        rows={14}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setSaved(false);
        }}
      />
      <ErrorBanner error={error ?? loadError} />
      {saved && <Notice tone="good">Saved.</Notice>}
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          onClick={() => {
            setError(null);
            try {
              put("/v1/keyword-replies", JSON.parse(text)).then(() => {
                setSaved(true);
                onSaved();
              }, setError);
            } catch (e) {
              setError(e);
            }
          }}
        >
          Save
        </button>
      </div>
    </Card>
  );
}
