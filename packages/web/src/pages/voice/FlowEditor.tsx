import { useEffect, useRef, useState } from "react";
import { Card, ErrorBanner, Loading, NeedsTenant, Notice, PageHeader, Problems } from "../../components/ui";
import { type Problem, get, post, problemsAt, problemsOf, put } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { NumberOptions, useTenantNumbers } from "../../lib/numbers";
import { Link, useRouter } from "../../lib/router";
import { useSession } from "../../lib/session";
import { NodeCard } from "./NodeCard";
import { Field, TextInput } from "../../components/ui";

import {
  type Draft,
  STARTER,
  documentOf,
  draftOf,
  draftOfJson,
  flowLevel,
  nextKey,
  nodeOfType,
  numbersOf,
  renameNode,
  uniqueId,
} from "./flow-form";

/** /voice/flows/new and /voice/flows/:id. */
export function FlowEditorPage({ id }: { id?: string }) {
  const { tenant, me } = useSession();
  if (!tenant)
    return (
      <>
        <PageHeader title="IVR flow" />
        <NeedsTenant what="IVR flows" />
      </>
    );
  return <FlowEditor key={tenant.id} id={id} canWrite={Boolean(me?.permissions.write)} />;
}

/**
 * An IVR flow's nodes in a form (or as JSON). Saving is the check: the server refuses a flow
 * with errors (nothing is saved) and keeps warnings, and each finding is shown at its node and
 * field with its code.
 */
