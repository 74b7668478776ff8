import { Type } from "../../kernel/schema.js";
import { rolePermissions } from "../../staff/roles.js";
import type { Services } from "../../kernel/services.js";
import type { Principal } from "../auth.js";
import { type Routes, responses } from "../schemas.js";

export function systemRoutes(
  services: Pick<Services, "config" | "db" | "urls" | "version" | "emulatorControlToken">,
): Routes {
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
            200: Type.Object(
              {
                mode: Type.Enum(["sandbox", "live"], { type: "string" }),
                engine: Type.Enum(["pglite", "postgres"], { type: "string" }),
                version: Type.String(),
                emulator_url: Type.Optional(Type.String({ description: "Sandbox mode only" })),
                emulator_control_token: Type.Optional(
                  Type.String({
                    description:
                      "Sandbox mode only, to the admin token and staff who manage tenants: send it as `Authorization: Bearer …` to the emulator's control API (`/_emulator/…`), which lists every subaccount's credentials",
                  }),
                ),
                public_url: Type.Optional(Type.String()),
              },
              { additionalProperties: false },
            ),
          }),
        },
      },
      async (req) => {
        const sandbox = services.config.mode === "sandbox";
        const token =
          sandbox && mayControlEmulator(req.principal) ? services.emulatorControlToken : undefined;
        return {
          mode: services.config.mode,
          engine: services.db.engine,
          version: services.version,
          ...(sandbox && services.urls.emulator ? { emulator_url: services.urls.emulator } : {}),
          ...(token ? { emulator_control_token: token } : {}),
          ...(services.urls.public ? { public_url: services.urls.public } : {}),
        };
      },
    );
  };
}

/**
 * The control token is worth every subaccount's auth token: the admin token, or staff whose
 * role manages tenants (their subaccounts) — not read-only, billing or developer staff.
 */
function mayControlEmulator(principal: Principal | null): boolean {
  if (principal?.kind !== "admin") return false;
  return !principal.staff || rolePermissions(principal.staff.role).manage_tenants;
}
