import { type FormEvent, useState } from "react";
import { Badge, Card, Empty, ErrorBanner, Notice, Problems } from "../../components/ui";
import { get, post, problemsAt, problemsOf, qs } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync, useInterval } from "../../lib/hooks";

const CATEGORIES = ["UTILITY", "MARKETING", "AUTHENTICATION"];
const STATUSES = ["unsubmitted", "received", "pending", "approved", "rejected", "paused", "disabled"];
/** Reviews still under way: the list follows them. */
const IN_REVIEW = new Set(["received", "pending"]);

/** The {{n}} placeholders of a body, in order of first use (the sample fields to ask for). */
function placeholders(body: string): string[] {
  return [...new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1]))];
}

/** WhatsApp templates: the list with each review's status, creating one, and resubmitting. */
export function Templates({ canWrite }: { canWrite: boolean }) {
  const [status, setStatus] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) => get(`/v1/whatsapp/templates${qs({ status, cursor, limit: 25 })}`, { signal }),
    [status, cursor],
  );
  const reviewing = (list.data?.data ?? []).some((t: any) => IN_REVIEW.has(t.approval_status));
  useInterval(list.reload, 3000, reviewing);
  const [error, setError] = useState<unknown>(null);

  return (
    <>
      {canWrite && (
        <NewTemplate
          onCreated={() => {
            setCursors([]);
            list.reload();
          }}
        />
      )}
      <Card title="Templates">
        <div className="toolbar">
          <label>
            Status{" "}
            <select
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                setCursors([]);
              }}
            >
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBanner error={error ?? list.error} />
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col">Review</th>
                <th scope="col">Body</th>
                <th scope="col">Content SID</th>
                <th scope="col">Submitted</th>
                {canWrite && <th scope="col" />}
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((t: any) => (
                <tr key={t.id} data-template={t.name}>
                  <td>
                    {t.name} <span className="muted small">{t.language}</span>
                  </td>
                  <td>{t.category}</td>
                  <td>
                    <Badge status={t.approval_status} />
                    {t.rejection_reason && <div className="small warn-text">{t.rejection_reason}</div>}
                  </td>
                  <td className="truncate">
                    {t.types?.["twilio/text"]?.body ?? t.types?.["twilio/media"]?.body}
                  </td>
                  <td className="small">{t.content_sid}</td>
                  <td>{fmtTime(t.submitted_at)}</td>
                  {canWrite && (
                    <td>
                      {(t.approval_status === "unsubmitted" || t.approval_status === "rejected") && (
                        <button
                          type="button"
                          className="link"
                          onClick={() => {
                            setError(null);
                            post(`/v1/whatsapp/templates/${t.id}/submit`).then(list.reload, setError);
                          }}
                        >
                          {t.approval_status === "rejected" ? "Resubmit" : "Submit"}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data?.data.length === 0 && <Empty>No templates.</Empty>}
        <div className="pager">
          <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <button
            type="button"
            disabled={!list.data?.has_more}
            onClick={() => setCursors([...cursors, list.data.next_cursor])}
          >
            Older
          </button>
        </div>
      </Card>
    </>
  );
}

function NewTemplate({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [language, setLanguage] = useState("en");
  const [category, setCategory] = useState("UTILITY");
  const [body, setBody] = useState("");
  const [samples, setSamples] = useState<Record<string, string>>({});
  const [mediaUrl, setMediaUrl] = useState("");
  const [submit, setSubmit] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<any>(null);
  const problems = problemsOf(error);
  const at = (path: string) => problemsAt(problems, path);
  const used = placeholders(body);

  function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setCreated(null);
    const variables = Object.fromEntries(used.filter((n) => samples[n]).map((n) => [n, samples[n]]));
    post("/v1/whatsapp/templates", {
      name: name.trim(),
      language: language.trim(),
      category,
      body,
      ...(Object.keys(variables).length ? { variables } : {}),
      ...(mediaUrl.trim() ? { media_urls: [mediaUrl.trim()] } : {}),
      submit,
    }).then((t) => {
      setCreated(t);
      setName("");
      setBody("");
      setSamples({});
      setMediaUrl("");
      onCreated();
    }, setError);
  }

  return (
    <Card title="New template">
      <form onSubmit={create} aria-label="New template">
        <div className="grid-2">
          <div className="field">
            <label htmlFor="wat-name">Name</label>
            <input
              id="wat-name"
              required
              placeholder="order_ready"
              value={name}
              aria-invalid={at("/name").length > 0 || undefined}
              onChange={(e) => setName(e.target.value)}
            />
            <div className="help">Lower-case letters, digits and underscores.</div>
            <Problems problems={at("/name")} />
          </div>
          <div className="field">
            <label htmlFor="wat-language">Language</label>
            <input
              id="wat-language"
              required
              value={language}
              aria-invalid={at("/language").length > 0 || undefined}
              onChange={(e) => setLanguage(e.target.value)}
            />
            <div className="help">en, en_US, pt_BR…</div>
            <Problems problems={at("/language")} />
          </div>
          <div className="field">
            <label htmlFor="wat-category">Category</label>
            <select id="wat-category" value={category} onChange={(e) => setCategory(e.target.value)}>
              {CATEGORIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="wat-media">Media URL (optional)</label>
            <input
              id="wat-media"
              type="url"
              placeholder="https://example.com/receipt.pdf"
              value={mediaUrl}
              onChange={(e) => setMediaUrl(e.target.value)}
            />
            <Problems problems={at("/media_urls")} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="wat-body">Body</label>
          <textarea
            id="wat-body"
            rows={3}
            required
            maxLength={1024}
            placeholder="Hi {{1}}, your order {{2}} is ready for pickup."
            value={body}
            aria-invalid={at("/body").length > 0 || undefined}
            onChange={(e) => setBody(e.target.value)}
          />
          <div className="help">
            Placeholders are {"{{1}}"}, {"{{2}}"}, … in order.
          </div>
          <Problems problems={at("/body")} />
        </div>
        {used.length > 0 && (
          <fieldset>
            <legend>Sample values (WhatsApp reviews the template with them)</legend>
            <div className="inline-form">
              {used.map((n) => (
                <label key={n}>
                  {`{{${n}}}`}{" "}
                  <input
                    value={samples[n] ?? ""}
                    aria-label={`Sample for {{${n}}}`}
                    onChange={(e) => setSamples({ ...samples, [n]: e.target.value })}
                  />
                </label>
              ))}
            </div>
            <Problems problems={at("/variables")} />
          </fieldset>
        )}
        {used.length === 0 && <Problems problems={at("/variables")} />}
        <div className="form-actions">
          <label className="field-check">
            <input type="checkbox" checked={submit} onChange={(e) => setSubmit(e.target.checked)} /> Submit
            for WhatsApp approval now
          </label>
          <button className="primary" type="submit">
            Create template
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {created && (
        <Notice tone="good">
          Created {created.name} ({created.content_sid}): review {created.approval_status}.
        </Notice>
      )}
    </Card>
  );
}
