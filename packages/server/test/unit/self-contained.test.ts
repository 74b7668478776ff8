import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Someone who clones the repository has only the repository: code comments, docs and the SDK
 * must not send them to design notes, fact sheets or source documents kept outside it. What the
 * product needs is stated where it is used, in docs/, or cited from Twilio's public pages.
 */
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Files allowed to name the outside folder: CI points the conformance tests at Twilio's OpenAPI
 * documents there (they are never copied in), and this test names what it hunts.
 */
const ALLOWED = new Set([".ci/run", "packages/server/test/unit/self-contained.test.ts"]);

const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
  .split("\0")
  .filter((path) => path && !path.split("/").includes("node_modules") && !path.startsWith("bench/results/"));

/** The outside documents, unless the repository has grown its own file of that name. */
const OWN = new Set(tracked.map((path) => basename(path)));
const DOCUMENTS = ["ARCHITECTURE", "REFERENCE", "API", "STYLE"].filter((name) => !OWN.has(`${name}.md`));

const CITATIONS: RegExp[] = [
  /\.\.\/shared\b/,
  /\/work\/shared\b/,
  /\bshared\/(?:twilio|seeds|hooks)\b/,
  /\bseeds\//,
  /\bseeds?\s+0\d\d\b/i,
  /\bthe seeds'/i,
  ...DOCUMENTS.map((name) => new RegExp(`\\b${name}(?:\\.md\\b|\\s*§)`)),
];

/** `path:line: text` for every line that still cites a document outside the repository. */
function outsideCitations(): string[] {
  const found: string[] = [];
  for (const path of tracked) {
    if (ALLOWED.has(path)) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(ROOT, path));
    } catch {
      continue; // deleted in the working tree, not yet committed
    }
    if (bytes.includes(0)) continue; // binary
    bytes
      .toString("utf8")
      .split("\n")
      .forEach((line, i) => {
        if (CITATIONS.some((re) => re.test(line)))
          found.push(`${path}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
  }
  return found;
}

describe("the repository", () => {
  it("scans its own tracked text files", () => {
    expect(tracked).toContain("README.md");
    expect(tracked.length).toBeGreaterThan(100);
  });

  it("cites no document that a clone does not have", () => {
    const found = outsideCitations();
    expect(found, `cite docs/ or Twilio's public pages instead:\n${found.join("\n")}`).toEqual([]);
  });
});
