import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "./services.js";

/** A module's routes: a Fastify plugin whose request types come from its TypeBox schemas. */
export type Routes = FastifyPluginAsyncTypebox;
/** The Fastify instance a `Routes` plugin registers on. */
export type RoutesApp = Parameters<Routes>[0];

/** A loop that runs beside the job runner in worker processes (roles all and worker). */
export interface WorkerLoop {
  start(): Promise<void>;
  /** Drains its work in flight. */
  stop(): Promise<void>;
  /** Looks for work now (the sandbox clock jumped). */
  wake(): void;
}

/**
 * What a domain module gives the app. The composition root (app/modules.ts) lists modules;
 * a module adds a route, a job kind or a schema in its own `module.ts`, never in the root.
 * SQL migrations need no entry: each module's `migrations/` folder is found by the migrator.
 */
export interface Module {
  readonly name: string;
  /** HTTP route plugins, registered in this order. */
  routes?(services: Services): Routes[];
  /** JSON schemas with an `$id` that routes reference; /openapi.json lists them as components. */
  readonly schemas?: readonly object[];
  /** Job kinds: every process registers them all; the role decides who polls. */
  jobs?(services: Services): void;
  loops?(services: Services): WorkerLoop[];
}
