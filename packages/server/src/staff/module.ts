import type { Module } from "../kernel/module.js";
import { authRoutes } from "./routes/auth.js";
import { STAFF_SCHEMAS, staffUserRoutes } from "./routes/users.js";

/** Staff accounts and sign-in: /v1/auth and /v1/staff. */
export const staffModule: Module = {
  name: "staff",
  routes: (services) => [authRoutes(services), staffUserRoutes(services)],
  schemas: STAFF_SCHEMAS,
};
