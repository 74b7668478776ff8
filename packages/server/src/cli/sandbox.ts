import { loadConfig } from "../config/config.js";
import { type EmulatorControl, advanceEmulator, readEmulatorClock } from "../sandbox/clock.js";
import { formatDuration, parseDuration } from "../sandbox/duration.js";
import { existingEmulatorControlToken } from "../sandbox/emulator-token.js";
import { sandboxEmulatorUrl } from "../app/runtime.js";

/**
 * `subtext sandbox …`: the sandbox clock from the shell. It talks to the emulator's control API,
 * which holds the clock Subtext shares (sandbox/clock.ts): a running Subtext follows at once when
 * the emulator is in its process, within a second otherwise. Needs no database, so it runs
 * beside `subtext start` on the embedded one.
 */
function emulatorOf(opts: { emulator?: string }): EmulatorControl {
  const config = loadConfig();
  if (config.mode === "live") {
    throw new Error(
      "live mode (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set): Subtext runs on real time; only a sandbox has a clock to move",
    );
  }
  return {
    url: (opts.emulator ?? sandboxEmulatorUrl(config)).replace(/\/+$/, ""),
    controlToken: existingEmulatorControlToken(config),
  };
}

async function reach<T>(emulator: EmulatorControl, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    if (cause === "ECONNREFUSED") {
      throw new Error(
        `no emulator answers at ${emulator.url}: start Subtext (\`npm start\`) first, or name the emulator with --emulator <url> (the start banner shows it)`,
      );
    }
    if (/answered 401/.test((err as Error).message)) {
      throw new Error(
        `the emulator at ${emulator.url} refused the control token: run this with the same SUBTEXT_DATA_DIR as \`subtext start\` (its emulator-control-token file) or SUBTEXT_EMULATOR_CONTROL_TOKEN`,
      );
    }
    throw err;
  }
}

function print(reading: { now: string }) {
  const ahead = Math.round((Date.parse(reading.now) - Date.now()) / 1000);
  console.log(`sandbox time: ${reading.now} (${formatDuration(ahead)} ahead of real time)`);
}

export async function sandboxAdvance(duration: string, opts: { emulator?: string }): Promise<void> {
  const parsed = parseDuration(duration);
  if ("problem" in parsed) throw new Error(parsed.problem);
  const emulator = emulatorOf(opts);
  print(await reach(emulator, () => advanceEmulator(emulator, parsed.seconds)));
}

export async function sandboxClock(opts: { emulator?: string }): Promise<void> {
  const emulator = emulatorOf(opts);
  print(await reach(emulator, () => readEmulatorClock(emulator)));
}
