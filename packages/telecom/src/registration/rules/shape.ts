/**
 * Shape findings (required, type, unknown field) derived from the same JSON Schema the route
 * uses, so the dry-run `validate` endpoint reports them as findings with paths instead of
 * stopping at the first schema error.
 */
import { type RegistrationKind, registrationSchemas } from "../document.js";
import { error, type Report } from "./finding.js";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  const?: unknown;
};

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function walk(schema: Schema, value: unknown, path: string, report: Report): void {
  if (schema.const !== undefined) return; // the kind, checked before walking
  const allowed = Array.isArray(schema.type) ? schema.type : [schema.type ?? "object"];
  const actual = typeOf(value);
  if (!allowed.includes(actual)) {
    report(
      error(
        path,
        "field_type",
        `Expected ${allowed.join(" or ")}, got ${actual}.`,
        `Send ${allowed.includes("array") ? "a list" : `a ${allowed[0]}`} here.`,
      ),
    );
    return;
  }
  if (actual === "array" && schema.items) {
    (value as unknown[]).forEach((item, i) => {
      walk(schema.items as Schema, item, `${path}[${i}]`, report);
    });
  }
  if (actual !== "object") return;
  const object = value as Record<string, unknown>;
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) {
    const v = object[key];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) {
      report(error(join(path, key), "field_required", "This field is required.", "Fill it in."));
    }
  }
  for (const [key, v] of Object.entries(object)) {
    const child = properties[key];
    if (!child) {
      report(
        error(
          join(path, key),
          "unknown_field",
          `"${key}" is not a field of a registration document.`,
          "Remove it, or check the spelling against the API reference.",
        ),
      );
      continue;
    }
    if (v === undefined || v === null) {
      if (
        v === null &&
        !(Array.isArray(child.type) && child.type.includes("null")) &&
        !schema.required?.includes(key)
      ) {
        report(error(join(path, key), "field_type", "null is not allowed here.", "Omit the field instead."));
      }
      continue;
    }
    walk(child, v, join(path, key), report);
  }
}

export function checkShape(kind: RegistrationKind, doc: unknown, report: Report): void {
  walk(registrationSchemas[kind] as Schema, doc, "", report);
}
