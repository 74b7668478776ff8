/**
 * Lanes: what a sender may push to Twilio, in message SEGMENTS (10DLC MPS and the daily caps
 * count segments, and an MMS counts as one).
 *
 * Sources:
 * - Brand types (docs/twilio-facts.md, "Throughput and daily caps"): sole proprietor ~1 MPS per
 *   campaign, 1,000/day to T-Mobile and 3,000/day in total; low-volume standard ~3.75 MPS, 2,000
 *   and 6,000; standard 12–225 MPS by trust score, T-Mobile 2,000+ by trust score, no total cap;
 *   toll-free ~3 MPS per number. Short codes: 100 MPS per number.
 * - International senders (an alphanumeric sender ID, or a number outside the US and Canada): 10
 *   segments per second per sender by default, no daily caps (Twilio, "Can I increase message
 *   throughput (MPS) for an Alphanumeric Sender ID?",
 *   support.twilio.com/hc/en-us/articles/360057082693; we apply the same default to long codes
 *   abroad, whose published rates vary by country).
 * - Short codes: 100 MPS per short code by default (all US short codes, and CA and UK short
 *   codes since December 2016; more is bought from Twilio): Twilio, "Understanding Twilio Rate
 *   Limits and Message Queues" (help.twilio.com/articles/115002943027).
 * - WhatsApp: 80 messages per second per sender by default (Meta, WhatsApp Cloud API
 *   "Throughput"; Twilio passes it through). No carrier caps: Meta limits the number of
 *   distinct users a business may start conversations with per day instead, which Twilio enforces.
 * - Standard MPS by trust score, the same for declared and mixed/marketing use cases: Twilio,
 *   "Message throughput (MPS) and Trust Scores for A2P 10DLC in the US"
 *   (help.twilio.com/articles/1260803965530): 75–100 → 225, 50–74 → 120, 1–49 → 12.
 * - T-Mobile daily cap by trust score: Twilio, "T-Mobile daily message limits for long code
 *   messaging with A2P 10DLC" (help.twilio.com/articles/1260804800549): 75–100 → 200,000,
 *   50–74 → 40,000, 25–49 → 10,000, 1–24 → 2,000; Russell 3000 companies → 200,000. The caps
 *   reset at midnight Pacific time (see nextMidnight).
 * Twilio reports a campaign's actual limits in `rate_limits`; pass them as overrides.
 */

export type LaneKind =
  | "sole_proprietor"
  | "low_volume_standard"
  | "standard"
  | "toll_free"
  | "short_code"
  | "whatsapp"
  | "international";

export interface LaneRate {
  kind: LaneKind;
  /** Segments per second. */
  mps: number;
  /** What the MPS is granted to: a 10DLC campaign, or each toll-free / short code number. */
  per: "campaign" | "number";
  /** Segments per day toward T-Mobile for the whole brand; null when there is no cap. */
  tmobile_daily_cap: number | null;
  /** Segments per day in total for the whole brand; null when there is no cap. */
  daily_cap: number | null;
}

export interface LaneInput {
  kind: LaneKind;
  /** TCR / secondary-vetting score, 0–100; null or absent while unknown. */
  trust_score?: number | null;
  russell_3000?: boolean;
}

type Tier = readonly [minScore: number, value: number];

const STANDARD_MPS: readonly Tier[] = [
  [75, 225],
  [50, 120],
  [0, 12],
];

const TMOBILE_DAILY_CAP: readonly Tier[] = [
  [75, 200_000],
  [50, 40_000],
  [25, 10_000],
  [0, 2_000],
];

function tierValue(tiers: readonly Tier[], score: number | null | undefined): number {
  const s = Math.max(0, Math.min(100, score ?? 0));
  return (tiers.find(([min]) => s >= min) ?? tiers[tiers.length - 1])[1];
}

/** Standard-brand campaign MPS for a trust score; an unknown score gets the lowest tier. */
export function standardMps(trustScore: number | null | undefined): number {
  return tierValue(STANDARD_MPS, trustScore);
}

export function tmobileDailyCap(trustScore: number | null | undefined, russell3000 = false): number {
  return russell3000 ? 200_000 : tierValue(TMOBILE_DAILY_CAP, trustScore);
}

const FIXED: Record<Exclude<LaneKind, "standard">, Omit<LaneRate, "kind">> = {
  sole_proprietor: { mps: 1, per: "campaign", tmobile_daily_cap: 1_000, daily_cap: 3_000 },
  low_volume_standard: { mps: 3.75, per: "campaign", tmobile_daily_cap: 2_000, daily_cap: 6_000 },
  toll_free: { mps: 3, per: "number", tmobile_daily_cap: null, daily_cap: null },
  short_code: { mps: 100, per: "number", tmobile_daily_cap: null, daily_cap: null },
  whatsapp: { mps: 80, per: "number", tmobile_daily_cap: null, daily_cap: null },
  international: { mps: 10, per: "number", tmobile_daily_cap: null, daily_cap: null },
};

