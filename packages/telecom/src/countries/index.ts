/**
 * Beyond the US: per-country senders, regulatory bundles and messaging rules as cited data, and
 * the pure functions that read them. docs/international.md describes the data.
 */
export * from "./bundles.js";
export * from "./content.js";
export * from "./messaging-rules.js";
export * from "./opt-out.js";
export * from "./pumping.js";
export * from "./quiet-hours.js";
export * from "./sender-options.js";
export * from "./sender-plan.js";
export * from "./sourced.js";
export * from "./time-zones.js";
