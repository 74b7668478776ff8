import { it } from "vitest";
import { readyToSend } from "../../src/messaging/testing.js";
import { startStack } from "./harness.js";
it("scratch", { timeout: 120_000 }, async () => {
const stack = await startStack({ workers: "manual" });
const a = await readyToSend(stack as never);
const b = await readyToSend(stack as never);
for (const bad of [{ body: "x\u0000y" }, { body: "hi", metadata: { a: "\ud800" } }, { body: "\ud800" }]) {
  const good = Array.from({ length: 20 }, (_, i) => stack.api("POST", "/v1/messages", { token: a.key, body: { to: `+1415555${String(1000 + i)}`, body: "hello" } }));
  const evil = stack.api("POST", "/v1/messages", { token: b.key, body: { to: "+14155552000", ...bad } });
  const res = await Promise.all([...good, evil]);
  console.log(JSON.stringify(bad), "→ good:", res.slice(0, 20).map((r) => r.status).join(","), "evil:", res[20].status, JSON.stringify(res[20].body).slice(0, 150));
}
await stack.close();
});
