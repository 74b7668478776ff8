/**
 * CSV for the suppression list. Export: `phone,scope,source,keyword,reason,created_at`.
 * Import: one number per line, optional columns `scope` and `reason`, an optional header line
 * (recognised by a first cell that is not a phone number). Pure parsing; the route stores.
 */
import { parsePhone } from "@subtext/telecom/phone";
import type { OptOutRow } from "./store.js";

export const CSV_HEADER = "phone,scope,source,keyword,reason,created_at";

function cell(value: string | null): string {
  if (value === null) return "";
  // Formula injection: a cell starting with = + - @ runs in spreadsheets. Phones start with +,
  // so only free text (keyword, reason) is neutralized, with a leading apostrophe.
  const text = /^[=\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsvLine(r: OptOutRow): string {
  return [r.phone, r.scope, r.source, cell(r.keyword), cell(r.reason), r.created_at.toISOString()].join(",");
}

/** RFC 4180 fields of one record (quotes, doubled quotes, commas inside quotes). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

export interface ImportLine {
  line: number;
  phone: string;
  scope: string | null;
  reason: string | null;
}

export interface ImportProblem {
  line: number;
  code: string;
  message: string;
}

export const MAX_IMPORT_LINES = 100_000;

export function parseImport(text: string): { lines: ImportLine[]; problems: ImportProblem[] } {
  const lines: ImportLine[] = [];
  const problems: ImportProblem[] = [];
  const records = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  records.forEach((record, i) => {
    const n = i + 1;
    if (record.trim() === "") return;
    const [phone = "", scope = "", reason = ""] = fields(record);
    if (n === 1 && !/^\+?\d/.test(phone)) return; // a header
    if (lines.length + problems.length >= MAX_IMPORT_LINES) {
      if (problems.at(-1)?.code !== "too_many_lines")
        problems.push({
          line: n,
          code: "too_many_lines",
          message: `At most ${MAX_IMPORT_LINES} lines per import.`,
        });
      return;
    }
    const parsed = parsePhone(phone);
    if (!parsed.ok) {
      problems.push({ line: n, code: parsed.code, message: parsed.message });
      return;
    }
    if (scope && !/^(all|MG[0-9a-fA-F]{32}|\+[1-9]\d{1,14})$/.test(scope)) {
      problems.push({
        line: n,
        code: "invalid_scope",
        message: `Scope must be all, a messaging service sid or a number; got ${scope}.`,
      });
      return;
    }
    lines.push({
      line: n,
      phone: parsed.phone.e164,
      scope: scope || null,
      reason: reason ? reason.slice(0, 500) : null,
    });
  });
  return { lines, problems };
}
