/**
 * The one error the SDK throws for an answer that is not 2xx, carrying the API's error shape
 * (`{"error":{"code","message","hint","twilio_code"?,"details"?}}`, see the SDK's README) so that
 * callers branch on `code`, a stable machine name, never on the message text.
 */
export interface ErrorDetail {
  [field: string]: unknown;
}

export class SubtextApiError extends Error {
  override readonly name = "SubtextApiError";
  /** The HTTP status (400, 401, 403, 404, 409, 422, 429, 503, …). */
  readonly status: number;
  /** Stable snake_case code, e.g. `invalid_request`, `not_found`, `opted_out`. */
  readonly code: string;
  /** What to do about it, when the server knows. */
  readonly hint: string | undefined;
  /** Twilio's error code when Twilio gave one (e.g. 21610 for an unsubscribed recipient). */
  readonly twilioCode: number | undefined;
  /** Per-field findings (validation errors). */
  readonly details: ErrorDetail[];
  /** The server's request id (x-request-id): quote it when asking for help. */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying (429 and 503 with Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    hint?: string;
    twilioCode?: number;
    details?: ErrorDetail[];
    requestId?: string;
    retryAfter?: number;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.hint = init.hint;
    this.twilioCode = init.twilioCode;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /**
   * Builds the error from a response and its parsed body. A body without our shape (a proxy's
   * 502 page, an empty 401) still gives a usable error: code `http_<status>`.
   */
  static fromResponse(response: Response, body: unknown): SubtextApiError {
    const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
    const retry = Number(response.headers.get("retry-after"));
    const common = {
      status: response.status,
      requestId: response.headers.get("x-request-id") ?? undefined,
      retryAfter:
        Number.isFinite(retry) && retry >= 0 && response.headers.has("retry-after") ? retry : undefined,
    };
    if (error && typeof error === "object" && typeof error.code === "string") {
      return new SubtextApiError({
        ...common,
        code: error.code,
        message: typeof error.message === "string" ? error.message : error.code,
        hint: typeof error.hint === "string" ? error.hint : undefined,
        twilioCode: typeof error.twilio_code === "number" ? error.twilio_code : undefined,
        details: Array.isArray(error.details) ? (error.details as ErrorDetail[]) : undefined,
      });
    }
    const text = typeof body === "string" && body ? `: ${body.slice(0, 200)}` : "";
    return new SubtextApiError({
      ...common,
      code: `http_${response.status}`,
      message: `HTTP ${response.status} ${response.statusText}${text}`.trim(),
    });
  }
}

/** Narrowing helper: `if (isSubtextApiError(err, "opted_out")) …`. */
export function isSubtextApiError(err: unknown, code?: string): err is SubtextApiError {
  return err instanceof SubtextApiError && (code === undefined || err.code === code);
}
