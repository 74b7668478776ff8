import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { addTwilioFormats, toJsonSchema } from "./schema.js";

/**
 * Twilio's own OpenAPI documents (twilio/twilio-oai, spec/json) as a response validator.
 *
 * The documents are not part of the project: they are read at run time from the directory
 * `SUBTEXT_TWILIO_OAI_DIR` names (default `.cache/twilio-oai`, where `npm run fetch:twilio-oai`
 * puts the version pinned in twilio-oai.json). Without them the conformance checks do not run,
 * and the suite says so; see `twilioOpenApi`. A recorded exchange (method, Twilio URL, status, JSON body) is matched to its
 * operation by the server host and the path template, and its body is validated against the
 * response schema for its status; schema.ts says how the schemas are translated, and where the
 * check is more lenient or stricter than the documents, and why.
 */

export interface Exchange {
  method: string;
  /** The absolute Twilio URL the SDK asked for (https://api.twilio.com/…, https://messaging.twilio.com/…). */
  url: string;
  status: number;
  /** The parsed JSON body; `undefined` when the response had none (204). */
  body: unknown;
}

export interface Finding {
  /** The OpenAPI operationId, or null when no documented operation answers this method and URL. */
  operation: string | null;
  method: string;
  url: string;
  status: number;
  errors: string[];
}

export interface Operation {
  id: string;
  document: string;
  method: string;
  host: string;
  template: string;
  responses: Record<string, { schema?: unknown; examples: Record<string, unknown> }>;
  regex: RegExp;
  /** How many literal characters the template has: the most literal match wins (`Usecases` over `{Sid}`). */
  literal: number;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module, callable at run time.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

/** The pinned twilio-oai version: which files, from which commit (read by scripts/fetch-twilio-oai.mjs too). */
const MANIFEST: { commit: string; files: { path: string; sha256: string }[] } = JSON.parse(
  readFileSync(new URL("./twilio-oai.json", import.meta.url), "utf8"),
);
/** The documents' file names (twilio_api_v2010.json, …): exactly these are loaded, whatever else the directory holds. */
export const OAI_DOCUMENTS = MANIFEST.files.map((f) => basename(f.path)).filter((f) => f.endsWith(".json"));

/** What a run without the documents says (vitest.config.ts leaves the suite out; scripts/test.mjs repeats it at the end). */
export const CONFORMANCE_DID_NOT_RUN =
  "conformance suite did not run: set SUBTEXT_TWILIO_OAI_DIR or run npm run fetch:twilio-oai";

/**
 * Where the documents are, and which of them are missing. A relative setting is read from the
 * repository root, like the default. When the setting is given, or SUBTEXT_REQUIRE_CONFORMANCE=1
 * (CI), missing documents are an error rather than a reason to skip.
 */
export function locateTwilioOpenApi(env: NodeJS.ProcessEnv = process.env) {
  const setting = env.SUBTEXT_TWILIO_OAI_DIR?.trim();
  const dir = resolve(REPO, setting || ".cache/twilio-oai");
  const missing = OAI_DOCUMENTS.filter((f) => !existsSync(join(dir, f)));
  const required = Boolean(setting) || env.SUBTEXT_REQUIRE_CONFORMANCE === "1";
  return { dir, missing, required };
}

let loaded: TwilioOpenApi | null | undefined;

/**
 * Twilio's documents, loaded once per test file; null when they are absent and not required.
 * Absent and required, this throws, so the file that asked fails with the reason.
 */
export function twilioOpenApi(): TwilioOpenApi | null {
  if (loaded !== undefined) return loaded;
  const { dir, missing, required } = locateTwilioOpenApi();
  if (missing.length === 0) loaded = new TwilioOpenApi(dir);
  else if (!required) loaded = null;
  else {
    const which = missing.length === OAI_DOCUMENTS.length ? "" : ` (${missing.join(", ")})`;
    throw new Error(
      `Twilio's OpenAPI documents are missing from ${dir}${which}: run \`npm run fetch:twilio-oai\`, ` +
        "or set SUBTEXT_TWILIO_OAI_DIR to a directory that holds them.",
    );
  }
  return loaded;
}

/**
 * The findings for exchanges, for tests whose behaviour checks also check the answers' schema:
 * none when the documents are absent (the conformance suite then reports that it did not run).
 */
export function schemaFindings(exchanges: readonly Exchange[]): Finding[] {
  return twilioOpenApi()?.findings(exchanges) ?? [];
}

export class TwilioOpenApi {
  readonly operations: Operation[] = [];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(dir: string) {
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    addFormats(this.ajv);
    addTwilioFormats(this.ajv);
    for (const file of OAI_DOCUMENTS) {
      const document = file.replace(/\.json$/, "");
      const spec = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const defs = Object.fromEntries(
        Object.entries(spec.components?.schemas ?? {}).map(([name, s]) => [name, toJsonSchema(s, document)]),
      );
      this.ajv.addSchema({ $id: document, $defs: defs });
      this.index(document, spec);
    }
  }

