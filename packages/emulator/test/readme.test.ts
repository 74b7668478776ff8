import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ANSWERS, SCRIPT_FIELDS } from "../src/control/callers.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The README's section on scripted parties (the call controls), up to the next heading. */
function section(title: string): string {
  const start = README.indexOf(`### ${title}`);
  if (start < 0) return "";
  const end = README.indexOf("\n#", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

describe("the README", () => {
  it("documents every caller-script field and every answer the control API takes", () => {
    const scripted = section("Scripted parties");
    expect(scripted, "a '### Scripted parties' section").not.toBe("");
    const missing = [...SCRIPT_FIELDS, ...ANSWERS].filter((name) => !scripted.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
