import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The emulator's modules import each other without cycles: a module's dependencies can be read
// before it, and a shared model lives in its own file rather than in one of two modules that need
// it. Type-only imports count too (a reader follows them just the same).

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** Relative specifiers a module imports or re-exports, statically or dynamically. */
function importsOf(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g);
  return [...found].map((m) => m[1]);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The file a specifier names: sources import `./x.js` for `./x.ts`. */
function resolveImport(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, join(target, "index.ts")];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c));
}

/** Every cycle, once each, as the files along it (first file repeated at the end). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    seen.add(file);
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!seen.has(next)) visit(next);
      else if (!done.has(next)) cycles.push([...path.slice(path.indexOf(next)), next]);
    }
    path.pop();
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!seen.has(file)) visit(file);
  return cycles;
}

describe("the emulator's imports", () => {
  it("reads every form of relative import", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      "import {\n  c,\n  type C,\n} from './c/index.js';",
      'export { d } from "./d.js";',
      'import "./e.js";',
      'const f = await import("./f.js");',
      'import { createHash } from "node:crypto";',
    ].join("\n");
    expect(importsOf(source)).toEqual(["./a.js", "../b.js", "./c/index.js", "./d.js", "./e.js", "./f.js"]);
  });

  it("finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
    ]);
    expect(cyclesOf(graph)).toEqual([["a", "b", "c", "a"]]);
    expect(cyclesOf(new Map([...graph, ["c", ["d"]]]))).toEqual([]);
  });

  it("form no cycle in packages/emulator/src", () => {
    const graph = new Map<string, string[]>();
    const unresolved: string[] = [];
    for (const file of tsFiles(SRC)) {
      const targets = importsOf(readFileSync(file, "utf8")).map((specifier) => {
        const target = resolveImport(file, specifier);
        if (!target) unresolved.push(`${relative(SRC, file)}: ${specifier}`);
        return target;
      });
      graph.set(
        file,
        targets.filter((t): t is string => t !== undefined),
      );
    }
    expect(unresolved, "every relative import names a file").toEqual([]);
    // Enough edges that the walk certainly read the sources.
    expect([...graph.values()].flat().length).toBeGreaterThan(graph.size);
    const cycles = cyclesOf(graph).map((c) => c.map((f) => relative(SRC, f)).join(" → "));
    expect(cycles, "import cycles (move what both sides share into its own file)").toEqual([]);
  });
});
