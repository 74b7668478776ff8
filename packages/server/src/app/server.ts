import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { subtextApp, workerLoops } from "./modules.js";
import type { Runtime } from "./runtime.js";

export type Role = "all" | "api" | "worker";

export interface RunningServer {
  app: FastifyInstance | null;
  /** The API's URL when this process serves HTTP. */
  url: string | null;
  close(): Promise<void>;
}

/** Serves the API (roles all/api) and runs the job loop (roles all/worker). */
export async function startServer(runtime: Runtime, role: Role = "all"): Promise<RunningServer> {
  const { services } = runtime;
  const { config } = services;
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (role !== "worker") {
    app = await subtextApp(services);
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await app.close();
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new Error(`port ${config.port} is taken; set PORT to a free port`);
      }
      throw err;
    }
    const { port } = app.server.address() as AddressInfo;
    const host = ["0.0.0.0", "::", "localhost"].includes(config.host) ? "127.0.0.1" : config.host;
    url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    services.urls.api = url;
    services.urls.public ??= url;
  }
  const loops = role !== "api" ? workerLoops(services) : [];
  if (role !== "api") services.jobs.start();
  for (const loop of loops) await loop.start();
  // Sandbox: when the shared clock jumps (this API, `subtext sandbox advance`, the emulator's
  // own control API), what became due runs now rather than at the next poll.
  const unsubscribe =
    role !== "api"
      ? services.sandboxClock?.onJump(() => {
          services.jobs.wake();
          for (const loop of loops) loop.wake();
        })
      : undefined;
  return {
    app,
    url,
    async close() {
      unsubscribe?.();
      for (const loop of loops) await loop.stop();
      await services.jobs.stop();
      await app?.close();
    },
  };
}
