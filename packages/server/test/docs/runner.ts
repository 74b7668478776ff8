/**
 * Runs a document's examples against a started product (setups.ts says which, per document):
 * shell steps through bash and curl, JSON against the OpenAPI document, TypeScript through tsc
 * and then tsx, JavaScript through node. Each function returns the problems it found (an empty
 * list when the examples hold) and throws when a step cannot go on (a refused request, a command
 * that failed), since the steps after it build on it.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv } from "ajv";
import {
  type Bindings,
  answerProblems,
  at,
  parseAnswer,
  parseDocumented,
  schemaProblems,
} from "./answers.js";
import { type DocBlock, ROOT, where } from "./markdown.js";
import { type ShellSession, placeholdersIn, shellSteps } from "./shell.js";

/** Something a document's examples take for granted, made when a step first names `when`. */
export interface Fixture {
  when: string;
  run(): Promise<void>;
}

export interface DocRun {
  file: string;
  /** Where the examples' files are (registration.json, flow.json…) and the shell runs. */
  work: string;
  shell: ShellSession;
  bindings: Bindings;
  fixtures: Fixture[];
  /** The product's OpenAPI document (its answers and the JSON examples are checked against it). */
  openapi: any;
  /** The product's URL: answers from there are checked against `openapi`. */
  api?: string;
  /** The TypeScript program's environment, and what its examples take as given (TYPESCRIPT_PRELUDES). */
  typescript: { env: Record<string, string>; prelude: string };
  javascript: { env(): Promise<Record<string, string>>; prelude(): Promise<string> };
}

/** The text with every placeholder the bindings know replaced by its value. */
export function substitute(text: string, bindings: Bindings): string {
  let out = text.replace(/"(\w+)":(\s*)"…"/g, (whole, field: string, space: string) =>
    bindings.fields.has(field) ? `"${field}":${space}${JSON.stringify(bindings.fields.get(field))}` : whole,
  );
  for (const key of [...bindings.values.keys()].sort((a, b) => b.length - a.length)) {
    out = out.split(key).join(bindings.values.get(key)!);
  }
  return out;
}

async function prepare(doc: DocRun, code: string): Promise<void> {
  for (const fixture of [...doc.fixtures]) {
    if (!code.includes(fixture.when)) continue;
    doc.fixtures.splice(doc.fixtures.indexOf(fixture), 1);
    await fixture.run();
  }
}

/** The OpenAPI path template a request path matches (literal segments before parameters). */
export function routeOf(openapi: any, method: string, path: string): string | undefined {
  const segments = path.split("/");
  let best: { template: string; literal: number } | undefined;
  for (const [template, methods] of Object.entries<any>(openapi.paths ?? {})) {
    if (!methods[method.toLowerCase()]) continue;
    const parts = template.split("/");
    if (parts.length !== segments.length) continue;
    let literal = 0;
    const fits = parts.every((p, i) => {
      if (/^\{.+\}$/.test(p)) return segments[i] !== "";
      literal++;
      return p === segments[i];
    });
    if (fits && (!best || literal > best.literal)) best = { template, literal };
  }
  return best?.template;
}

function responseSchema(openapi: any, method: string, template: string, status: number): any {
  return openapi.paths[template]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.[
    "application/json"
  ]?.schema;
}

