/**
 * A ceiling server, in a process of its own (as the API is): Fastify with no product logic,
 * answering `POST /v1/messages` with 202 and a small JSON body, and optionally storing one
 * ~300-byte row per request first (one INSERT, one commit, before the answer):
 *
 *   node --import tsx bench/ceiling-server.ts '{"mode":"bare"}'
 *   node --import tsx bench/ceiling-server.ts '{"mode":"insert-postgres","url":"postgres://…","schema":"ceiling_x"}'
 *   node --import tsx bench/ceiling-server.ts '{"mode":"insert-pglite","dataDir":"/tmp/…"}'
 *
 * PostgreSQL through a pool of 10 connections, PGlite embedded in this process (on disk), both
 * through the server's own Db layer. Prints its port on stdout when it listens.
 */
import Fastify from "fastify";
import { type Db, newId, openPglite, openPostgres } from "@subtext/server";
import { INSERT, SCHEMA, row } from "./storage.js";

const o = JSON.parse(process.argv[2] ?? "{}") as {
  mode: "bare" | "insert-postgres" | "insert-pglite";
  url?: string;
  schema?: string;
  dataDir?: string;
};

let db: Db | null = null;
if (o.mode === "insert-postgres") db = await openPostgres(o.url!, { schema: o.schema!, max: 10 });
if (o.mode === "insert-pglite") db = await openPglite(o.dataDir!);
if (db) await db.exec(SCHEMA);

const app = Fastify({ logger: false });
app.post("/v1/messages", async (req, reply) => {
  const id = newId("msg");
  if (db) {
    const r = row();
    r[0] = id;
    r[2] = String((req.body as { to?: string } | null)?.to ?? r[2]);
    await db.query(INSERT, r);
  }
  return reply.code(202).send({ id, status: "queued" });
});
app.get("/readyz", async () => ({ ok: true }));

const stop = async () => {
  await app.close();
  await db?.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
console.log(typeof address === "object" && address ? address.port : "");
