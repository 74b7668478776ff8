import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * One HTTP convention (docs/architecture.md): a schema is written once, with TypeBox, and the
 * handler's types come from it through Fastify's type provider. So no route states its types a
 * second time in a generic (`app.post<{ Body: … }>`), no file but kernel/schema.ts writes a JSON
 * Schema by hand, and route plugins are `Routes`, not Fastify's untyped plugin.
 */
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SRC = "packages/server/src/";

const ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "route", "all"]);
const SCHEMA_TYPES = new Set(["object", "string", "integer", "number", "boolean", "array", "null"]);
const SCHEMA_KEYWORDS = new Set([
  "properties",
  "items",
  "enum",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "additionalProperties",
  "required",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "examples",
  "default",
]);
// Where the JSON Schema behind TypeBox's helpers is written.
const SCHEMA_HOME = "kernel/schema.ts";

const propertyName = (p: ts.ObjectLiteralElementLike) =>
  p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;

/** The options of a TypeBox call (`Type.Enum(list, { type: "string" })`, `Type.Unsafe({ … })`). */
const isTypeBoxOption = (node: ts.Node) =>
  ts.isCallExpression(node.parent) &&
  ts.isPropertyAccessExpression(node.parent.expression) &&
  ts.isIdentifier(node.parent.expression.expression) &&
  node.parent.expression.expression.text === "Type";

/** What in `source` breaks the convention, as "line: finding". */
export function conventionBreaches(rel: string, source: string): string[] {
  const file = ts.createSourceFile(rel, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      node.typeArguments &&
      ts.isPropertyAccessExpression(node.expression) &&
      ROUTE_METHODS.has(node.expression.name.text) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0]) &&
      node.arguments[0].text.startsWith("/")
    ) {
      at(node, `route ${node.arguments[0].text} states its types in a generic; let its schemas type it`);
    }
    if (ts.isObjectLiteralExpression(node) && rel !== SCHEMA_HOME && !isTypeBoxOption(node)) {
      const names = node.properties.map(propertyName);
      const type = node.properties.find((p) => propertyName(p) === "type");
      const isSchemaType =
        type &&
        ts.isPropertyAssignment(type) &&
        ((ts.isStringLiteral(type.initializer) && SCHEMA_TYPES.has(type.initializer.text)) ||
          ts.isArrayLiteralExpression(type.initializer));
      if (isSchemaType && names.some((n) => n && SCHEMA_KEYWORDS.has(n)))
        at(node, "a JSON Schema written by hand; write it with TypeBox (kernel/schema.ts)");
      if (names.includes("$ref")) at(node, "a $ref written by hand; use Ref()");
    }
    if (ts.isIdentifier(node) && node.text === "FastifyPluginAsync")
      at(node, "FastifyPluginAsync; route plugins are Routes (kernel/module.ts)");
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("the HTTP convention", () => {
  it("holds in every source file of the server", () => {
    const files = execFileSync("git", ["ls-files", `${SRC}*.ts`], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const breaches = files.flatMap((path) => {
      const rel = path.slice(SRC.length);
      return conventionBreaches(rel, readFileSync(join(ROOT, path), "utf8")).map((b) => `${path}:${b}`);
    });
    expect(breaches).toEqual([]);
  });

  it.each([
    ["a route generic", 'app.post<{ Body: { a: string } }>("/v1/x", {}, async () => 1);', 1],
    ["a hand-written schema", 'const s = { type: "object", properties: {} };', 1],
    ["a nullable type list", 'const s = { type: ["string", "null"], maxLength: 3 };', 1],
    ["a hand-written $ref", 'const r = { $ref: "Message#" };', 1],
    ["the untyped plugin", 'import type { FastifyPluginAsync } from "fastify";', 1],
    ["an enum's options", 'const e = Type.Enum(["a"], { type: "string", default: "a" });', 0],
    ["an escape hatch", 'const u = Type.Unsafe<string | number>({ type: ["string", "number"] });', 0],
    ["a TypeBox route", 'app.post("/v1/x", { schema: { body: Type.Object({ a: Type.String() }) } }, h);', 0],
    ["a generic that is not a route", "const v = cache.get<Row>(key);", 0],
    ["a domain object with a type", 'const e = { type: "message.sent", data: {} };', 0],
  ])("finds %s", (_, source, count) => {
    expect(conventionBreaches("messaging/routes/x.ts", source)).toHaveLength(count);
  });

  it("lets kernel/schema.ts write the JSON Schema behind the helpers", () => {
    expect(
      conventionBreaches(SCHEMA_HOME, 'const s = { type: "object", additionalProperties: true };'),
    ).toEqual([]);
  });
});
