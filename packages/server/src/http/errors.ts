import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SubtextError } from "../kernel/errors.js";
import { describeValidation } from "./validation.js";

/**
 * The one mapping from failures to `{"error":{…}}`. Bad input is always a 4xx with a stable
 * code; only our own faults are 5xx (logged with the request id, never echoed in detail).
 */
export function toSubtextError(err: FastifyError | Error): SubtextError {
  if (err instanceof SubtextError) return err;
  const e = err as FastifyError & { validationContext?: string };
  if (e.validation) {
    return new SubtextError("invalid_request", 400, "The request does not match the API's schema.", {
      hint: "See `details` for each field, and /docs for the expected shape.",
      details: describeValidation(e.validation as never, e.validationContext),
    });
  }
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new SubtextError("malformed_json", 400, "The request body is not valid JSON.", {
        hint: "Send a JSON object with Content-Type: application/json.",
      });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new SubtextError("payload_too_large", 413, "The request body is too large.", {
        hint: "Split the request; the limit is 1 MiB unless a route says otherwise.",
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new SubtextError("unsupported_media_type", 415, "Unsupported Content-Type.", {
        hint: "Send JSON with Content-Type: application/json.",
      });
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new SubtextError("invalid_request", 400, "Content-Length does not match the body.");
  }
  // JSON.parse errors that reach us without Fastify's code (e.g. custom parsers).
  if (err instanceof SyntaxError && (e.statusCode === 400 || /JSON/.test(err.message))) {
    return new SubtextError("malformed_json", 400, "The request body is not valid JSON.", {
      hint: "Send a JSON object with Content-Type: application/json.",
    });
  }
  // PostgreSQL cannot store U+0000 in text (SQLSTATE 22021/22P05): the input's fault, not ours.
  if ((e.code as string) === "22021" || (e.code as string) === "22P05") {
    return new SubtextError("invalid_characters", 400, "The request contains a NUL character (U+0000).", {
      hint: "Remove U+0000 from text fields, paths and query parameters.",
    });
  }
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new SubtextError(status === 404 ? "not_found" : "invalid_request", status, e.message);
  }
  return new SubtextError("internal_error", 500, "Something went wrong on our side.", {
    hint: "Retry later; the server log has the details under this request's id.",
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toSubtextError(err);
    if (mapped.status >= 500) req.log.error({ err, event: "http.error" }, "request failed");
    else req.log.info({ event: "http.refused", code: mapped.code }, mapped.message);
    if (mapped.headers) reply.headers(mapped.headers);
    return reply.code(mapped.status).send(mapped.toBody());
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(
      new SubtextError("not_found", 404, `No route ${req.method} ${req.url.split("?")[0]}.`, {
        hint: "See /docs for the routes.",
      }).toBody(),
    ),
  );
}
