import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../../system/services.js";
import { responses } from "../schemas.js";

export function systemRoutes(
  services: Pick<Services, "config" | "db" | "urls" | "version">,
): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/system",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["system"],
          summary: "How this deployment runs: mode, storage engine, version",
          security: [{ bearer: [] }],
          response: responses({
            200: {
              type: "object",
              required: ["mode", "engine", "version"],
              additionalProperties: false,
              properties: {
                mode: { type: "string", enum: ["sandbox", "live"] },
                engine: { type: "string", enum: ["pglite", "postgres"] },
                version: { type: "string" },
                emulator_url: { type: "string", description: "Sandbox mode only" },
                public_url: { type: "string" },
              },
            },
          }),
        },
      },
      async () => ({
        mode: services.config.mode,
        engine: services.db.engine,
        version: services.version,
        ...(services.config.mode === "sandbox" && services.urls.emulator
          ? { emulator_url: services.urls.emulator }
          : {}),
        ...(services.urls.public ? { public_url: services.urls.public } : {}),
      }),
    );
  };
}
