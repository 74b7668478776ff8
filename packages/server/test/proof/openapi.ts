/**
 * The live OpenAPI document as a list of operations, so that the proofs iterate what the server
 * really serves (a route added tomorrow is covered tomorrow, without editing the proofs).
 */
export type JsonSchema = Record<string, any>;

export interface Parameter {
  in: "path" | "query" | "header";
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. `/v1/tenants/{id}/registrations/{rid}`. */
  path: string;
  key: string;
  params: Parameter[];
  body: JsonSchema | null;
  bodyRequired: boolean;
  /** Routes with a bearer security requirement; the rest are public (auth, health, webhooks). */
  authenticated: boolean;
}

export function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(methods)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const params: Parameter[] = (op.parameters ?? []).map((p: any) => ({
        in: p.in,
        name: p.name,
        required: Boolean(p.required),
        schema: resolve(doc, p.schema ?? {}),
      }));
      const content = op.requestBody?.content?.["application/json"]?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        params,
        body: content ? resolve(doc, content) : null,
        bodyRequired: Boolean(op.requestBody?.required),
        authenticated: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops;
}

/** Inlines `$ref`s to `#/components/schemas/…` (recursion-safe to a fixed depth). */
export function resolve(doc: any, schema: JsonSchema, depth = 0): JsonSchema {
  if (!schema || typeof schema !== "object" || depth > 12) return schema;
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, depth + 1)) as never;
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, "").replace(/#$/, "");
    return resolve(doc, doc.components?.schemas?.[name] ?? {}, depth + 1);
  }
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = typeof v === "object" ? resolve(doc, v, depth + 1) : v;
  return out;
}

export const pathParams = (op: Operation) => op.params.filter((p) => p.in === "path");

/** Fills `{name}` placeholders (values are URI-encoded unless `raw`). */
export function fillPath(template: string, values: Record<string, string>, raw = false): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return raw ? v : encodeURIComponent(v);
  });
}

/** The collection a path parameter indexes: the segment before `{param}` (`/v1/messages/{id}` → messages). */
export function collectionOf(template: string, param: string): string {
  const segments = template.split("/");
  const at = segments.indexOf(`{${param}}`);
  return at > 0 ? segments[at - 1] : "";
}

/** The JSON types a schema admits (`type` may be a string or an array). */
export function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === "string") return [schema.type];
  if (schema.properties) return ["object"];
  return [];
}
