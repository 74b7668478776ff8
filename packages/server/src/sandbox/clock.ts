/**
 * Sandbox time. In sandbox mode Subtext and its emulated Twilio share one clock, so that a review
 * the emulator finishes, an OTP it expires and Subtext's own timers (registration polls, OTP
 * reminders, the WhatsApp window, retries) all see the same "now", and moving it forward moves
 * both. The emulator holds the one offset (persisted in its state, so it survives restarts);
 * Subtext never keeps its own, so the two cannot drift apart:
 *
 * - the emulator in this process (`subtext start`): its clock is read directly, and its jumps
 *   are heard at once (also those made through its own control API);
 * - an emulator in another process (`subtext emulator`, or split `--role api`/`worker`
 *   processes): its `GET /_emulator/clock` is read every second and time in between runs at its
 *   pace (scale), so a jump made elsewhere reaches this process within about a second.
 *
 * Live mode never builds one: real Twilio runs on real time (system clock).
 */
import type { Logger } from "pino";
import type { Clock } from "../jobs/clock.js";

export interface SandboxClock extends Clock {
  /** Moves the shared clock forward; the emulator runs what falls due on the way. */
  advance(seconds: number): Promise<Date>;
  /** Called after time jumped forward (to run at once what became due). Returns the unsubscribe. */
  onJump(listener: () => void): () => void;
  /** Reads the emulator's time again now. */
  sync(): Promise<void>;
  close(): void;
}

/** Where the emulator's control API is (advance goes through it in both cases). */
export interface EmulatorControl {
  url: string;
  controlToken: string | undefined;
}

/** The part of the emulator's own clock a program in its process may use. */
export interface LocalEmulatorClock {
  now(): number;
  onChange(listener: () => void): () => void;
}

interface Reading {
  now: string;
  scale: number;
}

async function control(emulator: EmulatorControl, method: string, path: string, body?: unknown) {
  const res = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: {
      ...(emulator.controlToken ? { authorization: `Bearer ${emulator.controlToken}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`the emulator at ${emulator.url} answered ${res.status} to ${method} ${path}: ${text}`);
  return JSON.parse(text) as Reading;
}

/** Asks the emulator to move its clock by `seconds` (it runs its due work before answering). */
export function advanceEmulator(emulator: EmulatorControl, seconds: number): Promise<Reading> {
  return control(emulator, "POST", "clock/advance", { seconds });
}

export function readEmulatorClock(emulator: EmulatorControl): Promise<Reading> {
  return control(emulator, "GET", "clock");
}

/** The clock of the emulator running in this process. */
export function localSandboxClock(clock: LocalEmulatorClock, emulator: EmulatorControl): SandboxClock {
  return {
    now: () => new Date(clock.now()),
    async advance(seconds) {
      await advanceEmulator(emulator, seconds);
      return new Date(clock.now());
    },
    onJump: (listener) => clock.onChange(listener),
    sync: async () => {},
    close() {},
  };
}

/** A jump smaller than this is the network's jitter, not a move of the clock. */
const JITTER_MS = 1_000;

/** The clock of an emulator in another process, read over HTTP (`start()` begins the polling). */
export class RemoteSandboxClock implements SandboxClock {
  private anchorReal = Date.now();
  private anchorEmulated = Date.now();
  private scale = 1;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private unreachable = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly emulator: EmulatorControl,
    private readonly log?: Logger,
    private readonly pollMs = 1_000,
  ) {}

  /** Reads the emulator's time (throws if it does not answer), then keeps reading it. */
  async start(): Promise<void> {
    const sentAt = Date.now();
    this.follow(await readEmulatorClock(this.emulator), sentAt);
    this.timer = setInterval(() => void this.sync(), this.pollMs);
    this.timer.unref();
  }

  now(): Date {
    return new Date(this.emulatedAt(Date.now()));
  }

  async advance(seconds: number): Promise<Date> {
    const sentAt = Date.now();
    this.follow(await advanceEmulator(this.emulator, seconds), sentAt);
    return this.now();
  }

  onJump(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  sync(): Promise<void> {
    this.syncing ??= (async () => {
      const sentAt = Date.now();
      try {
        this.follow(await readEmulatorClock(this.emulator), sentAt);
        if (this.unreachable)
          this.log?.info({ event: "sandbox_clock.reachable" }, "the emulator answers again");
        this.unreachable = false;
      } catch (err) {
        // Time goes on at the last known pace; said once, not every second.
        if (!this.unreachable) {
          this.log?.warn(
            { event: "sandbox_clock.unreachable", err: (err as Error).message },
            "cannot read the emulator's clock; sandbox time runs on from its last reading",
          );
        }
        this.unreachable = true;
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emulatedAt(real: number): number {
    return Math.floor(this.anchorEmulated + (real - this.anchorReal) * this.scale);
  }

  /** Takes a reading made between `sentAt` and now (its midpoint, within half a round trip). */
  private follow(reading: Reading, sentAt: number) {
    const real = Math.round((sentAt + Date.now()) / 2);
    const emulated = Date.parse(reading.now);
    const drift = emulated - this.emulatedAt(real);
    if (reading.scale === this.scale && Math.abs(drift) < JITTER_MS) return;
    if (drift <= -JITTER_MS) {
      this.log?.warn(
        { event: "sandbox_clock.went_back", seconds: Math.round(-drift / 1000) },
        "the emulator's clock is behind sandbox time (restarted without its state?); following it",
      );
    }
    this.anchorReal = real;
    this.anchorEmulated = emulated;
    this.scale = reading.scale;
    if (drift >= JITTER_MS) for (const listener of this.listeners) listener();
  }
}
