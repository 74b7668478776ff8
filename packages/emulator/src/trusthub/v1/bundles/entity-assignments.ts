import type { Account } from "../../../api/2010/accounts/model.js";
import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  BUNDLES,
  type Bundle,
  type BundleKind,
  ENTITY_ASSIGNMENTS,
  END_USERS,
  type EntityAssignment,
  KINDS,
  SUPPORTING_DOCUMENTS,
  assignmentsOf,
  bundleUrl,
  ownBundle,
} from "../model.js";
import { POLICY, PROFILE_TYPE } from "../policy-catalog.js";

/**
 * An object a bundle may hold: the account's own end users, documents and bundles, plus the
 * parent's primary customer profile (the ISV's), which Twilio lets subaccount bundles reference.
 */
function assignable(world: World, account: Account, bundle: Bundle, objectSid: string): { type: string } {
  if (objectSid === bundle.sid) throw new TwilioError(20001, 400, "A bundle cannot be assigned to itself");
  const prefix = objectSid.slice(0, 2);
  if (prefix === "IT" || prefix === "RD") {
    const doc = world.store.get<{ sid: string; account_sid: string; type: string }>(
      prefix === "IT" ? END_USERS : SUPPORTING_DOCUMENTS,
      objectSid,
    );
    if (!doc || doc.account_sid !== account.sid) throw notFound(`Object ${objectSid}`);
    return { type: doc.type };
  }
  if (prefix === "BU") {
    const other = world.store.get<Bundle>(BUNDLES, objectSid);
    const parentPrimary =
      other?.account_sid === account.owner_account_sid && other.policy_sid === POLICY.PRIMARY;
    if (!other || (other.account_sid !== account.sid && !parentPrimary))
      throw notFound(`Object ${objectSid}`);
    return { type: PROFILE_TYPE[other.policy_sid] ?? other.kind };
  }
  throw new TwilioError(
    20001,
    400,
    `Invalid parameter ObjectSid: ${objectSid} is not an end user, document or bundle`,
  );
}

function objectType(world: World, objectSid: string): string {
  const prefix = objectSid.slice(0, 2);
  if (prefix === "IT")
    return world.store.get<{ sid: string; type: string }>(END_USERS, objectSid)?.type ?? "";
  if (prefix === "RD")
    return world.store.get<{ sid: string; type: string }>(SUPPORTING_DOCUMENTS, objectSid)?.type ?? "";
  const b = world.store.get<Bundle>(BUNDLES, objectSid);
  return b ? (PROFILE_TYPE[b.policy_sid] ?? b.kind) : "";
}

const CATEGORY: Record<string, string> = {
  IT: "end_user",
  RD: "supporting_document",
  BU: "customer_profile",
};

/** Assignments change only while the bundle is being prepared: in draft or after a rejection. */
function requireEditable(b: Bundle) {
  if (b.status !== "draft" && b.status !== "twilio-rejected")
    throw new TwilioError(20001, 400, `Bundle ${b.sid} is ${b.status}: its assignments cannot change`);
}

export function assignEntity(world: World, b: Bundle, objectSid: string): EntityAssignment {
  return world.store.put<EntityAssignment>(ENTITY_ASSIGNMENTS, {
    sid: newSid("BV"),
    bundle_sid: b.sid,
    account_sid: b.account_sid,
    object_sid: objectSid,
    date_created: world.clock.now(),
  });
}

function renderEntity(a: EntityAssignment, kind: BundleKind) {
  return {
    sid: a.sid,
    [KINDS[kind].sidField]: a.bundle_sid,
    account_sid: a.account_sid,
    object_sid: a.object_sid,
    date_created: iso(a.date_created),
    url: `${bundleUrl({ sid: a.bundle_sid, kind })}/EntityAssignments/${a.sid}`,
  };
}

function registerKind(r: Router, kind: BundleKind) {
  const base = `/trusthub/v1/${KINDS[kind].path}/:BundleSid/EntityAssignments`;
  const one = (world: World, b: Bundle, sid: string) => {
    const a = world.store.get<EntityAssignment>(ENTITY_ASSIGNMENTS, sid);
    if (!a || a.bundle_sid !== b.sid) throw notFound(`EntityAssignment ${sid}`);
    return a;
  };

  r.post(base, ({ world, account, params, input }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    const objectSid = input.required("ObjectSid");
    requireEditable(b);
    assignable(world, account, b, objectSid);
    if (assignmentsOf(world, b.sid).some((a) => a.object_sid === objectSid))
      throw new TwilioError(20001, 400, `${objectSid} is already assigned to ${b.sid}`);
    return { status: 201, body: renderEntity(assignEntity(world, b, objectSid), kind) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    const wanted = input.str("ObjectType");
    const items = assignmentsOf(world, b.sid)
      .filter(
        (a) =>
          !wanted ||
          objectType(world, a.object_sid) === wanted ||
          CATEGORY[a.object_sid.slice(0, 2)] === wanted,
      )
      .map((a) => renderEntity(a, kind));
    return { status: 200, body: pageV1(items, "results", `${bundleUrl(b)}/EntityAssignments`, input) };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    return { status: 200, body: renderEntity(one(world, b, params.Sid), kind) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    const a = one(world, b, params.Sid);
    requireEditable(b);
    world.store.delete(ENTITY_ASSIGNMENTS, a.sid);
    return { status: 204 };
  });
}

export function registerEntityAssignments(r: Router) {
  for (const kind of Object.keys(KINDS) as BundleKind[]) registerKind(r, kind);
}
