import { it } from "vitest";
import { startStack } from "./harness.js";
it("scratch", { timeout: 120_000 }, async () => {
const stack = await startStack({ workers: "manual" });
console.log(stack.server.app!.printRoutes({ commonPrefix: false }));
await stack.close();
});
