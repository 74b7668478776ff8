import { readFileSync } from "node:fs";

/** The server package's version (GET /v1/system, /openapi.json). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
