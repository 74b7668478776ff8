/**
 * Every example of README.md, docs/ and the SDK's and emulator's READMEs, run against the
 * product (CONTRIBUTING.md, "Examples in the docs"), so the docs cannot drift from the API:
 * shell examples through bash and curl with their documented answers checked, JSON examples
 * against /openapi.json, TypeScript compiled against the SDK and run, JavaScript run. One
 * started product per document (test/docs/setups.ts), its examples in the document's order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docBlocks, documentedFiles, where } from "../docs/markdown.js";
import {
  type DocRun,
  checkJsonBlock,
  runJavaScript,
  runShellBlock,
  runTypeScript,
  typecheck,
  writeFiles,
} from "../docs/runner.js";
import { SETUP_FILES, type StartedDoc, TYPESCRIPT_PRELUDES, setUp } from "../docs/setups.js";
import { ENGINE } from "./harness.js";

const runnable = (file: string) => docBlocks(file).filter((b) => b.kind !== "not-run");

// Types do not depend on the storage engine: compiled once, in the PGlite run (one tsc for all).
if (ENGINE === "pglite") {
  it("compiles every TypeScript example against this repository's packages", {
    timeout: 180_000,
  }, async () => {
    const documents = documentedFiles().map((file) => ({
      blocks: docBlocks(file).filter((b) => b.kind === "typescript"),
      prelude: TYPESCRIPT_PRELUDES[file] ?? "",
    }));
    expect(await typecheck(documents.filter((d) => d.blocks.length > 0))).toEqual([]);
  });
}

it("has a setup only for documents that exist (a renamed page would lose its setup)", () => {
  expect(SETUP_FILES.filter((f) => !documentedFiles().includes(f))).toEqual([]);
});

for (const file of documentedFiles().filter((f) => runnable(f).length > 0)) {
  describe(`the examples of ${file}`, { timeout: 180_000 }, () => {
    const blocks = runnable(file);
    let started: StartedDoc | undefined;
    let doc: DocRun;
    beforeAll(async () => {
      started = await setUp(file);
      doc = started.doc;
      writeFiles(doc, blocks);
    }, 240_000);
    afterAll(() => started?.close());

    for (const block of blocks) {
      if (typeof block.kind === "object") {
        it(`${where(block)} can be run`, () => expect.fail((block.kind as { problem: string }).problem));
      } else if (block.kind === "shell") {
        it(`${where(block)} (shell) runs against the product as written`, async () => {
          expect(await runShellBlock(doc, block)).toEqual([]);
        });
      } else if (block.kind === "json") {
        it(`${where(block)} (JSON) matches /openapi.json`, () => {
          expect(checkJsonBlock(doc, block)).toEqual([]);
        });
      } else if (block.kind === "javascript") {
        it(`${where(block)} (JavaScript) runs`, async () => {
          const ran = await runJavaScript(doc, block);
          expect(ran.code, ran.out).toBe(0);
        });
      }
    }

    const typescript = blocks.filter((b) => b.kind === "typescript" && !b.marker?.typecheckOnly);
    if (typescript.length > 0) {
      it(`its TypeScript examples (${typescript.map(where).join(", ")}) run, in order, against the product`, async () => {
        const ran = await runTypeScript(doc, typescript);
        expect(ran.code, ran.out).toBe(0);
      });
    }
  });
}
