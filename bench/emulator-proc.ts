/**
 * The outside world of a benchmark, in a process of its own so its CPU is neither the product's
 * nor the load generator's: the Twilio emulator (as `subtext-emulator` runs it) and the ISV's
 * webhook receiver (counts `webhook-id`s and the messages whose `message.delivered` arrived).
 *
 * Started with fork() by bench/deployment.ts; answers questions about Twilio's side over
 * the IPC channel (the callback log, the messages Twilio created) so the bench reads them without
 * shipping the whole log across on every poll.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "subtext-emulator";

const emulator = await startEmulator({ port: 0 });
const world = emulator.world;

// The ISV's webhook endpoint.
const webhookIds = new Set<string>();
const deliveredWebhooks = new Set<string>();
let webhookTotal = 0;
let lastDeliveredWebhookAt = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    webhookTotal++;
    webhookIds.add(String(req.headers["webhook-id"] ?? ""));
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const id = body.data?.message?.id;
      if (body.type === "message.delivered" && id) {
        deliveredWebhooks.add(String(id));
        lastDeliveredWebhookAt = Date.now();
      }
      res.writeHead(200).end("ok");
    } catch {
      res.writeHead(400).end("not json");
    }
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));

type Messages = {
  sid: string;
  account_sid: string;
  direction: string;
  status: string;
  date_created: number;
}[];
const messages = () => world.store.list("messages") as unknown as Messages;
const outbound = (accounts?: string[]) => {
  const set = accounts ? new Set(accounts) : null;
  return messages().filter((m) => m.direction === "outbound-api" && (!set || set.has(m.account_sid)));
};

interface Watch {
  cursor: number;
  pending: Set<number>;
  delivered: Set<string>;
  callbacks: number;
  failures: number;
  failureKinds: Record<string, number>;
}
const watches = new Map<string, Watch>();

const ops: Record<string, (a: any) => unknown> = {
  logLength: () => world.callbacks.log.length,
  /**
   * Status callbacks to any of `paths` since log index `from`: answered, pending, failed,
   * delivered (distinct messages whose `delivered` callback our API answered 204). Kept up to
   * date incrementally per watch, so a poll reads only what is new or was still pending.
   */
  callbacks({ from, paths }: { from: number; paths: string[] }) {
    const key = `${from}|${paths.join(",")}`;
    let w = watches.get(key);
    if (!w) {
      w = {
        cursor: from,
        pending: new Set(),
        delivered: new Set(),
        callbacks: 0,
        failures: 0,
        failureKinds: {},
      };
      watches.set(key, w);
    }
    const log = world.callbacks.log;
    const settle = (i: number) => {
      const c = log[i];
      if (c.status === null && !c.error) return false;
      if (c.status !== 204) {
        w.failures++;
        const kind = c.status === null ? (c.error ?? "no answer") : `HTTP ${c.status}`;
        w.failureKinds[kind] = (w.failureKinds[kind] ?? 0) + 1;
      } else if (c.params.MessageStatus === "delivered") w.delivered.add(String(c.params.MessageSid));
      return true;
    };
    for (const i of [...w.pending]) if (settle(i)) w.pending.delete(i);
    for (; w.cursor < log.length; w.cursor++) {
      if (!paths.some((p) => log[w.cursor].url.includes(p))) continue;
      w.callbacks++;
      if (!settle(w.cursor)) w.pending.add(w.cursor);
    }
    return {
      callbacks: w.callbacks,
      pending: w.pending.size,
      failures: w.failures,
      failureKinds: w.failureKinds,
      delivered: w.delivered.size,
    };
  },
  /** Dropped callbacks to `path` since `from` (to replay them), and how many were `delivered`. */
  dropped({ from, path }: { from: number; path: string }) {
    return world.callbacks.log
      .slice(from)
      .filter((c) => c.dropped && c.url.includes(path))
      .map((c) => ({ url: c.url, params: c.params }));
  },
  droppedDelivered({ from, path }: { from: number; path: string }) {
    let n = 0;
    const log = world.callbacks.log;
    for (let i = from; i < log.length; i++)
      if (log[i].dropped && log[i].url.includes(path) && log[i].params.MessageStatus === "delivered") n++;
    return n;
  },
  /** Emulated epoch ms of each create Twilio accepted for `accounts`, sorted. */
  sentTimes({ accounts }: { accounts?: string[] }) {
    return outbound(accounts)
      .map((m) => m.date_created)
      .sort((a, b) => a - b);
  },
  sentCount: ({ accounts }: { accounts?: string[] }) => outbound(accounts).length,
  finalCount: ({ accounts }: { accounts: string[] }) =>
    outbound(accounts).filter((m) => ["delivered", "undelivered", "failed"].includes(m.status)).length,
  async settle({ ms }: { ms: number }) {
    await Promise.race([world.callbacks.settle(), new Promise((r) => setTimeout(r, ms))]);
    return true;
  },
  clock: () => ({ emulated: world.clock.now(), real: Date.now() }),
  webhooks: () => ({
    total: webhookTotal,
    distinct: webhookIds.size,
    delivered: deliveredWebhooks.size,
    last_delivered_at: lastDeliveredWebhookAt,
  }),
};

process.on("message", async (m: { id: number; op: string; args?: unknown }) => {
  try {
    const result = await ops[m.op](m.args ?? {});
    process.send!({ id: m.id, result });
  } catch (err) {
    process.send!({ id: m.id, error: (err as Error).message });
  }
});
process.on("disconnect", async () => {
  receiver.closeAllConnections();
  receiver.close();
  await emulator.close().catch(() => {});
  process.exit(0);
});

process.send!({
  ready: {
    url: emulator.url,
    parent: emulator.parent,
    receiverUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
  },
});
