import { findMigrations, pendingMigrations } from "../../db/migrate.js";
import { Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { type Routes, responses } from "../schemas.js";

/** Operations endpoints: liveness, readiness (database reachable, schema migrated), metrics. */
export function healthRoutes(services: Pick<Services, "db" | "metrics">): Routes {
  const known = findMigrations();
  return async (app) => {
    app.get(
      "/healthz",
      {
        config: { auth: "public" },
        schema: {
          tags: ["operations"],
          summary: "Liveness: the process answers",
          response: { 200: Type.Object({ status: Type.Optional(Type.Literal("ok")) }) },
        },
      },
      async () => ({ status: "ok" as const }),
    );

    app.get(
      "/readyz",
      {
        config: { auth: "public" },
        schema: {
          tags: ["operations"],
          summary: "Readiness: the database answers and every migration is applied",
          response: responses(
            {
              200: Type.Object({
                status: Type.Optional(Type.String()),
                checks: Type.Optional(
                  Type.Object({
                    database: Type.Optional(Type.String()),
                    migrations: Type.Optional(Type.String()),
                  }),
                ),
              }),
            },
            [503],
          ),
        },
      },
      async (_req, reply) => {
        let database = "ok";
        let migrations = "ok";
        try {
          const pending = await pendingMigrations(services.db, known);
          if (pending.length > 0) migrations = `pending: ${pending.join(", ")}`;
        } catch (err) {
          database = `unreachable: ${(err as Error).message}`;
          migrations = "unknown";
        }
        if (database !== "ok" || migrations !== "ok") {
          return reply.code(503).send({
            error: {
              code: "not_ready",
              message: "Not ready to serve.",
              hint: "Check the database connection and run `subtext migrate`.",
              details: [{ database, migrations }],
            },
          });
        }
        return { status: "ready", checks: { database, migrations } };
      },
    );

    app.get(
      "/metrics",
      {
        config: { auth: "metrics" },
        schema: { tags: ["operations"], summary: "Prometheus metrics", hide: true },
      },
      async (_req, reply) => {
        reply.type(services.metrics.contentType);
        return services.metrics.metrics();
      },
    );
  };
}