function FlowEditor({ id, canWrite }: { id?: string; canWrite: boolean }) {
  const { navigate } = useRouter();
  const numbers = useTenantNumbers();
  const loaded = useAsync(
    (signal) => (id ? get(`/v1/ivr-flows/${id}`, { signal }) : Promise.resolve(null)),
    [id],
  );
  const [draft, setDraft] = useState<Draft | null>(id ? null : STARTER);
  const [flow, setFlow] = useState<any>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [numbersTouched, setNumbersTouched] = useState(false);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [json, setJson] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The version the draft started from: a load that brings back what was just saved (a new
  // flow's page reloads it under its id) must not replace edits made since.
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!loaded.data) return;
    const version = `${loaded.data.id}@${loaded.data.version}`;
    if (shown.current === version) return;
    shown.current = version;
    setDraft(draftOf(loaded.data));
    setFlow(loaded.data);
    setProblems(loaded.data.findings ?? []);
  }, [loaded.data]);

  if (!draft)
    return (
      <>
        <PageHeader title="IVR flow" />
        <ErrorBanner error={loaded.error} />
        {!loaded.error && <Loading />}
      </>
    );

  const ids = draft.nodes.map((e) => e.id);
  const change = (d: Draft) => {
    setDraft(d);
    setDirty(true);
    setNotice(null);
  };
  const errors = problems.filter((p) => p.severity !== "warning");
  const warnings = problems.filter((p) => p.severity === "warning");

  function showJson() {
    setJson(JSON.stringify(documentOf(draft!, true), null, 2));
    setJsonError(null);
    setMode("json");
  }
  function showForm(): Draft | null {
    try {
      const d = draftOfJson(json);
      change(d);
      setMode("form");
      return d;
    } catch (e) {
      setJsonError((e as Error).message);
      return null;
    }
  }

  /** The flow being edited, read from the JSON view when it is open (null: the JSON is invalid). */
  function current(): Draft | null {
    if (mode !== "json") return draft!;
    try {
      return draftOfJson(json);
    } catch (e) {
      setJsonError((e as Error).message);
      return null;
    }
  }

  async function save() {
    const d = current();
    if (!d) return;
    if (mode === "json") setDraft(d);
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      // A new flow names its numbers when it has some; an existing one sends the full list only
      // when it was edited (sending it re-points every number at Subtext).
      const withNumbers = id ? numbersTouched || mode === "json" : numbersOf(d).length > 0;
      const body = documentOf(d, withNumbers);
      const saved = id ? await put(`/v1/ivr-flows/${id}`, body) : await post("/v1/ivr-flows", body);
      shown.current = `${saved.id}@${saved.version}`;
      setFlow(saved);
      setProblems(saved.findings ?? []);
      setDirty(false);
      setNumbersTouched(false);
      const w = (saved.findings ?? []).length;
      setNotice(`Saved version ${saved.version}${w ? ` with ${w} warning${w > 1 ? "s" : ""}` : ""}.`);
      if (!id) navigate(`/voice/flows/${saved.id}`, true);
    } catch (e) {
      setError(e);
      setProblems(problemsOf(e));
      setDirty(false);
    } finally {
      setBusy(false);
    }
  }

  /** The server's dry run: the findings a save would make, nothing saved. */
  async function check() {
    const d = current();
    if (!d) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await post("/v1/ivr-flows/validate", documentOf(d, false));
      setProblems(result.findings);
      const n = result.findings.length;
      setNotice(
        n === 0
          ? "No problems found."
          : `${result.valid ? "Can be saved" : "Cannot be saved"}: ${n} finding${n > 1 ? "s" : ""}.`,
      );
    } catch (e) {
      setError(e);
      setProblems(problemsOf(e));
    } finally {
      setBusy(false);
    }
  }

  const checkButton = canWrite && (
    <button type="button" disabled={busy} onClick={() => void check()}>
      Check
    </button>
  );
  const saveButton = canWrite && (
    <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
      {id ? "Save flow" : "Create flow"}
    </button>
  );
  const at = (path: string) => problemsAt(problems, path);

  return (
    <>
      <PageHeader
        title={draft.name || (id ? "IVR flow" : "New IVR flow")}
        subtitle={
          <>
            <Link to="/voice?tab=flows">← IVR flows</Link>
            {flow && (
              <span className="muted">
                {" "}
                · {flow.id} · version {flow.version} · saved {fmtTime(flow.updated_at)}
              </span>
            )}
          </>
        }
        actions={
          <>
            <fieldset className="segmented">
              <legend className="sr-only">Editor</legend>
              <button
                type="button"
                className={mode === "form" ? "active" : ""}
                aria-pressed={mode === "form"}
                onClick={() => mode === "json" && showForm()}
              >
                Form
              </button>
              <button
                type="button"
                className={mode === "json" ? "active" : ""}
                aria-pressed={mode === "json"}
                onClick={() => mode === "form" && showJson()}
              >
                JSON
              </button>
            </fieldset>
            {checkButton}
            {saveButton}
          </>
        }
      />
      {(errors.length > 0 || warnings.length > 0) && (
        <div
          className={`banner ${errors.length ? "banner-bad" : "banner-warn"}`}
          role="alert"
          data-testid="flow-summary"
        >
          {errors.length > 0
            ? `${errors.length} error${errors.length > 1 ? "s" : ""}: nothing was saved.`
            : `${warnings.length} warning${warnings.length > 1 ? "s" : ""}: saved all the same.`}{" "}
          {dirty && <span className="small">(from the last save; save again to check your changes)</span>}
          <Problems problems={mode === "json" ? problems : flowLevel(problems, ids)} />
        </div>
      )}
      {errors.length === 0 && <ErrorBanner error={error} />}
      {notice && <Notice tone="good">{notice}</Notice>}
      {!canWrite && <Notice>Your role can read flows, not change them.</Notice>}

      {mode === "json" ? (
        <Card title="Flow document (JSON)">
          <p className="muted">
            The body of POST/PUT /v1/ivr-flows. Switch back to the form to edit it field by field.
          </p>
          <textarea
            className="code"
            rows={28}
            aria-label="Flow document"
            value={json}
            readOnly={!canWrite}
            onChange={(e) => {
              setJson(e.target.value);
              setJsonError(null);
              setDirty(true);
            }}
          />
          {jsonError && (
            <div className="banner banner-bad" role="alert">
              {jsonError}
            </div>
          )}
        </Card>
      ) : (
        <fieldset className="plain" disabled={!canWrite}>
          <Card title="Flow">
            <div className="grid-2">
              <TextInput
                id="flow-name"
                label="Name"
                value={draft.name}
                placeholder="Front desk"
                onChange={(v) => change({ ...draft, name: v })}
                problems={at("/name")}
              />
              <Field id="flow-start" label="Starts at" problems={at("/start")}>
                <select
                  id="flow-start"
                  value={draft.start}
                  aria-invalid={at("/start").length > 0 || undefined}
                  onChange={(e) => change({ ...draft, start: e.target.value })}
                >
                  {!ids.includes(draft.start) && (
                    <option value={draft.start}>{draft.start || "—"} (no such node)</option>
                  )}
                  {ids.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </Field>
              <TextInput
                id="flow-voice"
                label="Voice"
                value={draft.voice}
                placeholder="Polly.Joanna"
                help="Twilio's voice for every Say, unless a node names its own."
                onChange={(v) => change({ ...draft, voice: v })}
                problems={at("/voice")}
              />
              <TextInput
                id="flow-language"
                label="Language"
                value={draft.language}
                placeholder="en-US"
                onChange={(v) => change({ ...draft, language: v })}
                problems={at("/language")}
              />
            </div>
            <Field
              id="flow-numbers"
              label="Phone numbers"
              problems={[...at("/phone_numbers"), ...at("/phone_number")]}
              help="The tenant's numbers whose calls run this flow (their voice URL is pointed at Subtext), separated by commas."
            >
              <input
                id="flow-numbers"
                list="flow-tenant-numbers"
                placeholder={numbers[0] ?? "+14155550123"}
                value={draft.numbers}
                onChange={(e) => {
                  setNumbersTouched(true);
                  change({ ...draft, numbers: e.target.value });
                }}
              />
              <NumberOptions id="flow-tenant-numbers" numbers={numbers} />
            </Field>
          </Card>
          {draft.nodes.map((entry) => (
            <NodeCard
              key={entry.key}
              entry={entry}
              ids={ids}
              isStart={entry.id === draft.start}
              problems={problems}
              onChange={(node) =>
                change({
                  ...draft,
                  nodes: draft.nodes.map((e) => (e.key === entry.key ? { ...e, node } : e)),
                })
              }
              onRename={(to) => {
                if (ids.includes(to)) return false;
                change(renameNode(draft, entry.key, to));
                return true;
              }}
              onRemove={() => change({ ...draft, nodes: draft.nodes.filter((e) => e.key !== entry.key) })}
            />
          ))}
          {canWrite && (
            <div className="form-actions">
              <button
                type="button"
                onClick={() =>
                  change({
                    ...draft,
                    nodes: [...draft.nodes, { key: nextKey(), id: uniqueId(draft), node: nodeOfType("say") }],
                  })
                }
              >
                Add node
              </button>
              {saveButton}
            </div>
          )}
        </fieldset>
      )}
    </>
  );
}
