import { TwilioError } from "./errors.js";

/**
 * A request's parameters: form fields (repeated keys are lists), query string, or a JSON body.
 * Twilio's SDK sends booleans as "true"/"false" and objects as JSON strings inside form fields.
 */
export class Params {
  constructor(
    private readonly values: Map<string, string[]>,
    readonly json: unknown = undefined,
  ) {}

  static fromSearch(search: URLSearchParams, json?: unknown): Params {
    const values = new Map<string, string[]>();
    for (const [k, v] of search) {
      const list = values.get(k);
      if (list) list.push(v);
      else values.set(k, [v]);
    }
    return new Params(values, json);
  }

  merge(other: Params): Params {
    const values = new Map(this.values);
    for (const [k, v] of other.values) values.set(k, [...(values.get(k) ?? []), ...v]);
    return new Params(values, other.json ?? this.json);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  str(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === "") {
      throw new TwilioError(20001, 400, `Missing required parameter ${name} in the post body`);
    }
    return v;
  }

  list(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  bool(name: string, fallback = false): boolean {
    const v = this.str(name);
    if (v === undefined) return fallback;
    return v.toLowerCase() === "true";
  }

  int(name: string, fallback?: number): number | undefined {
    const v = this.str(name);
    if (v === undefined || v === "") return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new TwilioError(20001, 400, `Invalid parameter ${name}: not an integer`);
    return n;
  }

  /** A JSON-in-form field (Attributes, ContentVariables…). */
  object(name: string): Record<string, unknown> | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    try {
      const parsed = JSON.parse(v);
      if (parsed && typeof parsed === "object") return parsed as Record<string, unknown>;
    } catch {}
    throw new TwilioError(20001, 400, `Invalid parameter ${name}: not a JSON object`);
  }

  entries(): [string, string[]][] {
    return [...this.values];
  }
}