/** The rate of a lane; `overrides` win (Twilio's reported limits, or an operator's setting). */
export function laneRate(input: LaneInput, overrides: Partial<Omit<LaneRate, "kind">> = {}): LaneRate {
  const base: Omit<LaneRate, "kind"> =
    input.kind === "standard"
      ? {
          mps: standardMps(input.trust_score),
          per: "campaign",
          tmobile_daily_cap: tmobileDailyCap(input.trust_score, input.russell_3000),
          daily_cap: null,
        }
      : FIXED[input.kind];
  return { kind: input.kind, ...base, ...overrides };
}

// --- Throttle: GCRA (a token bucket kept as one timestamp), measured in segments ----------

export interface Throttle {
  /** Segments per second. */
  mps: number;
  /** Segments that may go at once after an idle period; at least 1. */
  burst: number;
}

/** GCRA state: the theoretical arrival time (epoch ms) of the next segment. Store it per lane. */
export interface GcraState {
  tat: number;
}

export interface GcraDecision {
  allowed: boolean;
  /** The state to store (unchanged when refused). */
  state: GcraState;
  /** When refused, how long until the same take would be allowed. */
  retry_after_ms: number;
}

const EPSILON_MS = 1e-6;

/** A burst of one second's worth of segments, the usual choice for a lane. */
export function throttleFor(rate: Pick<LaneRate, "mps">): Throttle {
  return { mps: rate.mps, burst: Math.max(1, Math.floor(rate.mps)) };
}

/**
 * Tries to send `segments` at `now` (epoch ms). A message longer than the burst is allowed
 * once the bucket is full, so it is delayed, never starved.
 */
export function gcraTake(
  state: GcraState | null,
  now: number,
  segments: number,
  throttle: Throttle,
): GcraDecision {
  if (!Number.isInteger(segments) || segments < 1)
    throw new RangeError(`segments must be a whole number ≥ 1`);
  if (!(throttle.mps > 0)) throw new RangeError(`a lane's mps must be positive, got ${throttle.mps}`);
  const interval = 1000 / throttle.mps;
  const tat = Math.max(state?.tat ?? now, now);
  const newTat = tat + segments * interval;
  const limit = now + Math.max(throttle.burst, segments) * interval;
  if (newTat <= limit + EPSILON_MS) {
    return { allowed: true, state: { tat: newTat }, retry_after_ms: 0 };
  }
  return { allowed: false, state: { tat }, retry_after_ms: newTat - limit };
}

/** How many segments could be taken at `now` in one go (for a dispatcher filling a batch). */
export function gcraAvailable(state: GcraState | null, now: number, throttle: Throttle): number {
  const interval = 1000 / throttle.mps;
  const backlog = Math.max(0, (state?.tat ?? now) - now);
  return Math.max(0, Math.floor((throttle.burst * interval - backlog) / interval + EPSILON_MS));
}

// --- Daily window: caps reset at midnight Pacific --------------------------------------

export const PACIFIC_TIME_ZONE = "America/Los_Angeles";

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(epochMs: number, timeZone: string): WallClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(epochMs).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in ms (Pacific: -8 h in winter, -7 h in summer). */
function offsetMs(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant local midnight starts the given calendar day (month 1–12; day may overflow). */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  // Two passes settle the offset; midnight is never inside a DST gap in Pacific time (2 a.m.).
  const first = guess - offsetMs(guess, timeZone);
  return guess - offsetMs(first, timeZone);
}

export interface DailyWindow {
  /** Calendar day in the zone, "YYYY-MM-DD": a key for per-day counters. */
  day: string;
  starts_at: Date;
  /** The next reset: the following local midnight. */
  resets_at: Date;
}

export function dailyWindow(instant: Date, timeZone: string = PACIFIC_TIME_ZONE): DailyWindow {
  const w = wallClock(instant.getTime(), timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    day: `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    starts_at: new Date(startOfLocalDay(w.year, w.month, w.day, timeZone)),
    resets_at: new Date(startOfLocalDay(w.year, w.month, w.day + 1, timeZone)),
  };
}

/** The next midnight in the zone strictly after `instant` (an instant at midnight gets the next one). */
export function nextMidnight(instant: Date, timeZone: string = PACIFIC_TIME_ZONE): Date {
  return dailyWindow(instant, timeZone).resets_at;
}

/** When brand daily caps reset (T-Mobile counts its day in Pacific time). */
export function nextPacificMidnight(instant: Date): Date {
  return nextMidnight(instant, PACIFIC_TIME_ZONE);
}
