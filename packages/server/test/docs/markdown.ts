/**
 * The fenced code blocks of the user-facing documents, each with what it is and how it is run
 * (CONTRIBUTING.md, "Examples in the docs"). A block is run by default; one that cannot be run
 * says so in its info string (```text) or in a marker, an HTML comment on the line before it:
 *
 *   <!-- example: not-run (why) -->                       any block: never run
 *   <!-- example: typecheck-only (why) -->                TypeScript: compiled, not run
 *   <!-- example: request POST /v1/registrations/validate -->   JSON: a request body of that route
 *   <!-- example: response 200 POST /v1/registrations/recommend --> JSON: that route's answer
 *   <!-- example: schema Event; schema /data/message Message -->  JSON: an OpenAPI component (at a pointer)
 *   <!-- example: file flow.json -->                      also written as that file for the shell examples
 *   <!-- example: sole_proprietor -->                     a name other tests find the block by
 *
 * Clauses are separated by `;`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The documents whose examples are run: README.md, docs/, the SDK's and the emulator's READMEs. */
export function documentedFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f));
  return ["README.md", ...docs.sort(), "packages/sdk/README.md", "packages/emulator/README.md"];
}

export interface Marker {
  notRun?: string;
  typecheckOnly?: string;
  name?: string;
  request?: { method: string; path: string };
  response?: { status: number; method: string; path: string };
  /** Component schemas the JSON (or the part at a JSON pointer, "" for all of it) must match. */
  schemas: { pointer: string; name: string }[];
  file?: string;
}

export type Kind = "shell" | "json" | "typescript" | "javascript" | "not-run";

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word (```json … → "json"). */
  lang: string;
  text: string;
  marker: Marker | null;
  /** What the runner does with it, or why it cannot (an unmarked block it does not know). */
  kind: Kind | { problem: string };
}

const SHELLS = new Set(["sh", "bash", "shell", "console"]);
const TYPESCRIPT = new Set(["ts", "typescript"]);
const JAVASCRIPT = new Set(["js", "javascript", "mjs"]);

export const where = (b: { file: string; line: number }) => `${b.file}:${b.line}`;

/** Each clause a marker may have, and what it sets. */
const CLAUSES: [RegExp, (m: RegExpExecArray, marker: Marker) => void][] = [
  [/^not-run \((.+)\)$/, (m, marker) => (marker.notRun = m[1])],
  [/^typecheck-only \((.+)\)$/, (m, marker) => (marker.typecheckOnly = m[1])],
  [/^file ([\w.-]+)$/, (m, marker) => (marker.file = m[1])],
  [
    /^request (GET|POST|PUT|PATCH|DELETE) (\/\S*)$/,
    (m, marker) => (marker.request = { method: m[1], path: m[2] }),
  ],
  [
    /^response (\d{3}) (GET|POST|PUT|PATCH|DELETE) (\/\S*)$/,
    (m, marker) => (marker.response = { status: Number(m[1]), method: m[2], path: m[3] }),
  ],
  [/^schema (?:(\/\S*) )?(\w+)$/, (m, marker) => marker.schemas.push({ pointer: m[1] ?? "", name: m[2] })],
  // A bare word names the block, unless it is one of the words above without its argument.
  [
    /^(?!(?:not-run|typecheck-only|file|request|response|schema)$)([\w-]+)$/,
    (m, marker) => (marker.name = m[1]),
  ],
];

/** Reads a marker's clauses; throws on a clause it does not know (a typo must not mean "not run"). */
export function parseMarker(text: string): Marker {
  const marker: Marker = { schemas: [] };
  // `;` separates clauses, except inside a reason's parentheses.
  for (const clause of text
    .split(/;(?![^(]*\))/)
    .map((c) => c.trim())
    .filter(Boolean)) {
    const known = CLAUSES.map(([pattern, apply]) => [pattern.exec(clause), apply] as const).find(([m]) => m);
    if (!known) throw new Error(`unknown clause "${clause}" in <!-- example: ${text} -->`);
    known[1](known[0]!, marker);
  }
  return marker;
}

function kindOf(lang: string, marker: Marker | null): Kind | { problem: string } {
  if (marker?.notRun) return "not-run";
  if (lang === "text") return "not-run";
  if (SHELLS.has(lang)) return "shell";
  if (TYPESCRIPT.has(lang)) return "typescript";
  if (JAVASCRIPT.has(lang)) return "javascript";
  if (lang === "json") {
    if (marker && (marker.request || marker.response || marker.schemas.length)) return "json";
    return {
      problem:
        "a JSON block says what it illustrates: <!-- example: request|response|schema … --> (or not-run (why))",
    };
  }
  return {
    problem: `no runner for \`\`\`${lang}: write \`\`\`text for output, trees and diagrams, or mark it <!-- example: not-run (why) -->`,
  };
}

const MARKER = /^\s*<!--\s*example:\s*(.*?)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/;

/** Every fenced block of a document (path relative to the repository root). */
export function docBlocks(file: string, source = readFileSync(join(ROOT, file), "utf8")): DocBlock[] {
  const lines = source.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      if (MARKER.test(lines[i]) && !FENCE.test(lines[i + 1] ?? ""))
        throw new Error(`${file}:${i + 1}: an example marker must be on the line just before its block`);
      continue;
    }
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
      if (close.test(lines[j])) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: the block is never closed`);
    const m = MARKER.exec(lines[i - 1] ?? "");
    let marker: Marker | null = null;
    if (m) {
      try {
        marker = parseMarker(m[1]);
      } catch (err) {
        throw new Error(`${file}:${i}: ${(err as Error).message}`);
      }
    }
    const language = lang.toLowerCase();
    blocks.push({
      file,
      line: i + 1,
      lang: language,
      text: body.join("\n"),
      marker,
      kind: kindOf(language, marker),
    });
    i = j;
  }
  return blocks;
}

/** The block a marker names, for tests that use one example on its own. */
export function namedExample(file: string, name: string): DocBlock {
  const found = docBlocks(file).filter((b) => b.marker?.name === name);
  if (found.length !== 1) throw new Error(`${file}: ${found.length} examples named ${name}`);
  return found[0];
}
