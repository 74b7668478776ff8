/**
 * A tenant's webhook receiver for tests: a real HTTP server on loopback that records what it
 * gets and answers with the statuses it is told to (200 unless scripted).
 */
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; created_at: string; tenant_id: string; data: Record<string, any> };
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; afterwards `fallback`. */
  script(...statuses: number[]): void;
  /** Forgets what was received and scripted. */
  reset(): void;
  fallback: number;
  /** Only what reached `path` (several endpoints can share one receiver). */
  at(path: string): Received[];
  /** Verifies a request's Standard Webhooks signature with a whsec_ secret (throws if wrong). */
  verify(r: Received, secret: string): unknown;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const queue: number[] = [];
  const received: Received[] = [];
  const receiver = {} as Receiver;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const status = queue.shift() ?? receiver.fallback;
      received.push({ path: req.url ?? "/", headers: req.headers, body, json: JSON.parse(body), status });
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "receiver says no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    received,
    fallback: 200,
    script: (...statuses: number[]) => queue.push(...statuses),
    reset: () => {
      queue.length = 0;
      received.length = 0;
      receiver.fallback = 200;
    },
    at: (path: string) => received.filter((r) => r.path === path),
    verify: (r: Received, secret: string) =>
      new Webhook(secret).verify(r.body, {
        "webhook-id": String(r.headers["webhook-id"]),
        "webhook-timestamp": String(r.headers["webhook-timestamp"]),
        "webhook-signature": String(r.headers["webhook-signature"]),
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
