/**
 * The shell examples, run by bash as a reader would paste them: each step (the commands up to a
 * documented answer, `# → …`) in a fresh `bash` that takes over the variables the steps before
 * it exported. `curl` is the real curl, wrapped only to keep each exchange (status, URL, body) for
 * the checks; `npx subtext …` is this repository's CLI; nothing else is stood in for.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./markdown.js";

export interface ShellStep {
  /** The commands, as written (comments included: bash reads them). */
  code: string;
  /** 1-based line in the document of the step's first line. */
  line: number;
  /** The documented answer that ends the step (`# → …` and its indented continuation lines). */
  answer?: { text: string; line: number };
}

const ANSWER = /^\s*# →\s?(.*)$/;
const CONTINUATION = /^\s*#\s{2,}(.*)$/;

/** Splits a shell block at its documented answers (`blockLine`: the line of its opening fence). */
export function shellSteps(text: string, blockLine: number, lang = "sh"): ShellStep[] {
  let lines = text.split("\n");
  // A console session: `$ ` lines are commands, the rest is output (not run).
  if (lang === "console") lines = lines.map((l) => (l.startsWith("$ ") ? l.slice(2) : `# ${l}`));
  const steps: ShellStep[] = [];
  let code: string[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const answer = ANSWER.exec(lines[i]);
    if (!answer) {
      if (code.length === 0) start = i;
      code.push(lines[i]);
      continue;
    }
    const answerLine = blockLine + 1 + i;
    const parts = [answer[1]];
    while (i + 1 < lines.length && CONTINUATION.test(lines[i + 1]))
      parts.push(CONTINUATION.exec(lines[++i])![1]);
    steps.push({
      code: code.join("\n"),
      line: blockLine + 1 + start,
      answer: { text: parts.join("\n"), line: answerLine },
    });
    code = [];
  }
  if (code.some((l) => l.trim() && !l.trim().startsWith("#"))) {
    steps.push({ code: code.join("\n"), line: blockLine + 1 + start });
  }
  return steps;
}

/** The script without its comments (what bash runs), to look for placeholders left in it. */
export function withoutComments(script: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote) {
      out += c;
      if (c === "\\" && quote === '"') out += script[++i] ?? "";
      else if (c === quote) quote = null;
    } else if (c === "\\") out += c + (script[++i] ?? "");
    else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === "#" && (i === 0 || /\s/.test(script[i - 1]))) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
    } else out += c;
  }
  return out;
}

/** Placeholders (`ten_01J…`, `"…"`) still in a script: values no step and no setup gave. */
export function placeholdersIn(script: string): string[] {
  return [...withoutComments(script).matchAll(/[^\s"'`/@=?&,:;(){}[\]]*…[^\s"'`/?&,;(){}[\]]*/g)].map(
    (m) => m[0],
  );
}

export interface Exchange {
  status: number;
  method: string;
  url: string;
  contentType: string;
  body: string;
}

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every curl the step ran, in order. */
  exchanges: Exchange[];
}

// Sourced before every step. The wrapper adds only where curl writes (a file per exchange, then
// the body to stdout as curl would have), so redirections and pipes in the docs work unchanged.
const PRELUDE = `
curl() {
  local n
  n=$(( $(cat "$DOC_EXCHANGES/count") + 1 ))
  echo "$n" > "$DOC_EXCHANGES/count"
  command curl -sS "$@" -o "$DOC_EXCHANGES/$n.body" -D "$DOC_EXCHANGES/$n.headers" \\
    -w '%{http_code} %{method} %{url_effective}' > "$DOC_EXCHANGES/$n.meta"
  cat "$DOC_EXCHANGES/$n.body"
}
`;

export class ShellSession {
  private readonly exchanges: string;
  private steps = 0;

  /**
   * `work`: the working directory (the docs' relative files live there); `env`: the environment
   * the first step starts with (the steps' own exports are added to it as they run).
   */
  constructor(
    readonly work: string,
    env: Record<string, string>,
  ) {
    this.exchanges = join(work, ".exchanges");
    const bin = join(work, ".bin");
    mkdirSync(this.exchanges, { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(this.exchanges, "count"), "0\n");
    writeFileSync(join(work, ".prelude.sh"), PRELUDE);
    const cli = join(ROOT, "packages/server/bin/subtext.mjs");
    writeFileSync(
      join(bin, "npx"),
      `#!/usr/bin/env bash\n# In the docs' examples, npx runs this repository's CLI and nothing else.\nif [ "$1" = subtext ]; then shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"; fi\necho "npx $1 is not run in the docs' examples: mark the block <!-- example: not-run (why) -->" >&2\nexit 127\n`,
    );
    writeFileSync(
      join(bin, "npm"),
      `#!/usr/bin/env bash\necho "npm is not run in the docs' examples: mark the block <!-- example: not-run (why) -->" >&2\nexit 127\n`,
    );
    chmodSync(join(bin, "npx"), 0o755);
    chmodSync(join(bin, "npm"), 0o755);
    const exports = Object.entries({ ...env, DOC_EXCHANGES: this.exchanges })
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
      .join("\n");
    writeFileSync(
      join(work, ".env.sh"),
      `${exports}\nexport PATH=${shellQuote(`${bin}:${process.env.PATH}`)}\n`,
    );
  }

  /** Runs one step; resolves when its bash exits (killed after `timeoutMs`). */
  async run(script: string, timeoutMs = 120_000): Promise<StepResult> {
    const n = ++this.steps;
    const file = join(this.work, `.step-${n}.sh`);
    writeFileSync(file, `${script}\n`);
    const before = Number(readFileSync(join(this.exchanges, "count"), "utf8"));
    const wrapper = `set -eu -o pipefail\n. ./.prelude.sh\n. ./.env.sh\n. ./.step-${n}.sh\nexport -p > ./.env.sh\n`;
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn("bash", ["--noprofile", "--norc", "-c", wrapper], {
        cwd: this.work,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? this.work },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: timeoutMs,
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (c, signal) =>
        resolve({ code: c, stdout: out, stderr: signal ? `${err}\n(killed by ${signal})` : err }),
      );
    });
    const after = Number(readFileSync(join(this.exchanges, "count"), "utf8"));
    const exchanges: Exchange[] = [];
    for (let i = before + 1; i <= after; i++) {
      const meta = existsSync(join(this.exchanges, `${i}.meta`))
        ? readFileSync(join(this.exchanges, `${i}.meta`), "utf8")
        : "000 ? ?";
      const [status, method, url] = meta.split(" ");
      const headers = existsSync(join(this.exchanges, `${i}.headers`))
        ? readFileSync(join(this.exchanges, `${i}.headers`), "utf8")
        : "";
      exchanges.push({
        status: Number(status),
        method,
        url,
        contentType: /^content-type:\s*(.*?)\s*$/im.exec(headers)?.[1] ?? "",
        body: existsSync(join(this.exchanges, `${i}.body`))
          ? readFileSync(join(this.exchanges, `${i}.body`), "utf8")
          : "",
      });
    }
    return { code, stdout, stderr, exchanges };
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
