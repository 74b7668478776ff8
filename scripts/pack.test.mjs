// The published form of the emulator and the SDK: `npm pack` each (its prepack compiles it when
// stale), install the tarballs into an empty project outside the repository, and use them there
// from plain Node (no tsx, no loader) and from TypeScript through their declarations, as a user
// who ran `npm install subtext-emulator @subtext/sdk` would.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKED = [
  { name: "subtext-emulator", dir: join(root, "packages/emulator") },
  { name: "@subtext/sdk", dir: join(root, "packages/sdk") },
];
const ADMIN = "st_admin_pack_test_0123456789abcdef";

// npm and vitest leave settings in the environment (npm_config_*, a loader in NODE_OPTIONS) that
// would make the children something other than a user's plain `npm` and `node`.
const plainEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(npm_|NODE_OPTIONS$|VITEST|SUBTEXT_|TWILIO_|DATABASE_URL$)/i.test(k),
  ),
);

/** The version installed in the workspace, so the empty project gets the same (from npm's cache). */
function installed(from, name) {
  return JSON.parse(
    readFileSync(createRequire(join(from, "package.json")).resolve(`${name}/package.json`), "utf8"),
  ).version;
}

function run(cmd, args, cwd, env = plainEnv) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Spawns a long-running command and resolves with the first match of `ready` in its output. */
function launch(cmd, args, env, ready) {
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const match = new Promise((resolve, reject) => {
    const read = (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) =>
      reject(new Error(`${args.join(" ")} exited (${code}) before it was ready:\n${out}`)),
    );
  });
  return { child, match };
}

/** Runs a script of the project with plain `node` and returns what it printed as JSON. */
function node(file, env = {}) {
  return JSON.parse(
    run(process.execPath, [file], project, { ...plainEnv, ...env })
      .trim()
      .split("\n")
      .at(-1),
  );
}

