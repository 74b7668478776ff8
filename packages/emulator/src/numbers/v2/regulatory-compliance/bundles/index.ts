import { TwilioError } from "../../../../core/errors.js";
import { pageV1 } from "../../../../core/paging.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import type { World } from "../../../../world.js";
import { NUMBERS_V2, findRegulations, regulationBySid } from "../catalog.js";
import {
  RC_BUNDLES,
  RC_BUNDLE_STATUSES,
  RC_EVALUATIONS,
  RC_ITEM_ASSIGNMENTS,
  type RcBundle,
  type RcBundleStatus,
  ownRcBundle,
  renderRcBundle,
} from "../model.js";
import { registerRcEvaluations } from "./evaluations.js";
import { registerRcItemAssignments } from "./item-assignments.js";
import { RC_IN_REVIEW, RC_REVIEW, redraftRcBundle, registerRcReview, submitRcBundle } from "./review.js";

/** The regulation a new bundle follows: RegulationSid, or the one IsoCountry/NumberType/EndUserType name. */
function regulationFor(input: { str(name: string): string | undefined }) {
  const sid = input.str("RegulationSid");
  if (sid) {
    const found = regulationBySid(sid);
    if (!found)
      throw new TwilioError(20001, 400, `Invalid parameter RegulationSid: unknown regulation ${sid}`);
    return found;
  }
  const iso = input.str("IsoCountry");
  const type = input.str("NumberType");
  const kind = input.str("EndUserType");
  if (!iso || !type || !kind)
    throw new TwilioError(
      20001,
      400,
      "Either RegulationSid, or IsoCountry, NumberType and EndUserType, are required",
    );
  const [found] = findRegulations({ iso, type, kind });
  if (!found)
    throw new TwilioError(
      20001,
      400,
      `No regulation for ${type} numbers of ${iso.toUpperCase()} held by ${kind === "business" ? "a business" : "an individual"}: such numbers need no bundle, or cannot be held by this end-user type`,
    );
  return found;
}

/**
 * Status changes a client may ask for: pending-review (submit, from draft or after a
 * rejection) and draft (back to editing after a rejection). Twilio sets every other status.
 */
function requestStatus(world: World, b: RcBundle, status: RcBundleStatus): RcBundle {
  if (status === "pending-review") return submitRcBundle(world, b);
  if (status === "draft" && (b.status === "twilio-rejected" || b.status === "draft"))
    return redraftRcBundle(world, b);
  throw new TwilioError(
    20001,
    400,
    `Invalid parameter Status: a ${b.status} bundle cannot be set to ${status}`,
  );
}

function registerBundleRoutes(r: Router) {
  const base = "/numbers/v2/RegulatoryCompliance/Bundles";

  r.post(base, ({ world, account, input }) => {
    const friendlyName = input.required("FriendlyName");
    const email = input.required("Email");
    const regulation = regulationFor(input);
    const callback = input.str("StatusCallback") || null;
    if (callback && !/^https?:\/\//i.test(callback))
      throw new TwilioError(20001, 400, `Invalid parameter StatusCallback: ${callback}`);
    const now = world.clock.now();
    const b = world.store.put<RcBundle>(RC_BUNDLES, {
      sid: newSid("BU"),
      account_sid: account.sid,
      regulation_sid: regulation.sid,
      friendly_name: friendlyName,
      email,
      status_callback: callback,
      status: "draft",
      valid_until: null,
      failure_reason: null,
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: renderRcBundle(b) };
  });

  r.get(base, ({ world, account, input }) => {
    const status = input.str("Status");
    const name = input.str("FriendlyName");
    const regulations = ["RegulationSid", "IsoCountry", "NumberType", "EndUserType"].some((k) => input.has(k))
      ? new Set(
          findRegulations({
            iso: input.str("IsoCountry"),
            type: input.str("NumberType"),
            kind: input.str("EndUserType"),
          })
            .map((x) => x.sid)
            .filter((sid) => !input.str("RegulationSid") || sid === input.str("RegulationSid")),
        )
      : null;
    const items = world.store
      .list<RcBundle>(
        RC_BUNDLES,
        (b) =>
          b.account_sid === account.sid &&
          (!status || b.status === status) &&
          (!name || b.friendly_name === name) &&
          (!regulations || regulations.has(b.regulation_sid)),
      )
      .map(renderRcBundle);
    return { status: 200, body: pageV1(items, "results", `${NUMBERS_V2}/Bundles`, input) };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: renderRcBundle(ownRcBundle(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
    const b = ownRcBundle(world, account.sid, params.Sid);
    const status = input.str("Status");
    const edits = ["FriendlyName", "Email", "StatusCallback"].filter((k) => input.has(k));
    if (status !== undefined) {
      if (edits.length)
        throw new TwilioError(
          22204,
          400,
          "Bundle status and properties cannot be updated in the same request",
        );
      if (!RC_BUNDLE_STATUSES.includes(status as RcBundleStatus))
        throw new TwilioError(22203, 400, `Unable to parse bundle status ${status}`);
      return { status: 200, body: renderRcBundle(requestStatus(world, b, status as RcBundleStatus)) };
    }
    const updated = world.store.patch<RcBundle>(RC_BUNDLES, b.sid, {
      friendly_name: input.str("FriendlyName") ?? b.friendly_name,
      email: input.str("Email") ?? b.email,
      status_callback: input.has("StatusCallback") ? input.str("StatusCallback") || null : b.status_callback,
      date_updated: world.clock.now(),
    })!;
    return { status: 200, body: renderRcBundle(updated) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownRcBundle(world, account.sid, params.Sid);
    world.scheduler.cancel(
      (job) => (job.kind === RC_REVIEW || job.kind === RC_IN_REVIEW) && job.data.sid === b.sid,
    );
    for (const collection of [RC_ITEM_ASSIGNMENTS, RC_EVALUATIONS])
      for (const doc of world.store.list<{ sid: string; bundle_sid: string }>(
        collection,
        (d) => d.bundle_sid === b.sid,
      ))
        world.store.delete(collection, doc.sid);
    world.store.delete(RC_BUNDLES, b.sid);
    return { status: 204 };
  });
}

/**
 * Regulatory bundles (https://www.twilio.com/docs/phone-numbers/regulatory/api/bundles), with
 * their ItemAssignments, Evaluations and review.
 */
export function registerRcBundles(r: Router, world: World) {
  registerBundleRoutes(r);
  registerRcItemAssignments(r);
  registerRcEvaluations(r);
  registerRcReview(world);
}