  private index(document: string, spec: any) {
    for (const [template, item] of Object.entries<any>(spec.paths)) {
      const servers = item.servers ?? spec.servers ?? [];
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const responses = Object.fromEntries(
          Object.entries<any>(op.responses ?? {}).map(([status, r]) => {
            const json = r.content?.["application/json"];
            const examples = Object.fromEntries(
              Object.entries<any>(json?.examples ?? {}).map(([name, e]) => [name, e.value]),
            );
            return [status, { schema: json?.schema, examples }];
          }),
        );
        for (const server of op.servers ?? servers) {
          this.operations.push({
            id: op.operationId,
            document,
            method: method.toUpperCase(),
            host: new URL(server.url).host,
            template,
            responses,
            regex: templateRegex(template),
            literal: template.replace(/\{[^}]+\}/g, "").length,
          });
        }
      }
    }
  }

  /** The documented operation for a method and an absolute Twilio URL (query string ignored). */
  match(method: string, url: string): Operation | undefined {
    const { host, pathname } = new URL(url);
    let best: Operation | undefined;
    for (const op of this.operations) {
      if (op.method !== method.toUpperCase() || op.host !== host || !op.regex.test(pathname)) continue;
      if (!best || op.literal > best.literal) best = op;
    }
    return best;
  }

  /** Twilio's own named examples, as exchanges on a URL built from the template (for self-tests). */
  *examples(): Generator<Exchange & { operation: string; name: string }> {
    for (const op of this.operations) {
      const url = `https://${op.host}${op.template.replace(/\{[^}]+\}/g, "XX00000000000000000000000000000000")}`;
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [name, body] of Object.entries(response.examples)) {
          yield { operation: op.id, name, method: op.method, url, status: Number(status), body };
        }
      }
    }
  }

  /** The findings for one exchange: none when the status is documented and the body validates. */
  check(exchange: Exchange): Finding | null {
    const method = exchange.method.toUpperCase();
    const op = this.match(method, exchange.url);
    const finding = (errors: string[]): Finding => ({
      operation: op?.id ?? null,
      method,
      url: exchange.url,
      status: exchange.status,
      errors,
    });
    if (!op) return finding(["no operation in Twilio's OpenAPI documents answers this method and URL"]);
    const response = op.responses[String(exchange.status)];
    if (!response) {
      const documented = Object.keys(op.responses).join(", ");
      const said = exchange.body as { code?: unknown; message?: unknown } | undefined;
      const error = said?.code !== undefined ? `; the emulator said ${said.code}: ${said.message}` : "";
      return finding([
        `status ${exchange.status} is not documented for ${op.id} (documented: ${documented})${error}`,
      ]);
    }
    if (!response.schema) {
      const empty = exchange.body === undefined || exchange.body === "" || exchange.body === null;
      return empty ? null : finding([`status ${exchange.status} documents no body, got one`]);
    }
    const validate = this.validator(op, String(exchange.status), response.schema);
    if (validate(exchange.body)) return null;
    const all = validate.errors ?? [];
    const readable = all.filter(documented);
    return finding(
      (readable.length > 0 ? readable : all).map((e) => {
        const where = e.instancePath || "(body)";
        const extra = e.keyword === "additionalProperties" ? ` \`${e.params.additionalProperty}\`` : "";
        const allowed = e.keyword === "enum" ? ` ${JSON.stringify(e.params.allowedValues)}` : "";
        const structural = e.keyword === "additionalProperties" || e.keyword === "required";
        const actual = structural ? "" : `, got ${preview(at(exchange.body, where))}`;
        return `${where} ${e.message}${extra}${allowed}${actual}`;
      }),
    );
  }

  /** Every finding among many exchanges. */
  findings(exchanges: readonly Exchange[]): Finding[] {
    return exchanges.map((e) => this.check(e)).filter((f): f is Finding => f !== null);
  }

  private validator(op: Operation, status: string, schema: unknown): ValidateFunction {
    const key = `${op.document} ${op.method} ${op.template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, op.document) as object);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

/** `/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json` → a regex over the URL's raw pathname. */
function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/**
 * Errors worth reading: the leniencies of schema.ts are always the second branch of an `anyOf`
 * they add (the documents themselves use no `anyOf`), so their errors and the `anyOf` summary
 * only repeat what the documented branch already says.
 */
function documented(e: ErrorObject): boolean {
  return e.keyword !== "anyOf" && !e.schemaPath.includes("/anyOf/1/");
}

function at(body: unknown, pointer: string): unknown {
  if (pointer === "(body)") return body;
  return pointer
    .split("/")
    .slice(1)
    .reduce<any>((v, k) => (v == null ? undefined : v[k.replace(/~1/g, "/").replace(/~0/g, "~")]), body);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
