import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dashboardStaleness } from "./dashboard.mjs";

const T0 = new Date("2026-01-01T00:00:00Z");
const later = (seconds) => new Date(T0.getTime() + seconds * 1000);
let web;

/** A file under the temporary web package, modified (with the folders it is in) at `at`. */
function file(path, at = T0) {
  const full = join(web, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, "x");
  for (let p = full; p !== web; p = dirname(p)) utimesSync(p, at, at);
}

afterEach(() => rmSync(web, { recursive: true, force: true }));

describe("whether npm install and npm start build the dashboard", () => {
  it("builds it when it was never built, and not when its build is newer than every source", () => {
    web = mkdtempSync(join(tmpdir(), "subtext-web-"));
    file("index.html");
    file("src/pages/Insights.tsx");
    expect(dashboardStaleness(web)).toBe("it is not built yet");
    file("dist/index.html", later(10));
    expect(dashboardStaleness(web)).toBeNull();
  });

  it("rebuilds it when any source, however deep, is newer than its build", () => {
    web = mkdtempSync(join(tmpdir(), "subtext-web-"));
    file("src/main.tsx");
    file("dist/index.html", later(10));
    file("src/pages/Insights.tsx", later(20));
    expect(dashboardStaleness(web)).toBe("its sources changed since it was built");
  });

  it("rebuilds it when a source was removed since", () => {
    web = mkdtempSync(join(tmpdir(), "subtext-web-"));
    file("src/main.tsx");
    file("src/pages/Old.tsx");
    file("dist/index.html", later(10));
    expect(dashboardStaleness(web)).toBeNull();
    rmSync(join(web, "src/pages/Old.tsx"));
    expect(dashboardStaleness(web)).toBe("its sources changed since it was built");
  });

  it("ignores its own output and installed packages", () => {
    web = mkdtempSync(join(tmpdir(), "subtext-web-"));
    file("src/main.tsx");
    file("dist/index.html", later(10));
    file("dist/assets/index.js", later(20));
    file("node_modules/vite/package.json", later(20));
    expect(dashboardStaleness(web)).toBeNull();
  });

  it("rebuilds it when a workspace package it bundles (@subtext/telecom) changed", () => {
    const packages = mkdtempSync(join(tmpdir(), "subtext-packages-"));
    web = join(packages, "web");
    mkdirSync(web);
    file("package.json");
    writeFileSync(join(web, "package.json"), JSON.stringify({ dependencies: { "@subtext/telecom": "*" } }));
    utimesSync(join(web, "package.json"), T0, T0);
    file("src/main.tsx");
    file("dist/index.html", later(10));
    const rule = join(packages, "telecom/src/segments.ts");
    mkdirSync(dirname(rule), { recursive: true });
    writeFileSync(rule, "x");
    for (const p of [rule, dirname(rule)]) utimesSync(p, later(5), later(5));
    expect(dashboardStaleness(web)).toBeNull();
    utimesSync(rule, later(20), later(20));
    expect(dashboardStaleness(web)).toBe("its sources changed since it was built");
    rmSync(packages, { recursive: true, force: true });
  });
});
