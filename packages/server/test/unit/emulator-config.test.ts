import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { ensurePrivateDir } from "../../src/kernel/data-dir.js";

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return "";
};

describe("sandbox emulator settings", () => {
  it("the emulator listens on loopback by default, whatever HOST says", () => {
    expect(loadConfig({ HOST: "0.0.0.0" }).emulatorHost).toBe("127.0.0.1");
    for (const host of ["0.0.0.0", "::1", "::", "localhost", "emulator.internal", "10.0.0.5"]) {
      expect(loadConfig({ SUBTEXT_EMULATOR_HOST: host }).emulatorHost).toBe(host);
    }
  });

  it("refuses a host that is neither an address nor a host name, naming the variable", () => {
    for (const host of ["not a host", "http://0.0.0.0", "host:3001", "-bad.example"]) {
      expect(problems({ SUBTEXT_EMULATOR_HOST: host })).toMatch(/SUBTEXT_EMULATOR_HOST: .*\(fix: /);
    }
  });

  it("takes a control token of at least 24 printable characters, else says how to make one", () => {
    expect(loadConfig({}).emulatorControlToken).toBeUndefined();
    const token = "a".repeat(24);
    expect(loadConfig({ SUBTEXT_EMULATOR_CONTROL_TOKEN: token }).emulatorControlToken).toBe(token);
    for (const bad of ["short", `${"a".repeat(24)} b`]) {
      expect(problems({ SUBTEXT_EMULATOR_CONTROL_TOKEN: bad })).toMatch(
        /SUBTEXT_EMULATOR_CONTROL_TOKEN: .*openssl rand -hex 24/,
      );
    }
  });
});

describe("the private data dir", () => {
  it("strips group and other permissions everywhere under it, without following symbolic links", () => {
    const root = mkdtempSync(join(tmpdir(), "subtext-private-"));
    try {
      const dir = join(root, "data");
      mkdirSync(join(dir, "sub"), { recursive: true });
      writeFileSync(join(dir, "a"), "");
      writeFileSync(join(dir, "sub", "b"), "");
      writeFileSync(join(root, "outside"), "");
      symlinkSync(join(root, "outside"), join(dir, "link"));
      for (const p of [dir, join(dir, "sub")]) chmodSync(p, 0o755);
      for (const p of [join(dir, "a"), join(dir, "sub", "b"), join(root, "outside")]) chmodSync(p, 0o666);

      const fixed = ensurePrivateDir(dir);
      expect(fixed.sort()).toEqual([dir, join(dir, "a"), join(dir, "sub"), join(dir, "sub", "b")].sort());
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      expect([dir, join(dir, "sub"), join(dir, "a"), join(dir, "sub", "b")].map(mode)).toEqual([
        "700",
        "700",
        "600",
        "600",
      ]);
      expect(mode(join(root, "outside"))).toBe("666"); // the link's target is not ours to change
      expect(ensurePrivateDir(dir)).toEqual([]);
      const fresh = join(root, "fresh", "nested");
      ensurePrivateDir(fresh);
      expect([join(root, "fresh"), fresh].map(mode)).toEqual(["700", "700"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
