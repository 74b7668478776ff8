import { startStack, tenantWithFastLane } from "./messaging.js";
import { messagingOf } from "../packages/server/src/messaging/module.js";
const stack = await startStack({ workers: "loop" });
const { key, tenant } = await tenantWithFastLane(stack);
const base = stack.clock.now().getTime() - performance.now();
setInterval(() => { const t = base + performance.now(); if (t > stack.clock.now().getTime()) stack.clock.set(new Date(t)); }, 5);
const t0 = performance.now();
for (let off = 0; off < 2000; off += 1000) {
  const body = { messages: Array.from({ length: 1000 }, (_, i) => ({ to: `+1417555${String(off + i).padStart(4, "0")}`, body: `E2E ${off + i}` })) };
  const r = await stack.api("POST", "/v1/messages/batch", { token: key, body });
  console.log("batch", r.status, ((performance.now() - t0) / 1000).toFixed(1));
}
for (let i = 0; i < 120; i++) {
  await new Promise((r) => setTimeout(r, 3000));
  const { rows } = await stack.db.query("SELECT status, count(*)::int AS n FROM messages WHERE tenant_id = $1 GROUP BY 1 ORDER BY 1", [tenant.id]);
  const d = messagingOf(stack.services).dispatcher;
  const emu = await stack.emulator.control("GET", `messages?account_sid=${tenant.subaccount_sid}&direction=outbound-api`);
  const st: Record<string, number> = {}; for (const m of emu.messages) st[m.status] = (st[m.status] ?? 0) + 1;
  const cb = await stack.emulator.control("GET", "callbacks");
  const cbs = { n: cb.callbacks.length, err: cb.callbacks.filter((c: any) => c.error).length, pending: cb.callbacks.filter((c: any) => c.status === null && !c.error).length };
  console.log(((performance.now() - t0) / 1000).toFixed(0), JSON.stringify(rows), JSON.stringify(d.stats), "emu", JSON.stringify(st), "cb", JSON.stringify(cbs));
  if (rows.length === 1 && rows[0].status === "delivered") break;
}
process.exit(0);
