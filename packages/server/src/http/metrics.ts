import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per process (or per test stack): HTTP, jobs, and whatever modules add. */
export function createMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function jobsCounter(registry: Registry): Counter<"kind" | "outcome"> {
  return (
    (registry.getSingleMetric("subtext_jobs_total") as Counter<"kind" | "outcome"> | undefined) ??
    new Counter({
      name: "subtext_jobs_total",
      help: "Jobs run, by kind and outcome",
      labelNames: ["kind", "outcome"],
      registers: [registry],
    })
  );
}

export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const existing = registry.getSingleMetric("http_request_duration_seconds");
  const histogram =
    (existing as Histogram<"method" | "route" | "status_code"> | undefined) ??
    new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP requests by method, route and status",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  app.addHook("onResponse", async (req, reply) => {
    // Route templates, not raw URLs, keep the label set small.
    const route = req.routeOptions.url ?? "unmatched";
    histogram.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
