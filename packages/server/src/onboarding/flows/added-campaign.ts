/**
 * A campaign added to an approved brand (docs/onboarding.md, "Several campaigns"): Twilio takes
 * one A2P campaign per Messaging Service and several campaigns per brand, so each added campaign
 * gets its own service and number (the sender steps) and its own Usa2p (the campaign steps),
 * under the brand its registration already holds. Nothing of the brand is registered again.
 */
import { findRegistration } from "../store.js";
import { type StepDef, done } from "./step.js";

/** Named like the brand's own step: the campaign steps read the brand's SID from it. */
export const brandLinkStep: StepDef = {
  name: "brand.register",
  stage: "brand",
  async run(ctx) {
    const parent = ctx.reg.parent_id ? await findRegistration(ctx.deps.db, ctx.reg.parent_id) : null;
    if (!parent?.brand_sid) throw new Error(`campaign ${ctx.reg.id}: its registration has no brand`);
    return done({ sid: parent.brand_sid, twilioStatus: parent.brand_status });
  },
};
