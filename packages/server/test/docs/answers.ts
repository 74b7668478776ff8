/**
 * JSON as the docs write it: real JSON, except that `…` stands for what is left out — members of
 * an object (`{"id":"msg_01J…",…}`), elements of an array (`[…]`), or part of a string, which is
 * then a placeholder for a value the reader gets elsewhere (`"ten_01J…"`, `"sk_test_…"`, `"…"`).
 *
 * A documented answer (`# → 201 {…}` after a curl) is checked twice: against the OpenAPI schema
 * of the route it illustrates (every field it names exists there, with a value of the right kind;
 * an object shown whole has the required fields), and against the answer the running product
 * gave (every field it names is there, of the same kind). Its placeholders take the values the
 * product answered, for the steps after it.
 */

export type Doc =
  | { t: "object"; members: [string, Doc][]; elided: boolean }
  | { t: "array"; items: Doc[]; elided: boolean }
  | { t: "string"; value: string }
  | { t: "number"; value: number }
  | { t: "boolean"; value: boolean }
  | { t: "null" }
  /** A bare `…` where a value goes. */
  | { t: "any" };

export const ELLIPSIS = "…";

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): Error {
    return new Error(`expected ${what} at "${this.s.slice(this.i, this.i + 30)}" in ${this.s.slice(0, 80)}`);
  }

  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  eat(c: string): boolean {
    this.ws();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  value(): Doc {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return { t: "string", value: this.string() };
    if (c === ELLIPSIS) {
      this.i++;
      return { t: "any" };
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) throw this.fail("a JSON value");
    this.i += m[0].length;
    if (m[0] === "null") return { t: "null" };
    if (m[0] === "true" || m[0] === "false") return { t: "boolean", value: m[0] === "true" };
    return { t: "number", value: Number(m[0]) };
  }

  string(): string {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(this.s.slice(this.i));
    if (!m) throw this.fail("a string");
    this.i += m[0].length;
    return JSON.parse(m[0]);
  }

  object(): Doc {
    this.i++;
    const members: [string, Doc][] = [];
    let elided = false;
    if (this.eat("}")) return { t: "object", members, elided };
    do {
      if (this.eat(ELLIPSIS)) elided = true;
      else {
        this.ws();
        const key = this.string();
        if (!this.eat(":")) throw this.fail(":");
        members.push([key, this.value()]);
      }
    } while (this.eat(","));
    if (!this.eat("}")) throw this.fail("} or ,");
    return { t: "object", members, elided };
  }

  array(): Doc {
    this.i++;
    const items: Doc[] = [];
    let elided = false;
    if (this.eat("]")) return { t: "array", items, elided };
    do {
      if (this.eat(ELLIPSIS)) elided = true;
      else items.push(this.value());
    } while (this.eat(","));
    if (!this.eat("]")) throw this.fail("] or ,");
    return { t: "array", items, elided };
  }
}

/** Parses documented JSON; `rest` is what follows the value (prose, in an answer comment). */
export function parseDocumented(text: string): { value: Doc; rest: string } {
  const reader = new Reader(text);
  const value = reader.value();
  return { value, rest: text.slice(reader.i).trim() };
}

export interface DocumentedAnswer {
  status?: number;
  body?: Doc;
  /** The answer as written. */
  text: string;
}

/** `201 {"id":"ten_01J…",…}`, `{"now":"…"}`, `404`, or prose (then neither status nor body). */
export function parseAnswer(text: string): DocumentedAnswer {
  const m = /^(\d{3})(?:\s+|$)/.exec(text);
  const status = m ? Number(m[1]) : undefined;
  const rest = m ? text.slice(m[0].length) : text;
  if (!/^[{[]/.test(rest)) return { status, text };
  return { status, body: parseDocumented(rest).value, text };
}

/** The part of a documented value at a JSON pointer (`/data/message`). */
export function at(doc: Doc, pointer: string): Doc | undefined {
  let here: Doc | undefined = doc;
  for (const token of pointer.split("/").slice(1)) {
    if (here?.t === "object") here = here.members.find(([k]) => k === token)?.[1];
    else if (here?.t === "array") here = here.items[Number(token)];
    else return undefined;
  }
  return here;
}

const isPlaceholder = (d: Doc) => d.t === "string" && d.value.includes(ELLIPSIS);

function deref(schema: any, root: any): any {
  let s = schema;
  for (let depth = 0; s && typeof s === "object" && typeof s.$ref === "string"; depth++) {
    if (depth > 20) throw new Error(`$ref loop at ${s.$ref}`);
    s = s.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: any, key: string) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], root);
    if (s === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  }
  return s;
}

