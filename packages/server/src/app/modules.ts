import type { FastifyInstance } from "fastify";
import { channelsModule } from "../channels/module.js";
import { eventsModule } from "../events/module.js";
import { type AppOptions, buildApp } from "../http/app.js";
import { healthRoutes } from "../http/routes/health.js";
import { systemRoutes } from "../http/routes/system.js";
import { staticRoutes } from "../http/static.js";
import { insightsModule } from "../insights/module.js";
import type { Module, Routes, WorkerLoop } from "../kernel/module.js";
import type { Services } from "../kernel/services.js";
import { messagingModule } from "../messaging/module.js";
import { onboardingModule } from "../onboarding/module.js";
import { sandboxModule } from "../sandbox/module.js";
import { staffModule } from "../staff/module.js";
import { tenancyModule } from "../tenancy/module.js";
import { usageModule } from "../usage/module.js";

/**
 * Every domain module, in route-registration order (which is also the order of /openapi.json's
 * paths). A new module adds one line here; its routes, schemas, jobs and loops stay in its own
 * `module.ts`.
 */
export const MODULES: readonly Module[] = [
  sandboxModule,
  tenancyModule,
  eventsModule,
  usageModule,
  staffModule,
  insightsModule,
  onboardingModule,
  messagingModule,
  channelsModule,
];

/** Job kinds: every process registers all of them; the role decides who runs the polling loop. */
export function registerJobKinds(services: Services): void {
  for (const module of MODULES) module.jobs?.(services);
}

/** HTTP route plugins: the platform's own, each module's, and the dashboard last. */
export function routePlugins(services: Services): Routes[] {
  return [
    healthRoutes(services),
    systemRoutes(services),
    ...MODULES.flatMap((module) => module.routes?.(services) ?? []),
    // Last: the dashboard answers GET paths no route above claimed (SPA fallback).
    staticRoutes(),
  ];
}

/** Shared JSON schemas (with $id) that routes reference and /openapi.json lists as components. */
export function sharedSchemas(): object[] {
  return MODULES.flatMap((module) => module.schemas ?? []);
}

/** Loops beside the job runner in worker processes: started after it, stopped before it. */
export function workerLoops(services: Services): WorkerLoop[] {
  return MODULES.flatMap((module) => module.loops?.(services) ?? []);
}

/** Subtext's HTTP app: every module's routes and schemas (`extraRoutes` for tests). */
export function subtextApp(
  services: Services,
  options: Pick<AppOptions, "extraRoutes" | "bodyLimit"> = {},
): Promise<FastifyInstance> {
  return buildApp(services, { routes: routePlugins(services), schemas: sharedSchemas(), ...options });
}
