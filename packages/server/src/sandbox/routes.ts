/**
 * The sandbox clock over HTTP: read it, and move it (with the emulator's) forward. Sandbox mode
 * only; in live mode time is real and these answer 409 `sandbox_only`.
 */
import { type Routes, responses } from "../http/schemas.js";
import { SubtextError } from "../kernel/errors.js";
import { Type } from "../kernel/schema.js";
import type { Services } from "../kernel/services.js";
import { MAX_ADVANCE_SECONDS, parseDuration } from "./duration.js";

type Deps = Pick<Services, "config" | "clock" | "sandboxClock" | "log">;

const ClockView = Type.Object(
  {
    now: Type.String({
      format: "date-time",
      description: "Sandbox time: what Subtext and the emulator take as now",
    }),
    offset_seconds: Type.Integer({ description: "How far sandbox time is ahead of real time" }),
    shared_with_emulator: Type.Boolean({
      description: "Whether this clock is the emulator's (false only in tests that drive a clock by hand)",
    }),
  },
  { additionalProperties: false },
);

function view(deps: Deps) {
  const now = deps.clock.now();
  return {
    now: now.toISOString(),
    offset_seconds: Math.round((now.getTime() - Date.now()) / 1000),
    shared_with_emulator: deps.sandboxClock !== undefined,
  };
}

function sandboxOnly(deps: Deps): void {
  if (deps.config.mode === "sandbox") return;
  throw new SubtextError("sandbox_only", 409, "Only a sandbox has a clock to move.", {
    hint: "This deployment runs in live mode against Twilio, on real time.",
  });
}

export function sandboxRoutes(deps: Deps): Routes {
  return async (app) => {
    app.get(
      "/v1/sandbox/clock",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["system"],
          summary: "Sandbox time, shared by Subtext and the emulator",
          security: [{ bearer: [] }],
          response: responses({ 200: ClockView }, [401, 403, 409]),
        },
      },
      async () => {
        sandboxOnly(deps);
        return view(deps);
      },
    );

    app.post(
      "/v1/sandbox/clock/advance",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["system"],
          summary: "Move sandbox time forward (Subtext's and the emulator's together)",
          description:
            "The emulator first runs its work that falls due on the way (reviews, OTP expiries, message transitions) and answers; then Subtext runs its own due work at once (registration steps, reminders, retries, scheduled messages). Work that starts after the jump waits in the new time, so advance in steps to watch a flow unfold.",
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              // A type list (not anyOf), as the document has always shown it: only Unsafe says that.
              by: Type.Unsafe<string | number>({
                type: ["string", "number"],
                description: `Seconds, or a duration: \`90s\`, \`15m\`, \`2h\`, \`3d\`, \`1w\`, \`1d12h\` (at most ${MAX_ADVANCE_SECONDS / 86_400} days)`,
                examples: ["3d", 600],
              }),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: ClockView }, [400, 401, 403, 409, 422, 503]),
        },
      },
      async (req) => {
        sandboxOnly(deps);
        const parsed = parseDuration(req.body.by);
        if ("problem" in parsed) {
          throw new SubtextError("invalid_duration", 422, "The duration is not valid.", {
            hint: parsed.problem,
            details: [{ path: "/by", code: "invalid_duration", message: parsed.problem }],
          });
        }
        if (!deps.sandboxClock) {
          throw new SubtextError(
            "sandbox_clock_unavailable",
            409,
            "This process's clock is not shared with an emulator.",
            { hint: "Only a sandbox started with its emulator (`subtext start`) has a clock to move." },
          );
        }
        try {
          await deps.sandboxClock.advance(parsed.seconds);
        } catch (err) {
          deps.log.warn(
            { event: "sandbox_clock.advance_failed", err },
            "advancing the emulator's clock failed",
          );
          throw new SubtextError("emulator_unavailable", 503, "The emulator did not move its clock.", {
            hint: "Check that the emulator is running (see GET /v1/system for its URL), then try again.",
            cause: err,
          });
        }
        deps.log.info({ event: "sandbox_clock.advanced", seconds: parsed.seconds }, "sandbox clock advanced");
        return view(deps);
      },
    );
  };
}
