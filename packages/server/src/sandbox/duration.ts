/**
 * How far to move the sandbox clock: seconds as a number, or a duration such as `90s`, `15m`,
 * `2h`, `3d`, `1w` or `1d12h` (units in decreasing order, each once).
 */
const UNITS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/** One advance moves at most a year: a typo (`3000d`) should not age every record by a decade. */
export const MAX_ADVANCE_SECONDS = 366 * 86_400;

export type DurationResult = { seconds: number } | { problem: string };

export function parseDuration(input: string | number): DurationResult {
  let seconds: number;
  if (typeof input === "number" || /^\s*\d+(\.\d+)?\s*$/.test(input)) {
    seconds = Number(input);
  } else {
    const text = input.trim().toLowerCase();
    const parts = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (!text || !parts) {
      return { problem: `"${input}" is not a duration: use seconds, or e.g. 90s, 15m, 2h, 3d, 1w, 1d12h` };
    }
    seconds = ["w", "d", "h", "m", "s"].reduce(
      (sum, unit, i) => sum + Number(parts[i + 1] ?? 0) * UNITS[unit],
      0,
    );
  }
  if (!Number.isFinite(seconds) || seconds <= 0)
    return { problem: "the duration must be more than 0 seconds" };
  if (seconds > MAX_ADVANCE_SECONDS) return { problem: "one advance moves the clock at most 366 days" };
  return { seconds };
}

/** `3d 4h 5m` for an offset in seconds (whole seconds shown below a minute only). */
export function formatDuration(totalSeconds: number): string {
  let left = Math.round(Math.abs(totalSeconds));
  const out: string[] = [];
  for (const unit of ["d", "h", "m", "s"]) {
    const size = UNITS[unit];
    const n = Math.floor(left / size);
    left -= n * size;
    if (n && (unit !== "s" || out.length === 0)) out.push(`${n}${unit}`);
  }
  return `${totalSeconds < 0 ? "-" : ""}${out.join(" ") || "0s"}`;
}
