#!/usr/bin/env node
// `npm run fetch:twilio-oai`: downloads Twilio's published OpenAPI documents (twilio/twilio-oai,
// MIT), which the emulator's conformance suite validates its answers against, into the directory
// SUBTEXT_TWILIO_OAI_DIR names (default .cache/twilio-oai, git-ignored; a relative path is read
// from the repository root). The version is pinned, with a SHA-256 for each file, in
// packages/emulator/test/conformance/twilio-oai.json; files already there and intact are kept.
//
//   --check           download nothing: exit 1 unless every pinned document is there and intact (CI)
//   --base-url URL    a mirror of https://raw.githubusercontent.com (same layout)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(
  readFileSync(new URL("../packages/emulator/test/conformance/twilio-oai.json", import.meta.url), "utf8"),
);
let options;
try {
  ({ values: options } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      "base-url": { type: "string", default: "https://raw.githubusercontent.com" },
    },
  }));
} catch (err) {
  console.error(`fetch:twilio-oai: ${err.message} (options: --check, --base-url URL)`);
  process.exit(2);
}
const dir = resolve(root, process.env.SUBTEXT_TWILIO_OAI_DIR?.trim() || ".cache/twilio-oai");
const pinned = `${manifest.repository} ${manifest.tag}, commit ${manifest.commit.slice(0, 12)}`;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
/** Why a file on disk is not the pinned one, or null when it is. */
function problem(file) {
  const path = join(dir, basename(file.path));
  if (!existsSync(path)) return "missing";
  return sha256(readFileSync(path)) === file.sha256 ? null : "differs from the pinned version";
}

if (options.check) {
  // The documents only: the licence beside them is for people, the tests do not read it.
  const documents = manifest.files.filter((f) => f.path.endsWith(".json"));
  const bad = documents.map((f) => [f, problem(f)]).filter(([, p]) => p);
  if (bad.length === 0) {
    console.log(`Twilio's OpenAPI documents (${pinned}) are in ${dir}`);
    process.exit(0);
  }
  for (const [f, p] of bad) console.error(`  ${basename(f.path)}: ${p}`);
  console.error(
    `Twilio's OpenAPI documents (${pinned}) are not all in ${dir}: run npm run fetch:twilio-oai.`,
  );
  process.exit(1);
}

mkdirSync(dir, { recursive: true });
console.log(`Twilio's OpenAPI documents, ${pinned}, into ${dir}`);
let fetched = 0;
for (const file of manifest.files) {
  const name = basename(file.path);
  if (!problem(file)) {
    console.log(`  ${name}: already there`);
    continue;
  }
  const url = `${options["base-url"].replace(/\/$/, "")}/${manifest.repository}/${manifest.commit}/${file.path}`;
  let bytes;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    // fetch's own message is "fetch failed"; the reason (DNS, refused, timeout) is its cause.
    const reason = err.cause?.message ?? err.message;
    fail(`could not download ${url}: ${reason}`);
  }
  if (sha256(bytes) !== file.sha256) fail(`${url} is not the pinned file (its SHA-256 differs)`);
  // Written aside then renamed, so an interrupted run never leaves a truncated document behind.
  writeFileSync(join(dir, `${name}.part`), bytes);
  renameSync(join(dir, `${name}.part`), join(dir, name));
  console.log(`  ${name}: downloaded (${bytes.length.toLocaleString("en-US")} bytes)`);
  fetched++;
}
console.log(`Done: ${fetched} downloaded, ${manifest.files.length - fetched} already there.`);

function fail(message) {
  console.error(`fetch:twilio-oai failed: ${message}`);
  console.error(
    `Another way: git clone --depth 1 --branch ${manifest.tag} https://github.com/${manifest.repository} ` +
      "and set SUBTEXT_TWILIO_OAI_DIR=<that clone>/spec/json.",
  );
  process.exit(1);
}
