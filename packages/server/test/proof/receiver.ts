/**
 * A tenant's webhook receiver that counts deliveries by `webhook-id` (Standard Webhooks: the
 * event id, the same on every retry), answering after `delayMs` so that deliveries are in
 * flight when a proof kills the sender.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingReceiver {
  url: string;
  /** Deliveries seen per webhook-id. */
  counts: Map<string, number>;
  /** The payload of each webhook-id (the last one seen). */
  events: Map<string, { type: string; data: any }>;
  total(): number;
  close(): Promise<void>;
}

export async function countingReceiver(delayMs = 0): Promise<CountingReceiver> {
  const counts = new Map<string, number>();
  const events = new Map<string, { type: string; data: any }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = String(req.headers["webhook-id"] ?? "");
      setTimeout(() => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          events.set(id, { type: body.type, data: body.data });
          counts.set(id, (counts.get(id) ?? 0) + 1);
          res.writeHead(200).end("ok");
        } catch {
          res.writeHead(400).end("not json");
        }
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    events,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
