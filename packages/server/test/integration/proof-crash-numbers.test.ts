/**
 * Crash proof for a number purchase (docs/onboarding.md, "Numbers"): a real `subtext` process
 * buys a number for a campaign; Twilio (the emulator) sells it but its answer never arrives
 * (hang_after), and the process is killed with SIGKILL. A runtime in this process then runs
 * the purchase's job: it finds the number bought under the row's friendly name, attaches it to
 * the campaign's service and records it. Twilio ends up with one number more, not two.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/jobs/clock.js";
import {
  type Deployment,
  type ReadyTenant,
  deploy,
  expireLeases,
  inProcess,
  onboardTenants,
} from "../proof/deployment.js";

let d: Deployment;
let t: ReadyTenant;

function count(collection: string, accountSid: string, where: (doc: any) => boolean = () => true): number {
  const collections = (d.emulator.world.store as unknown as { collections: Map<string, Map<string, any>> })
    .collections;
  return [...(collections.get(collection)?.values() ?? [])].filter(
    (doc) => doc.account_sid === accountSid && where(doc),
  ).length;
}

beforeAll(async () => {
  d = await deploy();
  [t] = await onboardTenants(d, ["standard"]);
}, 300_000);
afterAll(() => d?.close());

describe("kill -9 inside a number purchase", () => {
  it("finishes the purchase from its job and buys nothing twice", { timeout: 300_000 }, async () => {
    const sub = t.tenant.subaccount_sid;
    const proc = await d.start("all", "all");
    const [first] = (await d.api("GET", "/v1/numbers", { token: t.key })).body.data;
    const service = first.messaging_service_id;
    const numbersBefore = count("incoming_phone_numbers", sub);
    const poolBefore = count("service_phone_numbers", sub);

    const fault = await d.emu("POST", "faults", {
      kind: "hang_after",
      path: "/IncomingPhoneNumbers.json",
      method: "POST",
      count: 1,
      latency_ms: 20_000,
    });
    const acting = d
      .api("POST", "/v1/numbers", { token: t.key, body: { messaging_service_id: service, area_code: "415" } })
      .catch(() => undefined);
    const deadline = Date.now() + 15_000;
    let hit = false;
    while (!hit && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      hit = (await d.emu("GET", "faults")).faults.some(
        (f: { id: string; fired: number }) => f.id === fault.id && f.fired > 0,
      );
    }
    expect(hit, "the purchase reached Twilio").toBe(true);
    await proc.kill9();
    await acting;
    await d.emu("DELETE", "faults");
    // Twilio sold the number; Subtext never heard back.
    expect(count("incoming_phone_numbers", sub)).toBe(numbersBefore + 1);
    await expireLeases(d, proc.child.pid);

    // The job is due a minute after the request: a runtime two minutes ahead runs it.
    const { now } = await d.emu<{ now: string }>("GET", "clock");
    const local = await inProcess(d, new ManualClock(Date.parse(now) + 2 * 60_000));
    try {
      await local.stack.jobs.runDue();
      const numbers = (await d.api("GET", "/v1/numbers", { token: t.key })).body.data;
      expect(numbers.map((n: any) => [n.state, n.messaging_service_id])).toEqual([
        ["active", service],
        ["active", service],
      ]);
      const bought = numbers[1];
      expect(bought.phone_number.startsWith("+1415")).toBe(true);
      expect(count("incoming_phone_numbers", sub)).toBe(numbersBefore + 1);
      expect(count("incoming_phone_numbers", sub, (n) => n.friendly_name === `subtext:${bought.id}`)).toBe(1);
      expect(count("service_phone_numbers", sub)).toBe(poolBefore + 1);
      // Running the job again changes nothing.
      await local.stack.jobs.runDue();
      expect(count("incoming_phone_numbers", sub)).toBe(numbersBefore + 1);
    } finally {
      await local.close();
    }
  });
});
