import { Counter, Histogram, type Registry } from "prom-client";

/** The send path's Prometheus metrics (one set per registry: per process, or per test stack). */
export interface MessagingMetrics {
  accepted: Counter<"path">;
  groupSize: Histogram;
  dispatched: Counter<"result">;
  callbacks: Counter<"kind" | "result">;
}

const sets = new WeakMap<Registry, MessagingMetrics>();

export function messagingMetrics(registry: Registry): MessagingMetrics {
  let m = sets.get(registry);
  if (!m) {
    m = {
      accepted: new Counter({
        name: "subtext_messages_accepted_total",
        help: "Messages accepted by the send API, by path (single, batch)",
        labelNames: ["path"],
        registers: [registry],
      }),
      groupSize: new Histogram({
        name: "subtext_send_group_commit_size",
        help: "Messages per group commit of the single-send path",
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
        registers: [registry],
      }),
      dispatched: new Counter({
        name: "subtext_messages_dispatched_total",
        help: "Calls to Twilio's messages.create, by result (accepted, retry, ambiguous, permanent)",
        labelNames: ["result"],
        registers: [registry],
      }),
      callbacks: new Counter({
        name: "subtext_twilio_message_callbacks_total",
        help: "Twilio message webhooks received, by kind (status, inbound) and result",
        labelNames: ["kind", "result"],
        registers: [registry],
      }),
    };
    sets.set(registry, m);
  }
  return m;
}
