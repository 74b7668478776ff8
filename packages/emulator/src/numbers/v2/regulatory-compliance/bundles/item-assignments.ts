import { iso } from "../../../../core/dates.js";
import { TwilioError, notFound } from "../../../../core/errors.js";
import { pageV1 } from "../../../../core/paging.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import type { World } from "../../../../world.js";
import {
  RC_DOCUMENTS,
  RC_END_USERS,
  RC_ITEM_ASSIGNMENTS,
  type RcBundle,
  type RcItem,
  type RcItemAssignment,
  bundleUrl,
  ownRcBundle,
} from "../model.js";

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/item-assignments */
function render(a: RcItemAssignment) {
  return {
    sid: a.sid,
    bundle_sid: a.bundle_sid,
    account_sid: a.account_sid,
    object_sid: a.object_sid,
    date_created: iso(a.date_created),
    url: `${bundleUrl(a.bundle_sid)}/ItemAssignments/${a.sid}`,
  };
}

/** Items change only while the bundle is a draft or after a rejection (to fix it). */
function editable(b: RcBundle) {
  if (b.status !== "draft" && b.status !== "twilio-rejected")
    throw new TwilioError(20001, 400, `Bundle ${b.sid} is ${b.status}: its items cannot change`);
}

function own(world: World, b: RcBundle, sid: string) {
  const a = world.store.get<RcItemAssignment>(RC_ITEM_ASSIGNMENTS, sid);
  if (!a || a.bundle_sid !== b.sid) throw notFound(`ItemAssignment ${sid}`);
  return a;
}

export function registerRcItemAssignments(r: Router) {
  const base = "/numbers/v2/RegulatoryCompliance/Bundles/:BundleSid/ItemAssignments";

  r.post(base, ({ world, account, params, input }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    editable(b);
    const objectSid = input.required("ObjectSid");
    const item =
      world.store.get<RcItem>(RC_END_USERS, objectSid) ?? world.store.get<RcItem>(RC_DOCUMENTS, objectSid);
    if (!item || item.account_sid !== account.sid)
      throw new TwilioError(
        20001,
        400,
        `Invalid parameter ObjectSid: ${objectSid} is not an end user or supporting document of this account`,
      );
    if (
      world.store.find<RcItemAssignment>(
        RC_ITEM_ASSIGNMENTS,
        (a) => a.bundle_sid === b.sid && a.object_sid === objectSid,
      )
    )
      throw new TwilioError(20001, 400, `${objectSid} is already assigned to bundle ${b.sid}`);
    const a = world.store.put<RcItemAssignment>(RC_ITEM_ASSIGNMENTS, {
      sid: newSid("BV"),
      bundle_sid: b.sid,
      account_sid: account.sid,
      object_sid: objectSid,
      date_created: world.clock.now(),
    });
    return { status: 201, body: render(a) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    const items = world.store
      .list<RcItemAssignment>(RC_ITEM_ASSIGNMENTS, (a) => a.bundle_sid === b.sid)
      .map(render);
    return { status: 200, body: pageV1(items, "results", `${bundleUrl(b.sid)}/ItemAssignments`, input) };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    return { status: 200, body: render(own(world, b, params.Sid)) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    editable(b);
    world.store.delete(RC_ITEM_ASSIGNMENTS, own(world, b, params.Sid).sid);
    return { status: 204 };
  });
}
