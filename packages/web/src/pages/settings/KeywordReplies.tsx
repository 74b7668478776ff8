import { useEffect, useState } from "react";
import { Card, ErrorBanner, Notice } from "../../components/ui";
import { get, put } from "../../lib/api";
import { useAsync } from "../../lib/hooks";

const EXAMPLE = {
  brand_name: "Acme",
  keywords: { opt_out: ["STOP", "ARRET"], help: ["HELP", "AIDE"] },
  replies: { help: "Acme: reply STOP to opt out. Help: acme.com/help" },
};

/** Custom keywords and auto-replies (tenant-wide), edited as the API's JSON. */
export function KeywordReplies() {
  const configs = useAsync((signal) => get("/v1/keyword-replies", { signal }), []);
  const current = configs.data?.data?.find((c: any) => c.messaging_service_id === null);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!configs.data) return;
    const { messaging_service_id: _s, updated_at: _u, ...config } = current ?? EXAMPLE;
    setText(JSON.stringify(config, null, 2));
  }, [configs.data, current]);
  return (
    <Card title="Keyword replies">
      <p className="muted">
        STOP, START and HELP (and their standard synonyms) always work. Add keywords and replies here;
        per-language variants go under
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
      <ErrorBanner error={error ?? configs.error} />
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
                configs.reload();
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
