import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { packageStaleness } from "./packages.mjs";

const T0 = new Date("2026-01-01T00:00:00Z");
const later = (seconds) => new Date(T0.getTime() + seconds * 1000);
let pkg;

/**
 * A file under the temporary package, modified (with the folders it is in) at `at`: a file in
 * dist gives dist the build's time, as a build does.
 */
function file(path, at = T0) {
  const full = join(pkg, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, "x");
  for (let p = full; p !== pkg; p = dirname(p)) utimesSync(p, at, at);
}

/** A package with its sources and settings at T0 (the shared settings beside it, for the test). */
function sources() {
  pkg = mkdtempSync(join(tmpdir(), "subtext-pkg-"));
  file("tsconfig.base.json");
  file("tsconfig.build.json");
  file("src/index.ts");
  file("src/db/migrations/0001_foundation.sql");
}
const staleness = () => packageStaleness(pkg, join(pkg, "tsconfig.base.json"));

afterEach(() => rmSync(pkg, { recursive: true, force: true }));

describe("whether npm install and npm start compile a package", () => {
  it("compiles it when it was never compiled, and not when its build is newer than every source", () => {
    sources();
    expect(staleness()).toBe("it is not built yet");
    file("dist/index.js", later(10));
    expect(staleness()).toBeNull();
  });

  for (const changed of [
    "src/cli/main.ts",
    "src/db/migrations/0002_more.sql",
    "tsconfig.build.json",
    "tsconfig.base.json",
  ])
    it(`compiles it again when ${changed} changed since`, () => {
      sources();
      file("dist/index.js", later(10));
      file(changed, later(20));
      expect(staleness()).toBe("its sources changed since it was built");
    });

  it("compiles it again when a source was removed, even from src itself", () => {
    sources();
    file("src/old.ts");
    file("dist/index.js", later(10));
    expect(staleness()).toBeNull();
    rmSync(join(pkg, "src/old.ts"));
    expect(staleness()).toBe("its sources changed since it was built");
  });

  it("ignores what is not under src (tests, its dist's own files)", () => {
    sources();
    file("dist/index.js", later(10));
    file("dist/cli/main.js", later(20));
    file("test/unit/x.test.ts", later(20));
    expect(staleness()).toBeNull();
  });
});
