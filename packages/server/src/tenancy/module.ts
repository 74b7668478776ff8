import type { Module } from "../kernel/module.js";
import { registerTenantJobs } from "./provision.js";
import { ApiKeySchema, apiKeyRoutes } from "./routes/api-keys.js";
import { TenantSchema, tenantRoutes } from "./routes/tenants.js";

/** Tenants (one Twilio subaccount each), their API keys and credentials. */
export const tenancyModule: Module = {
  name: "tenancy",
  routes: (services) => [tenantRoutes(services), apiKeyRoutes(services)],
  schemas: [TenantSchema, ApiKeySchema],
  jobs: registerTenantJobs,
};
