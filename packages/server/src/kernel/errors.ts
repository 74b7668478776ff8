/**
 * The one error type of the platform. Domain code throws it; the HTTP layer maps it once to
 * `{"error":{"code","message","hint","twilio_code"?,"details"?}}` (documented in README.md).
 */
export interface SubtextErrorOptions {
  hint?: string;
  /** Twilio's numeric error code when Twilio gave one. */
  twilio_code?: number;
  details?: unknown[];
  /** Extra response headers, e.g. Retry-After for 429/503. */
  headers?: Record<string, string>;
  /** Whether trying the same thing again later may succeed (jobs use it to decide on retries). */
  retryable?: boolean;
  cause?: unknown;
}

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; twilio_code?: number; details?: unknown[] };
}

export class SubtextError extends Error {
  readonly hint?: string;
  readonly twilio_code?: number;
  readonly details?: unknown[];
  readonly headers?: Record<string, string>;
  readonly retryable: boolean;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: SubtextErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SubtextError";
    this.hint = options.hint;
    this.twilio_code = options.twilio_code;
    this.details = options.details;
    this.headers = options.headers;
    this.retryable = options.retryable ?? status >= 500;
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.hint !== undefined) error.hint = this.hint;
    if (this.twilio_code !== undefined) error.twilio_code = this.twilio_code;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function notFound(what: string, id: string): SubtextError {
  return new SubtextError("not_found", 404, `No ${what} with id ${id}.`, {
    hint: `Check the id, and that it belongs to the tenant of the API key you used.`,
  });
}

export function isSubtextError(err: unknown): err is SubtextError {
  return err instanceof SubtextError;
}
