/**
 * Emulator throughput: message creates per second through the official SDK and the recipe,
 * with N concurrent callers, against an in-memory emulator on loopback. Next to it, the same
 * machine's ceiling: a bare node:http server answering the same JSON on loopback.
 *
 *   npx tsx bench/emulator.ts [--messages 5000] [--concurrency 32]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { emulatorHttpClient, startEmulator } from "subtext-emulator";
import { closedLoop } from "./load.js";

function arg(name: string, fallback: number) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function timed(total: number, concurrency: number, fn: (i: number) => Promise<unknown>) {
  const r = await closedLoop(total, concurrency, fn);
  return { perSecond: r.per_second, p50: r.p50_ms.toFixed(1), p99: r.p99_ms.toFixed(1) };
}

export async function benchEmulator(messages = arg("messages", 5000), concurrency = arg("concurrency", 32)) {
  const emulator = await startEmulator({});
  const client = twilio(emulator.parent.sid, emulator.parent.authToken, {
    httpClient: emulatorHttpClient(emulator.url),
  });
  await fetch(`${emulator.url}/_emulator/compliance`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ enforce: false }),
  });
  await fetch(`${emulator.url}/_emulator/limits`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ concurrency: 10_000 }),
  });
  const number = await client.incomingPhoneNumbers.create({ areaCode: "415" });
  const sdk = await timed(messages, concurrency, (i) =>
    client.messages.create({
      from: number.phoneNumber,
      to: `+1415555${String(i % 10000).padStart(4, "0")}`,
      body: `bench ${i}`,
    }),
  );
  await emulator.close();

  // The ceiling: a bare HTTP server on loopback answering a JSON body, hit with fetch.
  const bare = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end('{"sid":"SM00000000000000000000000000000000","status":"queued"}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  const ceiling = await timed(messages, concurrency, () =>
    fetch(url, { method: "POST", body: "To=%2B14155550100&Body=bench" }).then((r) => r.text()),
  );
  bare.close();
  return { messages, concurrency, sdk, ceiling };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEmulator();
  console.log(
    `emulator: ${r.sdk.perSecond} message creates/s through the SDK (p50 ${r.sdk.p50} ms, p99 ${r.sdk.p99} ms, ` +
      `${r.messages} messages, ${r.concurrency} concurrent); bare HTTP ceiling ${r.ceiling.perSecond} req/s ` +
      `(p50 ${r.ceiling.p50} ms, p99 ${r.ceiling.p99} ms) → ${Math.round((100 * r.sdk.perSecond) / r.ceiling.perSecond)}%`,
  );
}
