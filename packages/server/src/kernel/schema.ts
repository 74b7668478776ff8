/**
 * How schemas are written: with TypeBox, so that one definition is both the JSON Schema (that
 * Fastify and Ajv check, and that /openapi.json shows) and the TypeScript type (`Static`).
 * These helpers keep the document in the plain JSON Schema it has always shown.
 */
import Type, { type Static, type TObject, type TSchema } from "typebox";

export { Type, type Static, type TSchema };

/**
 * `schema` or null, written as JSON Schema's type list (`"type": ["string", "null"]`) rather
 * than TypeBox's `anyOf`, so that a wrong value gets one finding, not one per branch.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as TSchema & { type?: string; enum?: unknown[] };
  const nullable: Record<string, unknown> = { ...s, type: [s.type, "null"] };
  if (s.enum) nullable.enum = [...s.enum, null];
  return Type.Unsafe<Static<T> | null>(nullable);
}

/** An object whose keys are free and whose values are all `value`. */
export function Dictionary<T extends TSchema>(value: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: "object", additionalProperties: value, ...options });
}

/** An object of any shape (`additionalProperties: true`), e.g. metadata given back as it came. */
export function OpenObject(options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true, ...options });
}

/** A reference to a shared schema by its $id, typed as `T`. */
export function Ref<T = unknown>(id: string, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ ...options, $ref: `${id}#` });
}

/**
 * An object whose properties with a `default` may be left out: Ajv fills them in before the
 * handler runs (useDefaults), so its type keeps them present.
 */
export function Defaulted<T extends TObject>(schema: T): T {
  const withDefault = (key: string) => "default" in (schema.properties[key] as object);
  const required = (schema.required ?? []).filter((key) => !withDefault(key));
  if (required.length > 0) schema.required = required as T["required"];
  else delete (schema as { required?: string[] }).required;
  return schema;
}
