import { useEffect, useState } from "react";
import { Problems, TextInput } from "../../components/ui";
import { type Problem, problemsAt } from "../../lib/api";
import { CheckInput, LinkSelect, ListInput, NumberInput, PromptList } from "./fields";
import { type FlowNode, type NodeEntry, NODE_TYPES, TYPE_LABELS, nodeLevel, nodeOfType } from "./flow-form";

/** One node of the flow: its id, its type and that type's fields, with the server's findings inline. */
export function NodeCard({
  entry,
  ids,
  isStart,
  problems,
  onChange,
  onRename,
  onRemove,
}: {
  entry: NodeEntry;
  ids: string[];
  isStart: boolean;
  problems: Problem[];
  onChange: (node: FlowNode) => void;
  /** Renames the node and every link to it; false when the id is taken. */
  onRename: (id: string) => boolean;
  onRemove: () => void;
}) {
  const { id, node } = entry;
  const base = `/nodes/${id}`;
  const uid = (field: string) => `node-${entry.key}-${field}`;
  const at = (field: string) => problemsAt(problems, `${base}/${field}`);
  const set = (field: string, value: unknown) => onChange({ ...node, [field]: value });
  const own = nodeLevel(problems, id, node.type);
  const errors = problemsAt(problems, base).filter((p) => p.severity !== "warning").length;

  const text = (
    field: string,
    label: string,
    o: { placeholder?: string; help?: string; multiline?: boolean } = {},
  ) => (
    <TextInput
      id={uid(field)}
      label={label}
      value={node[field]}
      onChange={(v) => set(field, v)}
      problems={at(field)}
      {...o}
    />
  );
  const num = (field: string, label: string, placeholder?: string) => (
    <NumberInput
      id={uid(field)}
      label={label}
      value={node[field]}
      onChange={(v) => set(field, v)}
      problems={at(field)}
      placeholder={placeholder}
    />
  );
  const link = (field: string, label: string, none: string) => (
    <LinkSelect
      id={uid(field)}
      label={label}
      value={node[field]}
      ids={ids}
      onChange={(v) => set(field, v)}
      problems={at(field)}
      none={none}
    />
  );
  const prompts = (field: string, label: string) => (
    <PromptList
      id={uid(field)}
      label={label}
      value={node[field]}
      onChange={(v) => set(field, v)}
      problems={at(field)}
      path={`${base}/${field}`}
    />
  );

  return (
    <section
      className={`card node-card${errors ? " card-bad" : ""}`}
      data-node={id}
      aria-label={`Node ${id}`}
    >
      <header className="node-head">
        <IdInput id={uid("id")} value={id} onRename={onRename} />
        <div className="field">
          <label htmlFor={uid("type")}>Type</label>
          <select
            id={uid("type")}
            value={node.type}
            onChange={(e) => onChange(nodeOfType(e.target.value, node))}
          >
            {NODE_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
            {!NODE_TYPES.includes(node.type as never) && <option value={node.type}>{node.type}</option>}
          </select>
        </div>
        {isStart && <span className="badge badge-info">Start</span>}
        <button type="button" className="link danger node-remove" onClick={onRemove}>
          Remove node
        </button>
      </header>
      <Problems problems={own} relativeTo={base} />
      <div className="node-fields">
        {node.type === "say" && (
          <>
            {text("text", "Text", { multiline: true, placeholder: "Thank you for calling." })}
            {text("voice", "Voice", { placeholder: "the flow's" })}
            {text("language", "Language", { placeholder: "the flow's" })}
            {num("loop", "Repeat", "1")}
            {link("next", "Then", "— end the call —")}
          </>
        )}
        {node.type === "play" && (
          <>
            {text("url", "Audio URL", { placeholder: "https://example.com/hold.mp3" })}
            {num("loop", "Repeat", "1")}
            {link("next", "Then", "— end the call —")}
          </>
        )}
        {node.type === "gather" && (
          <>
            {prompts("prompt", "Prompt")}
            <Choices node={node} ids={ids} uid={uid} base={base} problems={problems} onChange={onChange} />
            <InputKinds node={node} uid={uid} problems={at("input")} onChange={onChange} />
            {num("timeout", "Silence timeout (s)", "5")}
            {num("num_digits", "Keys to read", "any")}
            {num("max_retries", "Retries", "2")}
            {link("on_failure", "After the retries", "— apologise and hang up —")}
            {text("language", "Speech language", { placeholder: "the flow's" })}
            {prompts("no_input_prompt", "On silence")}
            {prompts("invalid_prompt", "On a wrong answer")}
          </>
        )}
        {node.type === "dial" && (
          <>
            {text("number", "Number", { placeholder: "+14155550100" })}
            {text("caller_id", "Caller ID", { placeholder: "the calling number" })}
            {num("timeout", "Ring for (s)", "30")}
            {link("next", "After the conversation", "— end the call —")}
            {link("on_no_answer", "Busy or no answer", "— as after the conversation —")}
          </>
        )}
        {node.type === "record" && (
          <>
            {prompts("prompt", "Prompt")}
            {num("max_length", "Longest message (s)", "120")}
            {num("timeout", "Stop after silence (s)", "5")}
            <CheckInput
              id={uid("transcribe")}
              label="Transcribe"
              checked={Boolean(node.transcribe)}
              onChange={(v) => set("transcribe", v || undefined)}
            />
            <CheckInput
              id={uid("play_beep")}
              label="Beep first"
              checked={node.play_beep !== false}
              onChange={(v) => set("play_beep", v ? undefined : false)}
            />
            {link("next", "Then", "— end the call —")}
          </>
        )}
        {node.type === "redirect" && (
          <>
            {link("next", "To node", "— none: use the URL —")}
            {text("url", "Or to a TwiML URL", { placeholder: "https://example.com/twiml" })}
          </>
        )}
        {node.type === "hangup" && <p className="muted">Ends the call.</p>}
      </div>
    </section>
  );
}

/** The node's id, renamed (links included) when the field is left, unless another node has it. */
function IdInput({ id, value, onRename }: { id: string; value: string; onRename: (id: string) => boolean }) {
  const [text, setText] = useState(value);
  const [taken, setTaken] = useState(false);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    const next = text.trim();
    if (!next || next === value) {
      setText(value);
      setTaken(false);
      return;
    }
    setTaken(!onRename(next));
  };
  return (
    <div className="field">
      <label htmlFor={id}>Node id</label>
      <input
        id={id}
        value={text}
        aria-invalid={taken || undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      />
      {taken && (
        <ul className="findings">
          <li className="finding finding-error">Another node is called {text.trim()}.</li>
        </ul>
      )}
    </div>
  );
}

function InputKinds({
  node,
  uid,
  problems,
  onChange,
}: {
  node: FlowNode;
  uid: (f: string) => string;
  problems: Problem[];
  onChange: (n: FlowNode) => void;
}) {
  const input: string[] = node.input ?? ["dtmf"];
  const toggle = (kind: string, on: boolean) => {
    const next = ["dtmf", "speech"].filter((k) => (k === kind ? on : input.includes(k)));
    onChange({ ...node, input: next });
  };
  return (
    <fieldset className="inline-fieldset">
      <legend>Listens for</legend>
      <CheckInput
        id={uid("input-dtmf")}
        label="Keys"
        checked={input.includes("dtmf")}
        onChange={(v) => toggle("dtmf", v)}
      />
      <CheckInput
        id={uid("input-speech")}
        label="Speech"
        checked={input.includes("speech")}
        onChange={(v) => toggle("speech", v)}
      />
      <Problems problems={problems} />
    </fieldset>
  );
}

function Choices({
  node,
  ids,
  uid,
  base,
  problems,
  onChange,
}: {
  node: FlowNode;
  ids: string[];
  uid: (f: string) => string;
  base: string;
  problems: Problem[];
  onChange: (n: FlowNode) => void;
}) {
  const choices: any[] = node.choices ?? [];
  const set = (i: number, c: any) => onChange({ ...node, choices: choices.map((d, j) => (j === i ? c : d)) });
  const path = `${base}/choices`;
  return (
    <fieldset className="choices">
      <legend>Choices</legend>
      {choices.map((c, i) => {
        const here = problemsAt(problems, `${path}/${i}`);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: choices are identified by their place
          <div key={i} className="choice" data-choice={i}>
            <div className="choice-row">
              <input
                className="short"
                aria-label={`Choice ${i + 1}: keys`}
                placeholder="1"
                value={c.digits ?? ""}
                aria-invalid={problemsAt(here, `${path}/${i}/digits`).length > 0 || undefined}
                onChange={(e) => set(i, { ...c, digits: e.target.value })}
              />
              <ListInput
                id={uid(`choice-${i}-speech`)}
                label={`Choice ${i + 1}: words`}
                value={c.speech}
                onChange={(v) => set(i, { ...c, speech: v })}
              />
              <select
                aria-label={`Choice ${i + 1}: goes to`}
                value={c.next ?? ""}
                aria-invalid={problemsAt(here, `${path}/${i}/next`).length > 0 || undefined}
                onChange={(e) => set(i, { ...c, next: e.target.value })}
              >
                <option value="">— pick a node —</option>
                {ids.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
                {c.next && !ids.includes(c.next) && <option value={c.next}>{c.next} (no such node)</option>}
              </select>
              <button
                type="button"
                className="link danger"
                aria-label={`Remove choice ${i + 1}`}
                onClick={() => onChange({ ...node, choices: choices.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </div>
            <Problems problems={here} relativeTo={path} />
          </div>
        );
      })}
      <Problems problems={problems.filter((p) => p.path === path)} />
      <button
        type="button"
        className="link"
        onClick={() =>
          onChange({ ...node, choices: [...choices, { digits: String(choices.length + 1), next: "" }] })
        }
      >
        Add choice
      </button>
    </fieldset>
  );
}