function kinds(doc: Doc): string[] {
  if (doc.t === "number") return Number.isInteger(doc.value) ? ["integer", "number"] : ["number"];
  return [doc.t];
}

function shown(doc: Doc): string {
  if (doc.t === "string") return JSON.stringify(doc.value);
  if (doc.t === "number" || doc.t === "boolean") return String(doc.value);
  return doc.t;
}

const FORMATS: Record<string, RegExp> = {
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  email: /^[^@\s]+@[^@\s]+$/,
  uri: /^[a-z][a-z0-9+.-]*:/i,
};

/**
 * What a documented value gets wrong against a JSON schema (resolved in `root`, the OpenAPI
 * document). Placeholders and elisions are taken as the reader would: a placeholder stands for
 * a string of the right field, an elided object may leave out required fields.
 */
export function schemaProblems(doc: Doc, schema: any, root: any, path = ""): string[] {
  const s = deref(schema, root);
  const here = path || "/";
  if (s === true || s === undefined || s === null) return [];
  if (s === false) return [`${here}: no value is allowed here`];
  const problems: string[] = [];
  for (const key of ["oneOf", "anyOf"] as const) {
    if (!Array.isArray(s[key])) continue;
    const results: string[][] = s[key].map((branch: any) => schemaProblems(doc, branch, root, path));
    if (!results.some((r) => r.length === 0)) {
      problems.push(results.reduce((best, r) => (r.length < best.length ? r : best)).join("; "));
    }
  }
  for (const branch of s.allOf ?? []) problems.push(...schemaProblems(doc, branch, root, path));
  if (s.if !== undefined) {
    const matches = schemaProblems(doc, s.if, root, path).length === 0;
    const then = matches ? s.then : s.else;
    if (then !== undefined) problems.push(...schemaProblems(doc, then, root, path));
  }
  if (doc.t === "any") return problems;
  const types: string[] | null = s.type === undefined ? null : [s.type].flat();
  if (types && !types.some((t) => kinds(doc).includes(t))) {
    return [...problems, `${here}: ${shown(doc)} is not of type ${types.join(" or ")}`];
  }
  const literal = doc.t === "string" || doc.t === "number" || doc.t === "boolean" || doc.t === "null";
  if (literal && !isPlaceholder(doc)) {
    const value = doc.t === "null" ? null : (doc as { value: unknown }).value;
    if (Array.isArray(s.enum) && !s.enum.includes(value))
      problems.push(
        `${here}: ${shown(doc)} is not one of ${s.enum.map((e: unknown) => JSON.stringify(e)).join(", ")}`,
      );
    if ("const" in s && s.const !== value)
      problems.push(`${here}: ${shown(doc)} is not ${JSON.stringify(s.const)}`);
    if (doc.t === "string") {
      if (s.pattern && !new RegExp(s.pattern, "u").test(doc.value))
        problems.push(`${here}: ${shown(doc)} does not match ${s.pattern}`);
      if (s.format && FORMATS[s.format] && !FORMATS[s.format].test(doc.value))
        problems.push(`${here}: ${shown(doc)} is not a ${s.format}`);
      const length = [...doc.value].length;
      if (s.maxLength !== undefined && length > s.maxLength)
        problems.push(`${here}: longer than ${s.maxLength} characters`);
      if (s.minLength !== undefined && length < s.minLength)
        problems.push(`${here}: shorter than ${s.minLength} characters`);
    }
    if (doc.t === "number") {
      if (s.minimum !== undefined && doc.value < s.minimum) problems.push(`${here}: below ${s.minimum}`);
      if (s.maximum !== undefined && doc.value > s.maximum) problems.push(`${here}: above ${s.maximum}`);
    }
  }
  if (doc.t === "object") {
    const properties = s.properties ?? {};
    for (const [key, value] of doc.members) {
      const child = `${path}/${key}`;
      if (key in properties) problems.push(...schemaProblems(value, properties[key], root, child));
      else {
        const pattern = Object.entries<any>(s.patternProperties ?? {}).find(([p]) =>
          new RegExp(p, "u").test(key),
        );
        if (pattern) problems.push(...schemaProblems(value, pattern[1], root, child));
        else if (s.additionalProperties === false) problems.push(`${child}: no such field`);
        else if (typeof s.additionalProperties === "object")
          problems.push(...schemaProblems(value, s.additionalProperties, root, child));
      }
    }
    if (!doc.elided) {
      const named = new Set(doc.members.map(([k]) => k));
      for (const required of s.required ?? [])
        if (!named.has(required)) problems.push(`${path}/${required}: required, and missing`);
    }
  }
  if (doc.t === "array" && s.items) {
    doc.items.forEach((item, i) => {
      problems.push(...schemaProblems(item, s.items, root, `${path}/${i}`));
    });
  }
  return problems;
}

