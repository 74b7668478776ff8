import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/jobs/clock.js";
import { Caches, DEGRADED_MS } from "../../src/cache/cache.js";

describe("the runtime's caches", () => {
  it("keep an entry for its time to live on the platform clock, not the wall clock", () => {
    const clock = new ManualClock();
    const space = new Caches(clock).space<string>("things", { ttlMs: 60_000 });
    space.set("a", "one");
    clock.advance(59_999);
    expect(space.get("a")).toBe("one");
    clock.advance(1);
    expect(space.get("a")).toBeUndefined();
  });

  it("forget what an announced change is about, through the reactions each cache wired", () => {
    const caches = new Caches(new ManualClock());
    const owners = caches.space<{ tenant: string }>("owners", { ttlMs: 60_000 }, (space, on) =>
      on("tenant", (id) => space.deleteWhere((o) => id === undefined || o.tenant === id)),
    );
    owners.set("k1", { tenant: "t1" });
    owners.set("k2", { tenant: "t2" });
    caches.changed("tenant", "t1");
    expect([owners.get("k1"), owners.get("k2")]).toEqual([undefined, { tenant: "t2" }]);
    caches.changed("tenant");
    expect(owners.get("k2")).toBeUndefined();
    // Wiring happens once: asking for the space again does not add a second reaction.
    caches.space("owners", { ttlMs: 1 });
    owners.set("k3", { tenant: "t3" });
    expect(owners.get("k3")).toEqual({ tenant: "t3" });
  });

  it("shorten every life while changes cannot be heard, and return to normal once they can", () => {
    const clock = new ManualClock();
    const caches = new Caches(clock);
    const space = caches.space<string>("things", { ttlMs: 60_000 });
    caches.setDegraded(true);
    space.set("a", "one");
    clock.advance(DEGRADED_MS);
    expect(space.get("a")).toBeUndefined();
    caches.setDegraded(false);
    space.set("a", "one");
    clock.advance(DEGRADED_MS);
    expect(space.get("a")).toBe("one");
  });

  it("hold at most their size, dropping the oldest first, and load through a miss once", async () => {
    const space = new Caches(new ManualClock()).space<number>("small", { ttlMs: 60_000, max: 2 });
    space.set("a", 1);
    space.set("b", 2);
    space.set("c", 3);
    expect([space.get("a"), space.get("b"), space.get("c")]).toEqual([undefined, 2, 3]);
    let loads = 0;
    const load = async () => ++loads;
    expect(await space.through("d", load)).toBe(1);
    expect(await space.through("d", load)).toBe(1);
    expect(await space.through("e", load, () => false)).toBe(2);
    expect(await space.through("e", load, () => false)).toBe(3);
  });
});
