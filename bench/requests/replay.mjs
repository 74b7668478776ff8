/**
 * Replays a list of requests written to a JSON file (`[{ path, body, headers }]`), each once
 * in order (then round again), for bench/load-worker.mjs: Twilio's status callbacks, signed.
 *
 * @param {{ file: string, method?: string }} args
 */
import { readFileSync } from "node:fs";

export function setup({ file, method = "POST" }) {
  const list = JSON.parse(readFileSync(file, "utf8"));
  let i = 0;
  return {
    method,
    path: list[0].path,
    headers: list[0].headers,
    next() {
      const r = list[i++ % list.length];
      return { path: r.path, body: r.body, headers: r.headers };
    },
  };
}