/** Runs a shell block step by step; checks every exchange and every documented answer. */
export async function runShellBlock(doc: DocRun, block: DocBlock): Promise<string[]> {
  const problems: string[] = [];
  for (const step of shellSteps(block.text, block.line, block.lang)) {
    const here = `${block.file}:${step.line}`;
    await prepare(doc, step.code);
    const script = substitute(step.code, doc.bindings);
    const left = placeholdersIn(script);
    if (left.length) {
      throw new Error(
        `${here}: nothing gives a value for ${left.join(", ")}: an earlier answer (# → …) or the document's setup (test/docs/setups.ts) must`,
      );
    }
    const result = await doc.shell.run(script);
    const transcript = `\n--- script\n${script}\n--- stdout\n${result.stdout.slice(0, 4000)}\n--- stderr\n${result.stderr.slice(0, 4000)}`;
    if (result.code !== 0) throw new Error(`${here}: the step failed (exit ${result.code})${transcript}`);
    const answer = step.answer ? parseAnswer(step.answer.text) : undefined;
    const documented = answer && (answer.status !== undefined || answer.body) ? answer : undefined;
    if (documented && result.exchanges.length === 0)
      throw new Error(`${block.file}:${step.answer!.line}: an answer (# → …) that follows no curl`);
    result.exchanges.forEach((x, i) => {
      const expected = i === result.exchanges.length - 1 ? documented?.status : undefined;
      const ok = expected === undefined ? x.status >= 200 && x.status < 300 : x.status === expected;
      if (!ok) {
        throw new Error(
          `${here}: ${x.method} ${x.url} answered ${x.status}${expected ? ` (the docs say ${expected})` : ""}: ${x.body.slice(0, 1000)}${transcript}`,
        );
      }
    });
    if (!documented?.body) continue;
    const x = result.exchanges[result.exchanges.length - 1];
    const line = `${block.file}:${step.answer!.line}`;
    let actual: unknown;
    try {
      actual = JSON.parse(x.body);
    } catch {
      problems.push(
        `${line}: the docs show JSON, ${x.method} ${x.url} answered ${x.contentType}: ${x.body.slice(0, 200)}`,
      );
      continue;
    }
    problems.push(...answerProblems(documented.body, actual, doc.bindings).map((p) => `${line}: ${p}`));
    if (doc.api && x.url.startsWith(doc.api)) {
      const path = new URL(x.url).pathname;
      const template = routeOf(doc.openapi, x.method, path);
      const schema = template && responseSchema(doc.openapi, x.method, template, x.status);
      if (!schema)
        problems.push(`${line}: /openapi.json has no JSON answer ${x.status} for ${x.method} ${path}`);
      else
        problems.push(
          ...schemaProblems(documented.body, schema, doc.openapi).map(
            (p) => `${line}: against ${x.method} ${template} ${x.status}: ${p}`,
          ),
        );
    }
  }
  return problems;
}

let ajv: Ajv | undefined;
function validator(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true });
  (createRequire(import.meta.url)("ajv-formats") as (a: Ajv) => Ajv)(ajv);
  return ajv;
}

/** A JSON block against what its marker says it is. */
export function checkJsonBlock(doc: DocRun, block: DocBlock): string[] {
  const marker = block.marker!;
  const here = where(block);
  const problems: string[] = [];
  if (marker.request) {
    const { method, path } = marker.request;
    const schema =
      doc.openapi.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.["application/json"]?.schema;
    if (!schema) return [`${here}: /openapi.json has no JSON request body for ${method} ${path}`];
    let body: unknown;
    try {
      body = JSON.parse(block.text);
    } catch (err) {
      return [`${here}: a request body is complete JSON: ${(err as Error).message}`];
    }
    const validate = validator().compile({ ...schema, components: doc.openapi.components });
    if (!validate(body)) {
      problems.push(
        ...(validate.errors ?? []).map(
          (e) =>
            `${here}: against ${method} ${path}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
        ),
      );
    }
  }
  const value = parseDocumented(block.text).value;
  if (marker.response) {
    const { status, method, path } = marker.response;
    const schema = responseSchema(doc.openapi, method, path, status);
    if (!schema) problems.push(`${here}: /openapi.json has no JSON answer ${status} for ${method} ${path}`);
    else
      problems.push(
        ...schemaProblems(value, schema, doc.openapi).map(
          (p) => `${here}: against ${method} ${path} ${status}: ${p}`,
        ),
      );
  }
  for (const { pointer, name } of marker.schemas) {
    const part = at(value, pointer);
    if (!doc.openapi.components?.schemas?.[name])
      problems.push(`${here}: /openapi.json has no schema ${name}`);
    else if (!part) problems.push(`${here}: nothing at ${pointer}`);
    else
      problems.push(
        ...schemaProblems(part, { $ref: `#/components/schemas/${name}` }, doc.openapi).map(
          (p) => `${here}: against ${name}: ${pointer}${p}`,
        ),
      );
  }
  return problems;
}

/** Writes the blocks marked `file NAME` into the working directory, placeholders filled in. */
export function writeFiles(doc: DocRun, blocks: DocBlock[]): void {
  for (const b of blocks)
    if (b.marker?.file) writeFileSync(join(doc.work, b.marker.file), `${substitute(b.text, doc.bindings)}\n`);
}

function spawnNode(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 90_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, timeout: timeoutMs });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code, signal) =>
      resolve({ code, out: signal ? `${out}\n(killed by ${signal})` : out }),
    );
  });
}

interface Assembled {
  text: string;
  /** For each line of `text`, where it comes from in the document (or "setup"). */
  origin: string[];
}

