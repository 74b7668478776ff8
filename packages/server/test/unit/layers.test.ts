import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The import rules of docs/architecture.md, checked on every tracked source file. A new import
 * that breaks a rule fails here with the file, the import and the rule. Today's known breaches
 * are listed one per line in KNOWN below: the list may only shrink (an entry that no longer
 * matches an import fails too).
 */
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SRC = "packages/server/src/";

// The kernel: what every layer may use. Pure types and primitives, no I/O of their own.
const KERNEL = [/^kernel\//, /^config\/config\.ts$/, /^jobs\/(clock|kinds)\.ts$/, /^db\/(db|ids)\.ts$/];
// The server's own pure rules: functions of their arguments, no database, no Twilio. The shared
// telecom rules (phone numbers, segments, lanes, registration rules…) are the package
// @subtext/telecom, below the whole server.
const RULES = [
  /^messaging\/status\.ts$/,
  /^events\/types\.ts$/,
  /^usage\/alerts\/rules\.ts$/,
  /^staff\/roles\.ts$/,
  /^sandbox\/duration\.ts$/,
];
const INFRASTRUCTURE = [/^(db|jobs|vault|twilio)\//, /^cache\//, /^sandbox\/clock\.ts$/];
// In dependency order: a module may import the modules before it, never those after it.
const MODULES = [
  "tenancy",
  "events",
  "usage",
  "onboarding",
  "messaging",
  "channels",
  "insights",
  "staff",
  "sandbox",
];
// The app's own HTTP files; the rest of http/ is the toolkit the modules' route plugins use.
const HTTP_APP = [/^http\/app\.ts$/, /^http\/routes\//, /^http\/static\.ts$/];
// The composition root: wires modules, opens the runtime, starts servers.
const COMPOSITION_ROOT = /^app\//;

type Layer = "kernel" | "rules" | "infrastructure" | "domain" | "http" | "app";
const RANK: Record<Layer, number> = { kernel: 0, rules: 1, infrastructure: 2, domain: 3, http: 4, app: 5 };

function layerOf(rel: string): Layer {
  if (KERNEL.some((re) => re.test(rel))) return "kernel";
  if (RULES.some((re) => re.test(rel))) return "rules";
  if (INFRASTRUCTURE.some((re) => re.test(rel))) return "infrastructure";
  if (MODULES.includes(rel.split("/")[0] ?? "")) return "domain";
  if (rel.startsWith("http/")) return "http";
  if (COMPOSITION_ROOT.test(rel) || rel.startsWith("cli/") || rel === "index.ts") return "app";
  throw new Error(`${SRC}${rel} is in no layer: place it in docs/architecture.md and in this test`);
}

/**
 * Known breaches, `file -> import  # rule`. Remove a line when its import goes; never add one
 * without a line in docs/architecture.md's debts saying why.
 */
const KNOWN = `
`;

type Import = { from: string; to: string; spec: string; typeOnly: boolean };

/** Every static, re-export and dynamic import of a file, resolved to a repository path when it is ours. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const found: Import[] = [];
  const add = (node: ts.Expression | undefined, typeOnly: boolean) => {
    if (!node || !ts.isStringLiteralLike(node)) return;
    found.push({ from: file, to: resolveSpec(file, node.text), spec: node.text, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!bindings &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

// Each package's entry points. @subtext/telecom exports every file (`@subtext/telecom/phone`).
const PACKAGE_ENTRIES: Record<string, string> = {
  "@subtext/telecom": "packages/telecom/src/index.ts",
  "@subtext/server": `${SRC}index.ts`,
  "@subtext/sdk": "packages/sdk/src/index.ts",
  "subtext-emulator": "packages/emulator/src/index.ts",
};

function resolveSpec(from: string, spec: string): string {
  if (spec.startsWith(".")) {
    return normalize(join(dirname(from), spec))
      .replaceAll("\\", "/")
      .replace(/\.js$/, ".ts")
      .replace(/\.jsx$/, ".tsx");
  }
  const entry = Object.entries(PACKAGE_ENTRIES).find(
    ([name]) => spec === name || spec.startsWith(`${name}/`),
  );
  if (!entry) return spec; // a dependency from npm or node: not ours
  if (spec === entry[0]) return entry[1];
  const sub = `${dirname(entry[1])}${spec.slice(entry[0].length)}`;
  return existsSync(join(ROOT, `${sub}.ts`)) ? `${sub}.ts` : `${sub}/index.ts`;
}

const isTest = (path: string) =>
  /(^|\/)test\//.test(path) || path.startsWith("e2e/") || /\.test\.tsx?$/.test(path);
// Test support lives under a package's test/ folder, never in its src/.
const isTesting = (path: string) => /^packages\/[^/]+\/test\//.test(path);

/** The rules an import breaks (empty when it breaks none). */
function broken({ from, to, typeOnly }: Import): string[] {
  const out: string[] = [];
  // packages/<name>, or a top-level workspace (bench, e2e).
  const pkg = (p: string) =>
    p
      .split("/")
      .slice(0, p.startsWith("packages/") ? 2 : 1)
      .join("/");
  const inPackage = (p: string, name: string) => p.startsWith(`packages/${name}/`);
  if (from.startsWith("packages/emulator/") && (inPackage(to, "server") || inPackage(to, "sdk"))) {
    out.push("the emulator depends on nothing else here");
  }
  if (
    from.startsWith("packages/telecom/") &&
    /^(packages|bench|e2e)\//.test(to) &&
    !inPackage(to, "telecom")
  ) {
    out.push("the telecom rules depend on nothing else here");
  }
  if (from.startsWith("packages/sdk/src/") && inPackage(to, "server")) {
    out.push("the SDK's sources do not import the server");
  }
  if (from.startsWith(SRC)) {
    if (/^(packages\/web|bench|e2e)\//.test(to) || isTest(to)) {
      out.push("the server's sources import no dashboard, bench, e2e or test files");
    }
    if (/\/testing\.ts$/.test(from)) out.push("test support lives in test/, not in production source");
  }
  // Another package's internals: only its entry points, except tests and benches using a
  // package's test support.
  const ours = /^(packages\/|bench\/|e2e\/)/.test(to);
  if (ours && !from.startsWith("scripts/") && pkg(from) !== pkg(to)) {
    const entry = Object.values(PACKAGE_ENTRIES).includes(to) || inPackage(to, "telecom/src");
    // Tests and benches may drive a package with its test support (test/support, test/proof).
    const testHelper = (isTest(from) || from.startsWith("bench/")) && isTesting(to);
    if (!entry && !testHelper) out.push("another package is used through its entry point only");
  }
  if (from.startsWith(SRC) && to.startsWith(SRC)) {
    const a = from.slice(SRC.length);
    const b = to.slice(SRC.length);
    const la = layerOf(a);
    const lb = layerOf(b);
    if (COMPOSITION_ROOT.test(b) && la !== "app") {
      out.push("only the app layer (app/, cli/, index.ts) imports the composition root");
    } else if (la === "kernel") {
      if (lb !== "kernel" && !(typeOnly && lb === "infrastructure")) {
        out.push(`the kernel imports only the kernel (and types from infrastructure), not ${lb}`);
      }
    } else if (la === "domain" && lb === "http" && HTTP_APP.some((re) => re.test(b))) {
      out.push("modules use the HTTP toolkit, not the app's HTTP files");
    } else if (RANK[lb] > RANK[la] && !(la === "domain" && lb === "http")) {
      out.push(`a ${la} file imports no ${lb} file (layers only import downwards)`);
    }
    const ma = MODULES.indexOf(a.split("/")[0] ?? "");
    const mb = MODULES.indexOf(b.split("/")[0] ?? "");
    if (la === "domain" && lb === "domain" && ma >= 0 && mb > ma) {
      out.push(`module order: ${MODULES[ma]} comes before ${MODULES[mb]} (${MODULES.join(" < ")})`);
    }
  }
  return out;
}

const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
  .split("\0")
  .filter((p) => /^(packages|bench|e2e)\//.test(p) && /\.(ts|tsx|mts)$/.test(p) && !p.endsWith(".d.ts"))
  .filter((p) => !p.split("/").includes("node_modules"));

const known = KNOWN.trim()
  .split("\n")
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter(Boolean);

function violations(files: string[]): { key: string; message: string }[] {
  return files.flatMap((file) =>
    importsOf(file).flatMap((imp) =>
      broken(imp).map((rule) => ({
        key: `${imp.from} -> ${imp.to}`,
        message: `${imp.from} imports "${imp.spec}": ${rule}`,
      })),
    ),
  );
}

describe("import rules (docs/architecture.md)", () => {
  const found = violations(tracked);

  it("every server source file is in a layer", () => {
    for (const file of tracked.filter((p) => p.startsWith(SRC)))
      expect(() => layerOf(file.slice(SRC.length))).not.toThrow();
  });

  it("no import breaks a layer or package rule, beyond the known debts", () => {
    const fresh = found.filter((v) => !known.includes(v.key)).map((v) => v.message);
    expect(fresh.join("\n"), "new imports that break docs/architecture.md").toBe("");
  });

  it("every known debt is still real, so the list only shrinks", () => {
    const keys = new Set(found.map((v) => v.key));
    expect(known.filter((k) => !keys.has(k)).join("\n"), "paid debts: remove these lines from KNOWN").toBe(
      "",
    );
  });

  it("finds a bad import", () => {
    const bad = broken({
      from: `${SRC}db/db.ts`,
      to: `${SRC}messaging/send/send.ts`,
      spec: "x",
      typeOnly: false,
    });
    expect(bad).toEqual(["the kernel imports only the kernel (and types from infrastructure), not domain"]);
  });

  it.each([
    [`${SRC}messaging/send/send.ts`, "packages/server/test/support/messaging.ts", "test files"],
    ["bench/messaging.ts", `${SRC}messaging/module.ts`, "entry point"],
    ["packages/web/src/pages/Composer.tsx", `${SRC}messaging/send/send.ts`, "entry point"],
    ["packages/telecom/src/phone.ts", `${SRC}index.ts`, "telecom rules depend on nothing"],
    [`${SRC}app/modules.ts`.replace("app/modules", "http/app"), `${SRC}app/modules.ts`, "composition root"],
  ])("refuses %s -> %s (%s)", (from, to, rule) => {
    expect(broken({ from, to, spec: "x", typeOnly: false }).join("; ")).toContain(rule);
  });

  it.each([
    ["bench/messaging.ts", "packages/server/test/support/messaging.ts"],
    ["bench/messaging.ts", `${SRC}index.ts`],
    ["packages/web/src/pages/Composer.tsx", "packages/telecom/src/segments.ts"],
  ])("allows %s -> %s", (from, to) => {
    expect(broken({ from, to, spec: "x", typeOnly: false })).toEqual([]);
  });
});
