import { join } from "node:path";
import type { Config } from "../config/config.js";
import type { Db } from "./db.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";

/** PostgreSQL when DATABASE_URL is set, else PGlite persisted under SUBTEXT_DATA_DIR/pglite. */
export function openDb(
  config: Pick<Config, "databaseUrl" | "dataDir">,
  onError?: (err: Error) => void,
): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { onError });
  return openPglite(join(config.dataDir, "pglite"));
}
