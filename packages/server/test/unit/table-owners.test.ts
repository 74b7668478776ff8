import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * One owner per table: the module whose migration creates a table is the only one whose code
 * writes it (INSERT, UPDATE, DELETE, TRUNCATE). Others read it, or ask the owner. docs/architecture.md.
 */
const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

// Tables whose owner is not the folder of the migration that created them.
const OWNERS: Record<string, string> = {
  // The foundation's migration (db/) made them before the modules had their own.
  tenants: "tenancy",
  api_keys: "tenancy",
  jobs: "jobs",
  secrets: "vault",
  rate_limit_windows: "http",
  system_settings: "staff",
  // Created with the other channels; WhatsApp is a messaging channel (messaging/whatsapp/).
  whatsapp_senders: "messaging",
  whatsapp_sessions: "messaging",
  whatsapp_opt_ins: "messaging",
  whatsapp_templates: "messaging",
};

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath, e.name));
}

const moduleOf = (file: string) => relative(SRC, file).split("/")[0];

function owners(): Map<string, string> {
  const found = new Map<string, string>();
  for (const sql of files(SRC, ".sql").sort()) {
    const text = readFileSync(sql, "utf8");
    for (const [, table] of text.matchAll(
      /CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?([a-z_]+)/gi,
    )) {
      if (!found.has(table)) found.set(table, OWNERS[table] ?? moduleOf(sql));
    }
  }
  return found;
}

/** `file: TABLE written by module (owner: owner)` for each write outside the owner. */
function foreignWrites(sources: { file: string; text: string }[], tables: Map<string, string>): string[] {
  const out: string[] = [];
  for (const { file, text } of sources) {
    const writer = moduleOf(file);
    for (const [, , table] of text.matchAll(/\b(INSERT INTO|UPDATE|DELETE FROM|TRUNCATE)\s+([a-z_]+)\b/g)) {
      const owner = tables.get(table);
      if (owner && owner !== writer) out.push(`${relative(SRC, file)}: ${table} (owner: ${owner})`);
    }
  }
  return [...new Set(out)].sort();
}

describe("table owners", () => {
  const tables = owners();

  it("finds the tables of every module's migrations", () => {
    expect(tables.get("messages")).toBe("messaging");
    expect(tables.get("registrations")).toBe("onboarding");
    expect(tables.get("webhook_deliveries")).toBe("events");
    expect(tables.get("tenants")).toBe("tenancy");
    expect(tables.size).toBeGreaterThan(50);
  });

  it("lets only a table's owner write it", () => {
    const sources = files(SRC, ".ts").map((file) => ({ file, text: readFileSync(file, "utf8") }));
    expect(foreignWrites(sources, tables).join("\n"), "write through the owner's functions").toBe("");
  });

  it("catches a write from another module", () => {
    const file = join(SRC, "usage/report.ts");
    const text = "await q.query(`UPDATE messages SET price = $1 WHERE id = $2`, [p, id]);";
    expect(foreignWrites([{ file, text }], tables)).toEqual(["usage/report.ts: messages (owner: messaging)"]);
  });
});
