import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../src/config/config.js";

const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

/** The variables named in the first column of the README's configuration table. */
function documented(): string[] {
  const table = README.slice(README.indexOf("## Configuration"), README.indexOf("## Commands"));
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
}

describe("the README's configuration table", () => {
  it("lists every setting Subtext reads, and nothing it does not", () => {
    expect([...documented()].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
