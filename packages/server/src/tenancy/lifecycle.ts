import { cancelJob } from "../jobs/queue.js";
import { SubtextError, notFound } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import { twilioCall } from "../twilio/errors.js";
import { PROVISION_TENANT } from "./provision.js";
import {
  type RateLimitChange,
  type TenantRow,
  type TenantStatus,
  findTenant,
  updateTenantRow,
} from "./tenants.js";

/**
 * Status changes a tenant may go through (`from → to`). Suspending or closing a tenant does
 * the same to its Twilio subaccount first; a closed subaccount cannot be reopened (Twilio),
 * so `closed` is final here too. Records are kept.
 */
const TRANSITIONS: Record<TenantStatus, readonly TenantStatus[]> = {
  provisioning: ["closed"],
  active: ["suspended", "closed"],
  suspended: ["active", "closed"],
  closed: [],
};

export function canChangeStatus(from: TenantStatus, to: TenantStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

type Deps = Pick<Services, "db" | "twilio" | "log" | "caches">;

export async function updateTenant(
  deps: Deps,
  id: string,
  change: { name?: string; status?: Exclude<TenantStatus, "provisioning">; rateLimits?: RateLimitChange },
): Promise<TenantRow> {
  const tenant = await findTenant(deps.db, id);
  if (!tenant) throw notFound("tenant", id);
  const to = change.status;
  if (to !== undefined && to !== tenant.status) {
    if (!canChangeStatus(tenant.status, to)) {
      throw new SubtextError(
        tenant.status === "closed" ? "tenant_closed" : "invalid_status_change",
        409,
        `A ${tenant.status} tenant cannot become ${to}.`,
        {
          hint:
            tenant.status === "closed"
              ? "Closing is final (Twilio cannot reopen a closed subaccount); create a new tenant."
              : tenant.status === "provisioning"
                ? "Wait until provisioning completes (GET the tenant), or close it."
                : `Allowed from ${tenant.status}: ${TRANSITIONS[tenant.status].join(", ")}.`,
        },
      );
    }
    if (tenant.status === "provisioning" && !(await cancelJob(deps.db, `${PROVISION_TENANT}:${tenant.id}`))) {
      const fresh = await findTenant(deps.db, id);
      if (fresh?.status === "provisioning") {
        throw new SubtextError("tenant_provisioning", 409, "The tenant is being provisioned right now.", {
          hint: "Try again in a few seconds.",
          retryable: true,
        });
      }
      return updateTenant(deps, id, change);
    }
    if (tenant.subaccount_sid) {
      const sid = tenant.subaccount_sid;
      await twilioCall(`set the subaccount ${to}`, () =>
        deps.twilio.parentClient().api.v2010.accounts(sid).update({ status: to }),
      );
    }
    deps.log.info(
      { event: "tenant.status_changed", tenant_id: id, from: tenant.status, to },
      "tenant status changed",
    );
  }
  const updated = await updateTenantRow(deps.db, id, change);
  // Every process hears it from the change feed; this one acts on the very next request.
  deps.caches.changed("tenant", id);
  return updated;
}
