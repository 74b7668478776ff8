/**
 * `registration.updated` (docs/onboarding.md): one event per state change and per OTP warning,
 * emitted in the transaction that made the change, ordered per registration.
 */
import type { Queryable } from "../db/db.js";
import { emitEvent } from "../events/emit.js";
import type { RegistrationRow } from "./store.js";
import { registrationEta } from "./timeline.js";

export async function emitRegistrationUpdated(
  q: Queryable,
  reg: RegistrationRow,
  extra: {
    previous_state?: string;
    event?: string;
    otp_warning?: string;
    trust_score?: number | null;
    previous_kind?: string;
    vetting?: Record<string, unknown>;
  } = {},
): Promise<void> {
  await emitEvent(q, {
    tenantId: reg.tenant_id,
    type: "registration.updated",
    // A brand's registration and its added campaigns share one order.
    orderingKey: reg.parent_id ?? reg.id,
    data: {
      registration_id: reg.parent_id ?? reg.id,
      // An added campaign's change: which one (`state` is then the campaign's).
      ...(reg.parent_id
        ? {
            campaign_id: reg.id,
            use_case: (reg.document as { campaign?: { use_case?: string } }).campaign?.use_case ?? null,
          }
        : {}),
      kind: reg.kind,
      state: reg.state,
      ...extra,
      failure: reg.failure,
      eta: registrationEta(reg),
      brand_status: reg.brand_status,
      campaign_status: reg.campaign_status,
      tollfree_status: reg.tollfree_status,
    },
  });
}
