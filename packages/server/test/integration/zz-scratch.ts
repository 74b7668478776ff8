import { startStack } from "./harness.js";
import { readyToSend } from "../../src/messaging/testing.js";
import { messagingOf } from "../../src/messaging/module.js";
const stack = await startStack({ workers: "loop" });
const follow = setInterval(() => stack.clock.advance(10), 10);
const { key } = await readyToSend(stack);
const lanes = await stack.api("GET", "/v1/lanes", { token: key });
await stack.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, { body: { mps: 10_000, daily_cap: null } });
const body = { messages: Array.from({ length: 200 }, (_, i) => ({ to: `+1416555${String(i).padStart(4, "0")}`, body: `E2E ${i}` })) };
const t = performance.now();
const res = await stack.api("POST", "/v1/messages/batch", { token: key, body });
console.log("batch", res.status, res.body.accepted, performance.now() - t);
for (let i = 0; i < 40; i++) {
  await new Promise((r) => setTimeout(r, 500));
  const { rows } = await stack.db.query("SELECT status, count(*)::int AS n FROM messages WHERE tenant_id = (SELECT tenant_id FROM lanes WHERE id = $1) GROUP BY 1", [lanes.body.data[0].id]);
  const d = messagingOf(stack.services).dispatcher;
  console.log((performance.now() - t).toFixed(0), JSON.stringify(rows), JSON.stringify(d.stats), (await stack.db.query("SELECT lease_owner, held_until, next_due_at, tat_ms, mps, burst FROM lanes")).rows.map((r: any) => JSON.stringify(r)).join(" "), stack.clock.now().toISOString());
  if (rows.length === 1 && rows[0].status === "delivered") break;
}
clearInterval(follow);
await stack.close();