function assemble(blocks: DocBlock[], prelude: string, bindings?: Bindings): Assembled {
  const imports: [string, string][] = [];
  const body: [string, string][] = prelude.split("\n").map((l) => [l, "its setup (test/docs/setups.ts)"]);
  for (const block of blocks) {
    (bindings ? substitute(block.text, bindings) : block.text).split("\n").forEach((line, i) => {
      const origin = `${block.file}:${block.line + 1 + i}`;
      (/^import\s/.test(line) ? imports : body).push([line, origin]);
    });
  }
  const lines = [...imports, ["", ""] as [string, string], ...body];
  return { text: lines.map(([l]) => l).join("\n"), origin: lines.map(([, o]) => o) };
}

/**
 * The TypeScript blocks of each document as one module (its blocks in order, after the prelude
 * of what they take as given), all compiled by one tsc run against this repository's packages.
 */
export async function typecheck(documents: { blocks: DocBlock[]; prelude: string }[]): Promise<string[]> {
  const dir = join(ROOT, ".cache/doc-examples", `typecheck-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  try {
    const modules = documents.map(({ blocks, prelude }, i) => {
      const module = assemble(blocks, prelude);
      writeFileSync(join(dir, `examples-${i}.mts`), module.text);
      return module;
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.base.json"),
        compilerOptions: { noEmit: true },
        files: modules.map((_, i) => `examples-${i}.mts`),
      }),
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const { code, out } = await spawnNode(
      [tsc, "-p", join(dir, "tsconfig.json"), "--pretty", "false"],
      {},
      dir,
    );
    if (code === 0) return [];
    const problems = [...out.matchAll(/^examples-(\d+)\.mts\((\d+),(\d+)\): (error .*)$/gm)].map(
      ([, i, line, col, message]) =>
        `${modules[Number(i)].origin[Number(line) - 1] ?? `line ${line}`} (col ${col}): ${message}`,
    );
    return problems.length ? problems : [`tsc failed: ${out}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Placeholders (`"evt_…"`) left in a program's code, outside its comments. */
function placeholdersInProgram(blocks: DocBlock[], bindings: Bindings): string[] {
  return blocks.flatMap((block) =>
    substitute(block.text, bindings)
      .split("\n")
      .flatMap((line, i) =>
        line.replace(/\/\/.*$/, "").includes("…")
          ? [`${block.file}:${block.line + 1 + i}: ${line.trim()}`]
          : [],
      ),
  );
}

function refuseUnbound(blocks: DocBlock[], bindings: Bindings): void {
  const left = placeholdersInProgram(blocks, bindings);
  if (left.length) {
    throw new Error(
      `nothing gives a value for the placeholders (…) of\n${left.join("\n")}\n(the document's setup in test/docs/setups.ts may)`,
    );
  }
}

/** Runs the document's TypeScript blocks (those not marked typecheck-only) as one program, with tsx. */
export async function runTypeScript(
  doc: DocRun,
  blocks: DocBlock[],
): Promise<{ code: number | null; out: string }> {
  refuseUnbound(blocks, doc.bindings);
  const dir = join(doc.work, "typescript");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.mts"), assemble(blocks, doc.typescript.prelude, doc.bindings).text);
  // The program's end is the examples' end, even when one leaves a server or a socket open.
  writeFileSync(
    join(dir, "main.mjs"),
    `import { pathToFileURL } from "node:url";\nawait import(pathToFileURL(process.argv[2]).href);\nprocess.exit(0);\n`,
  );
  return spawnNode(
    // `subtext-source`: the SDK's and the emulator's sources, which tsc checked, not their dist.
    ["--import", "tsx", "--conditions=subtext-source", join(dir, "main.mjs"), join(dir, "run.mts")],
    doc.typescript.env,
    ROOT,
  );
}

/** Runs a JavaScript block with node, after the document's prelude (the values it takes as given). */
export async function runJavaScript(
  doc: DocRun,
  block: DocBlock,
): Promise<{ code: number | null; out: string }> {
  refuseUnbound([block], doc.bindings);
  const dir = join(doc.work, "javascript");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${block.line}.mjs`);
  writeFileSync(file, assemble([block], await doc.javascript.prelude(), doc.bindings).text);
  writeFileSync(
    join(dir, "main.mjs"),
    `import { pathToFileURL } from "node:url";\nawait import(pathToFileURL(process.argv[2]).href);\nprocess.exit(0);\n`,
  );
  return spawnNode([join(dir, "main.mjs"), file], await doc.javascript.env(), dir);
}