let tmp;
let project;
const packed = {};
const children = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "subtext-pack-"));
  for (const pkg of PACKED) {
    const out = run("npm", ["pack", "--json", "--pack-destination", tmp], pkg.dir);
    // The prepack script's own lines come first, then npm's JSON.
    const [info] = JSON.parse(out.slice(out.search(/^\[$/m)));
    packed[pkg.name] = { file: join(tmp, info.filename), paths: info.files.map((f) => f.path) };
  }
  project = join(tmp, "app");
  mkdirSync(project);
  const emulatorDir = PACKED[0].dir;
  const sdkDir = PACKED[1].dir;
  const pin = (from, names) => Object.fromEntries(names.map((n) => [n, installed(from, n)]));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "app",
      private: true,
      type: "module",
      dependencies: {
        "subtext-emulator": `file:${packed["subtext-emulator"].file}`,
        "@subtext/sdk": `file:${packed["@subtext/sdk"].file}`,
        ...pin(emulatorDir, ["twilio"]),
      },
      devDependencies: pin(root, ["@types/node"]),
      // The packages' own dependencies at the workspace's versions: the run does not depend on
      // what the registry published since, and npm's cache has them.
      overrides: {
        ...pin(emulatorDir, ["sms-segments-calculator"]),
        ...pin(sdkDir, ["openapi-fetch", "standardwebhooks"]),
      },
    }),
  );
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], project);
});

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the emulator and the SDK, packed and installed into an empty project", () => {
  it("ship compiled JavaScript with declarations, not TypeScript sources or tests", () => {
    for (const { paths } of Object.values(packed)) {
      expect(paths).toContain("package.json");
      expect(paths).toContain("dist/index.js");
      expect(paths).toContain("dist/index.d.ts");
      expect(
        paths.filter((p) => /^(src|test|scripts)\//.test(p) || (/\.ts$/.test(p) && !p.endsWith(".d.ts"))),
      ).toEqual([]);
    }
    expect(packed["subtext-emulator"].paths).toContain("bin/subtext-emulator.mjs");
    // Nothing that runs TypeScript came with them.
    expect(existsSync(join(project, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(project, "node_modules/typescript"))).toBe(false);
  });

  it("the emulator answers the official twilio SDK, imported from plain Node", () => {
    writeFileSync(
      join(project, "emulator.mjs"),
      `import twilio from "twilio";
import { emulatorHttpClient, startEmulator } from "subtext-emulator";

const emulator = await startEmulator({ port: 0 });
const client = twilio(emulator.parent.sid, emulator.parent.authToken, {
  httpClient: emulatorHttpClient(emulator.url),
});
const sub = await client.api.v2010.accounts.create({ friendlyName: "Sleepwell Inn" });
const fetched = await client.api.v2010.accounts(sub.sid).fetch();
// Sending needs a registered sender; the control API turns that check off for this test.
await fetch(emulator.url + "/_emulator/compliance", {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ enforce: false }),
});
const number = await client.incomingPhoneNumbers.create({ areaCode: "415" });
const message = await client.messages.create({ from: number.phoneNumber, to: "+14155550100", body: "Hello" });
await emulator.close();
console.log(JSON.stringify({ sub: sub.sid, name: fetched.friendlyName, number: number.phoneNumber, message: message.sid, status: message.status }));
`,
    );
    const result = node("emulator.mjs");
    expect(result.sub).toMatch(/^AC[0-9a-f]{32}$/);
    expect(result.name).toBe("Sleepwell Inn");
    expect(result.number).toMatch(/^\+1415\d{7}$/);
    expect(result.message).toMatch(/^SM[0-9a-f]{32}$/);
    expect(["accepted", "queued", "sending", "sent"]).toContain(result.status);
  });

  it("the emulator's command runs from its compiled code", async () => {
    const bin = join(project, "node_modules/.bin/subtext-emulator");
    const { child, match } = launch(bin, ["--port", "0"], plainEnv, /listening on (http:\/\/\S+)/);
    children.push(child);
    const [, url] = await match;
    const res = await fetch(`${url}/_emulator/accounts`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toMatch(/"AC[0-9a-f]{32}"/);
    child.kill("SIGTERM");
  });

  it("the SDK talks to a running Subtext, imported from plain Node", async () => {
    const dataDir = join(tmp, "data");
    const env = { ...plainEnv, PORT: "0", SUBTEXT_EMULATOR_PORT: "0", SUBTEXT_DATA_DIR: dataDir };
    Object.assign(env, { SUBTEXT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: "warn" });
    const server = launch(
      process.execPath,
      [join(root, "packages/server/bin/subtext.mjs"), "start"],
      env,
      /API:\s+(\S+)/,
    );
    children.push(server.child);
    const [, api] = await server.match;
    writeFileSync(
      join(project, "sdk.mjs"),
      `import { createSubtext, isSubtextApiError } from "@subtext/sdk";

const admin = createSubtext({ baseUrl: process.env.API, token: process.env.ADMIN });
const system = await admin.system.get();
const tenant = await admin.tenants.create({ name: "Jane's Bakery" });
const again = await admin.tenants.get(tenant.id);
let refused;
try {
  await createSubtext({ baseUrl: process.env.API, token: "st_admin_not_the_token_000000" }).tenants.list();
} catch (err) {
  refused = isSubtextApiError(err) ? { status: err.status, code: err.code } : String(err);
}
console.log(JSON.stringify({ mode: system.mode, tenant: tenant.id, name: again.name, refused }));
`,
    );
    const result = node("sdk.mjs", { API: api, ADMIN });
    expect(result.mode).toBe("sandbox");
    expect(result.tenant).toMatch(/^ten_/);
    expect(result.name).toBe("Jane's Bakery");
    expect(result.refused).toEqual({ status: 401, code: expect.any(String) });
    server.child.kill("SIGTERM");
  });

  it("type-check through the shipped declarations", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    writeFileSync(
      join(project, "check.ts"),
      `import { type RunningEmulator, startEmulator } from "subtext-emulator";
import { type Subtext, createSubtext } from "@subtext/sdk";

export async function typed(): Promise<string> {
  const emulator: RunningEmulator = await startEmulator({ port: 0 });
  const subtext: Subtext = createSubtext({ baseUrl: emulator.url, token: "t" });
  const tenant = await subtext.tenants.get("ten_1");
  // Real types, not any: these are errors, and an unused expectation is one too.
  // @ts-expect-error port is a number
  await startEmulator({ port: "4010" });
  // @ts-expect-error a tenant has no such field
  tenant.no_such_field;
  return tenant.name;
}
`,
    );
    const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
    run(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], project);
  });
});
