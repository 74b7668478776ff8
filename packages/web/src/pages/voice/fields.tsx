import { useEffect, useState } from "react";
import { Field, Problems } from "../../components/ui";
import { type Problem, problemsAt } from "../../lib/api";

/** Small form controls of the flow editor; each shows the server's findings at its path. */

export function NumberInput({
  id,
  label,
  value,
  onChange,
  problems,
  placeholder,
}: {
  id: string;
  label: string;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  problems: Problem[];
  placeholder?: string;
}) {
  return (
    <Field id={id} label={label} problems={problems}>
      <input
        id={id}
        type="number"
        className="short"
        value={value ?? ""}
        placeholder={placeholder}
        aria-invalid={problems.length > 0 || undefined}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    </Field>
  );
}

export function CheckInput({
  id,
  label,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="field field-check">
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />{" "}
        {label}
      </label>
    </div>
  );
}

/** A link to another node: the flow's node ids, plus the current value when no node has it. */
export function LinkSelect({
  id,
  label,
  value,
  ids,
  onChange,
  problems,
  none,
}: {
  id: string;
  label: string;
  value: string | undefined;
  ids: string[];
  onChange: (v: string) => void;
  problems: Problem[];
  /** What no link means for this field. */
  none: string;
}) {
  const missing = value && !ids.includes(value);
  return (
    <Field id={id} label={label} problems={problems}>
      <select
        id={id}
        value={value ?? ""}
        aria-invalid={problems.length > 0 || undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{none}</option>
        {ids.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
        {missing && <option value={value}>{value} (no such node)</option>}
      </select>
    </Field>
  );
}

const words = (t: string) =>
  t
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);

/** Comma-separated words edited as text, reported as a list (menu choices' speech). */
export function ListInput({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string[] | undefined;
  onChange: (v: string[] | undefined) => void;
}) {
  const joined = (value ?? []).join(", ");
  const [text, setText] = useState(joined);
  // Follow changes made elsewhere (the JSON view), not the ones this input just reported.
  useEffect(() => {
    setText((t) => (words(t).join(", ") === joined ? t : joined));
  }, [joined]);
  return (
    <input
      id={id}
      aria-label={label}
      value={text}
      placeholder="sales, orders"
      onChange={(e) => {
        setText(e.target.value);
        const list = words(e.target.value);
        onChange(list.length ? list : undefined);
      }}
    />
  );
}

/** A list of prompts, each spoken text or an audio URL (other prompt fields are kept as they are). */
export function PromptList({
  id,
  label,
  value,
  onChange,
  problems,
  path,
}: {
  id: string;
  label: string;
  value: any[] | undefined;
  onChange: (v: any[] | undefined) => void;
  problems: Problem[];
  path: string;
}) {
  const list = value ?? [];
  const set = (i: number, p: any) => onChange(list.map((q, j) => (j === i ? p : q)));
  return (
    <fieldset className="prompts">
      <legend>{label}</legend>
      {list.map((p, i) => {
        const kind = "play" in p ? "play" : "say";
        const { say: _s, play: _p, ...rest } = p;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: prompts are identified by their place
          <div key={i} className="prompt-row">
            <select
              aria-label={`${label} ${i + 1}: kind`}
              value={kind}
              onChange={(e) => set(i, { ...rest, [e.target.value]: p[kind] ?? "" })}
            >
              <option value="say">Say</option>
              <option value="play">Play URL</option>
            </select>
            <input
              id={i === 0 ? id : undefined}
              aria-label={`${label} ${i + 1}`}
              value={p[kind] ?? ""}
              placeholder={kind === "say" ? "Text to speak" : "https://example.com/hold.mp3"}
              aria-invalid={problemsAt(problems, `${path}/${i}`).length > 0 || undefined}
              onChange={(e) => set(i, { ...rest, [kind]: e.target.value })}
            />
            <button
              type="button"
              className="link danger"
              aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}
              onClick={() => {
                const left = list.filter((_, j) => j !== i);
                onChange(left.length ? left : undefined);
              }}
            >
              Remove
            </button>
          </div>
        );
      })}
      <Problems problems={problems} relativeTo={path} />
      <button type="button" className="link" onClick={() => onChange([...list, { say: "" }])}>
        Add {label.toLowerCase()}
      </button>
    </fieldset>
  );
}
