/**
 * For tests and benchmarks of the send path: a tenant ready to send (the real onboarding flow),
 * and the dispatcher driven tick by tick on the test's ManualClock.
 *
 *   const { tenant, key } = await readyToSend(stack);
 *   await stack.api("POST", "/v1/messages", { token: key, body: { to, body } });
 *   await dispatchAll(stack);                  // claim and call Twilio until nothing is due
 */
import type { ManualClock } from "../../src/jobs/clock.js";
import { type OnboardingStack, onboardReadyTenant } from "./onboarding.js";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import type { Services } from "../../src/kernel/services.js";
import { messagingOf } from "../../src/messaging/module.js";

export interface MessagingStack extends OnboardingStack {
  services: Services;
  clock: ManualClock;
}

/**
 * A tenant whose registration is approved, with the emulator's per-number throughput raised so
 * that the emulator never becomes the bottleneck a test did not ask for.
 */
export async function readyToSend(stack: MessagingStack, kind: RegistrationKind = "sole_proprietor") {
  await stack.emulator.control("PUT", "throughput", { per_number_mps: 10_000 });
  const ready = await onboardReadyTenant(stack, kind);
  return ready;
}

/** Ticks the dispatcher and waits for its calls until a tick claims nothing (the clock does not move). */
export async function dispatchAll(stack: MessagingStack, maxTicks = 1_000): Promise<number> {
  const { dispatcher } = messagingOf(stack.services);
  let total = 0;
  for (let i = 0; i < maxTicks; i++) {
    const n = await dispatcher.tick();
    await dispatcher.drain();
    total += n;
    if (n === 0) return total;
  }
  return total;
}

/** Moves our clock (not the emulator's) and dispatches what became due. */
export async function advanceAndDispatch(stack: MessagingStack, ms: number): Promise<number> {
  stack.clock.advance(ms);
  return dispatchAll(stack);
}

/**
 * Moves time until `probe` holds: each round dispatches what is due, runs due jobs (retries,
 * reconciliations), then checks; if not yet, advances our clock by `stepMs` and gives the
 * emulator's callbacks a moment (bounded polling, no fixed sleeps).
 */
export async function driveUntil<T>(
  stack: MessagingStack,
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  { stepMs = 1_000, rounds = 300, pollMs = 20 } = {},
): Promise<T> {
  for (let i = 0; i < rounds; i++) {
    await dispatchAll(stack);
    await stack.jobs.runDue();
    const value = await probe();
    if (value) return value;
    stack.clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out driving until: ${what}`);
}

/** What the emulator (Twilio) holds: outbound-api messages to a number. */
export async function sentToAtTwilio(stack: MessagingStack, to: string): Promise<any[]> {
  const res = await stack.emulator.control<{ messages: any[] }>(
    "GET",
    `messages?to=${encodeURIComponent(to)}`,
  );
  return res.messages.filter((m) => m.direction === "outbound-api");
}
