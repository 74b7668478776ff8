/** The public shape of a drift row (GET /v1/usage/drift, the `usage.drift` event) and its schema. */
import { Nullable, Type } from "../kernel/schema.js";
import { DRIFT_CATEGORY_NAMES } from "./drift-compare.js";
import type { DriftRow } from "./drift-store.js";
import { fromMicros, toMicros } from "./prices.js";

export function driftView(r: DriftRow) {
  return {
    id: r.id,
    object: "usage_drift" as const,
    tenant_id: r.tenant_id,
    day: r.day,
    category: r.category,
    unit: r.unit,
    subtext: { count: r.subtext_count, cost: r.subtext_cost },
    twilio: { count: r.twilio_count, price: r.twilio_price },
    difference: {
      count: r.subtext_count - r.twilio_count,
      price: fromMicros(toMicros(r.subtext_cost) - toMicros(r.twilio_price)),
    },
    reasons: r.reasons,
    state: r.state,
    detected_at: r.detected_at.toISOString(),
    checked_at: r.checked_at.toISOString(),
    resolved_at: r.resolved_at?.toISOString() ?? null,
    event_id: r.event_id,
  };
}

const usd = (description: string) => Type.String({ description, examples: ["0.0158"] });

export const UsageDriftSchema = Type.Object(
  {
    id: Type.String({ examples: ["udr_01JC0000000000000000000000"] }),
    object: Type.Enum(["usage_drift"], { type: "string" }),
    tenant_id: Type.String(),
    day: Type.String({ description: "The UTC day, YYYY-MM-DD", examples: ["2030-01-31"] }),
    category: Type.Enum(DRIFT_CATEGORY_NAMES, {
      type: "string",
      description: "Twilio's usage category",
    }),
    unit: Type.Enum(["segments", "messages"], {
      type: "string",
      description: "What both counts are in: segments for SMS, messages for MMS",
    }),
    subtext: Type.Object({
      count: Type.Integer({ description: "What Subtext metered" }),
      cost: usd("USD, Subtext's metered cost (its price table)"),
    }),
    twilio: Type.Object({
      count: Type.Integer({ description: "What Twilio's usage record says" }),
      price: usd("USD, Twilio's price"),
    }),
    difference: Type.Object({
      count: Type.Integer({ description: "Subtext minus Twilio" }),
      price: usd("USD, Subtext's cost minus Twilio's price"),
    }),
    reasons: Type.Array(Type.Enum(["count", "price"], { type: "string" }), {
      description:
        "What differs: the count, the price beyond the tolerance, or both (a resolved row keeps the last difference found)",
    }),
    state: Type.Enum(["open", "resolved"], { type: "string" }),
    detected_at: Type.String({ format: "date-time" }),
    checked_at: Type.String({ format: "date-time", description: "The last check that compared it" }),
    resolved_at: Nullable(Type.String({ format: "date-time" })),
    event_id: Nullable(Type.String({ description: "The usage.drift event that announced it" })),
  },
  { $id: "UsageDrift" },
);
