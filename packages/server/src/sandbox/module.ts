import type { Module } from "../kernel/module.js";
import { sandboxRoutes } from "./routes.js";

/** The sandbox clock, shared with the emulator. */
export const sandboxModule: Module = {
  name: "sandbox",
  routes: (services) => [sandboxRoutes(services)],
};
