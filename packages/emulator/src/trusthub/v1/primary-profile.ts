import { ACCOUNTS, type Account } from "../../api/2010/accounts/model.js";
import { TwilioError } from "../../core/errors.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { createBundle } from "./bundles/index.js";
import { createEndUser } from "./end-users.js";
import { assignEntity } from "./bundles/entity-assignments.js";
import { BUNDLES, type Bundle } from "./model.js";
import { POLICY } from "./policy-catalog.js";

const parentOf = (world: World) => world.store.find<Account>(ACCOUNTS, (a) => a.owner_account_sid === a.sid);

export function primaryProfileOf(world: World, accountSid: string) {
  return world.store.find<Bundle>(
    BUNDLES,
    (b) => b.account_sid === accountSid && b.policy_sid === POLICY.PRIMARY,
  );
}

/**
 * The sandbox parent is an ISV whose primary customer profile ("ISV Reseller or Partner") is
 * already approved, as Twilio requires before any secondary or starter profile (sole proprietor
 * walkthrough, prerequisite). It is created once, for the parent only; subaccount bundles assign it
 * by SID.
 */
export function seedPrimaryProfile(world: World) {
  const parent = parentOf(world);
  if (!parent || primaryProfileOf(world, parent.sid)) return;
  const business = createEndUser(world, {
    account_sid: parent.sid,
    friendly_name: "Sandbox ISV business information",
    type: "customer_profile_business_information",
    attributes: {
      business_name: "Subtext Sandbox ISV Inc.",
      business_type: "Corporation",
      business_registration_identifier: "EIN",
      business_registration_number: "84-1234567",
      business_identity: "isv_reseller_or_partner",
      business_industry: "TECHNOLOGY",
      website_url: "https://www.subtext-sandbox.com",
      business_regions_of_operation: "USA_AND_CANADA",
      social_media_profile_urls: "",
    },
  });
  const representative = createEndUser(world, {
    account_sid: parent.sid,
    friendly_name: "Sandbox ISV authorized representative",
    type: "authorized_representative_1",
    attributes: {
      first_name: "Ada",
      last_name: "Sandbox",
      email: "compliance@subtext-sandbox.com",
      phone_number: "+14155550100",
      business_title: "CEO",
      job_position: "CEO",
    },
  });
  const profile = createBundle(world, {
    account_sid: parent.sid,
    kind: "customer_profile",
    policy_sid: POLICY.PRIMARY,
    friendly_name: "Subtext Sandbox ISV (primary customer profile)",
    email: "compliance@subtext-sandbox.com",
    status_callback: null,
    status: "twilio-approved",
  });
  assignEntity(world, profile, business.sid);
  assignEntity(world, profile, representative.sid);
}

export function registerPrimaryProfile(r: Router, world: World) {
  world.onBootstrap(seedPrimaryProfile);
  r.get(
    "/_emulator/trusthub/primary-profile",
    ({ world }) => {
      const parent = parentOf(world);
      const profile = parent && primaryProfileOf(world, parent.sid);
      if (!profile) throw new TwilioError(20404, 404, "The sandbox parent has no primary customer profile");
      return { status: 200, body: { sid: profile.sid, account_sid: profile.account_sid } };
    },
    { public: true },
  );
}
