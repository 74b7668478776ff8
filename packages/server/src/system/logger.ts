import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config/config.js";

/**
 * Structured JSON logs. Secrets never reach them: request logs carry method, URL, route and
 * status only (no headers, no bodies), and these paths are redacted wherever they appear.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-twilio-signature']",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "password",
  "*.password",
  "token",
  "*.token",
  "auth_token",
  "*.auth_token",
  "authToken",
  "*.authToken",
  "secret",
  "*.secret",
  "key_secret",
  "*.key_secret",
  "api_key",
  "*.api_key",
  "body",
  "*.body",
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "subtext" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string; routeOptions?: { url?: string } }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          route: req.routeOptions?.url,
        }),
        res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
