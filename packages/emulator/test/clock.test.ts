import { describe, expect, it } from "vitest";
import { useEmulator } from "./setup.js";

const em = useEmulator();

describe("the emulated clock, shared with a program in the same process", () => {
  it("tells its listeners when time jumps or changes pace, at the time it moved to", async () => {
    const heard: number[] = [];
    const unsubscribe = em.emulator.world.clock.onChange(() => heard.push(em.emulator.world.clock.now()));
    const before = em.emulator.world.clock.now();

    await em.control("POST", "clock/advance", { seconds: 3_600 });
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.at(-1)!).toBeGreaterThanOrEqual(before + 3_600_000);

    await em.control("PUT", "clock/scale", { scale: 2 });
    const afterScale = heard.length;
    await em.control("PUT", "clock/scale", { scale: 1 });
    expect(heard.length).toBe(afterScale + 1);

    // Running at its pace is not a jump; an advance of 0 moves nothing.
    const quiet = heard.length;
    await em.control("GET", "clock");
    await em.control("POST", "clock/advance", { seconds: 0 });
    expect(heard.length).toBe(quiet);

    unsubscribe();
    await em.control("POST", "clock/advance", { seconds: 60 });
    expect(heard.length).toBe(quiet);
  });
});
