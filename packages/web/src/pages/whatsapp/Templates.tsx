import { type FormEvent, useState } from "react";
import { FilterBar, Pager, ResultTable, SelectFilter } from "../../components/lists";
import { Badge, Card, ErrorBanner, Field, Notice, Problems, TextInput } from "../../components/ui";
import { post } from "../../lib/api";
import { useSubmission } from "../../lib/forms";
import { fmtTime } from "../../lib/format";
import { useInterval } from "../../lib/hooks";
import { usePages } from "../../lib/paging";

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
  const pages = usePages("/v1/whatsapp/templates", { status }, { limit: 25 });
  const reviewing = (pages.rows ?? []).some((t: any) => IN_REVIEW.has(t.approval_status));
  useInterval(pages.list.reload, 3000, reviewing);
  const submission = useSubmission();

  return (
    <>
      {canWrite && <NewTemplate onCreated={pages.first} />}
      <Card title="Templates">
        <FilterBar>
          <SelectFilter label="Status" value={status} onChange={setStatus} options={STATUSES} />
        </FilterBar>
        <ResultTable
          columns={["Name", "Category", "Review", "Body", "Content SID", "Submitted", canWrite && ""]}
          rows={pages.rows}
          error={submission.error ?? pages.list.error}
          empty="No templates."
          row={(t: any) => (
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
                      onClick={() =>
                        submission.submit(
                          () => post(`/v1/whatsapp/templates/${t.id}/submit`),
                          pages.list.reload,
                        )
                      }
                    >
                      {t.approval_status === "rejected" ? "Resubmit" : "Submit"}
                    </button>
                  )}
                </td>
              )}
            </tr>
          )}
        />
        <Pager pages={pages} />
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
  const creation = useSubmission();
  const at = creation.at;
  const used = placeholders(body);

  function create(e: FormEvent) {
    e.preventDefault();
    const variables = Object.fromEntries(used.filter((n) => samples[n]).map((n) => [n, samples[n]]));
    creation.submit(
      () =>
        post("/v1/whatsapp/templates", {
          name: name.trim(),
          language: language.trim(),
          category,
          body,
          ...(Object.keys(variables).length ? { variables } : {}),
          ...(mediaUrl.trim() ? { media_urls: [mediaUrl.trim()] } : {}),
          submit,
        }),
      () => {
        setName("");
        setBody("");
        setSamples({});
        setMediaUrl("");
        onCreated();
      },
    );
  }

  return (
    <Card title="New template">
      <form onSubmit={create} aria-label="New template">
        <div className="grid-2">
          <TextInput
            id="wat-name"
            label="Name"
            required
            placeholder="order_ready"
            value={name}
            onChange={setName}
            problems={at("/name")}
            help="Lower-case letters, digits and underscores."
          />
          <TextInput
            id="wat-language"
            label="Language"
            required
            value={language}
            onChange={setLanguage}
            problems={at("/language")}
            help="en, en_US, pt_BR…"
          />
          <div className="field">
            <label htmlFor="wat-category">Category</label>
            <select id="wat-category" value={category} onChange={(e) => setCategory(e.target.value)}>
              {CATEGORIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
          <Field id="wat-media" label="Media URL (optional)" problems={at("/media_urls")}>
            <input
              id="wat-media"
              type="url"
              placeholder="https://example.com/receipt.pdf"
              value={mediaUrl}
              onChange={(e) => setMediaUrl(e.target.value)}
            />
          </Field>
        </div>
        <Field
          id="wat-body"
          label="Body"
          problems={at("/body")}
          help={
            <>
              Placeholders are {"{{1}}"}, {"{{2}}"}, … in order.
            </>
          }
        >
          <textarea
            id="wat-body"
            rows={3}
            required
            maxLength={1024}
            placeholder="Hi {{1}}, your order {{2}} is ready for pickup."
            value={body}
            aria-invalid={creation.invalid("/body")}
            onChange={(e) => setBody(e.target.value)}
          />
        </Field>
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
      <ErrorBanner error={creation.error} />
      {creation.result && (
        <Notice tone="good">
          Created {creation.result.name} ({creation.result.content_sid}): review{" "}
          {creation.result.approval_status}.
        </Notice>
      )}
    </Card>
  );
}
