/**
 * The registry of job kinds and their payloads, checked at compile time: `enqueue()` and the
 * handler `register()`ed for a kind agree on its payload, and an unknown kind does not compile.
 * Each module declares its own kinds beside their registration, by declaration merging:
 *
 *   declare module "../jobs/kinds.js" {
 *     interface JobPayloads {
 *       "webhook.deliver": { delivery_id: string };
 *     }
 *   }
 *
 * A kind that takes no payload declares `Record<string, never>` (enqueued with `{}`). Payloads are
 * stored as JSON, so they hold JSON values only (a Date travels as its ISO string).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by each module's declaration merging
export interface JobPayloads {}

export type JobKindName = keyof JobPayloads & string;