/** Values the docs' placeholders stand for, learnt from the answers as the examples run. */
export interface Bindings {
  /** A placeholder (`ten_01J…`) and the value it stands for; the first value stays. */
  values: Map<string, string>;
  /** A bare `"…"` is named by its field (`"challenge": "…"`); the latest value stays. */
  fields: Map<string, string>;
}

/** The fixed part of a placeholder's value (`ten_01J…` → `ten_`: ids are ULIDs of any date). */
export function placeholderPrefix(text: string): string | null {
  const m = /^([^…]*)…$/.exec(text);
  return m ? m[1].replace(/_01[0-9A-Z]{0,3}$/, "_") : null;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * What a documented answer shows that the product's answer does not have (every field it names,
 * with a value of the same kind; a documented value may be null in the answer), and the values of
 * its placeholders, added to `bindings`.
 */
export function answerProblems(
  doc: Doc,
  actual: unknown,
  bindings: Bindings,
  path = "",
  field?: string,
): string[] {
  const here = path || "/";
  if (doc.t === "any" || actual === null || doc.t === "null") return [];
  const expected = doc.t === "number" || doc.t === "boolean" ? doc.t : doc.t === "object" ? "object" : doc.t;
  if (typeOf(actual) !== expected)
    return [`${here}: the docs show ${shown(doc)}, the answer has ${JSON.stringify(actual)}`];
  if (doc.t === "string" && isPlaceholder(doc)) {
    const value = actual as string;
    const prefix = placeholderPrefix(doc.value);
    if (prefix !== null && !value.startsWith(prefix))
      return [`${here}: the docs show ${shown(doc)}, the answer has ${JSON.stringify(value)}`];
    if (doc.value === ELLIPSIS) {
      if (field) bindings.fields.set(field, value);
    } else if (!/\s/.test(doc.value) && !bindings.values.has(doc.value))
      bindings.values.set(doc.value, value);
    return [];
  }
  const problems: string[] = [];
  if (doc.t === "object") {
    const record = actual as Record<string, unknown>;
    for (const [key, value] of doc.members) {
      if (!(key in record)) problems.push(`${path}/${key}: shown in the docs, not in the answer`);
      else problems.push(...answerProblems(value, record[key], bindings, `${path}/${key}`, key));
    }
  }
  if (doc.t === "array") {
    const list = actual as unknown[];
    doc.items.forEach((item, i) => {
      if (i < list.length) problems.push(...answerProblems(item, list[i], bindings, `${path}/${i}`, field));
    });
  }
  return problems;
}
