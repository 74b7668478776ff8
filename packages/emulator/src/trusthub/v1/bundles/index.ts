import { TwilioError } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  BUNDLES,
  BUNDLE_STATUSES,
  type Bundle,
  type BundleKind,
  type BundleStatus,
  CHANNEL_ENDPOINT_ASSIGNMENTS,
  ENTITY_ASSIGNMENTS,
  EVALUATIONS,
  KINDS,
  TRUSTHUB,
  ownBundle,
  renderBundle,
} from "../model.js";
import { policyOf } from "../policy-catalog.js";
import { registerChannelEndpointAssignments } from "./channel-endpoint-assignments.js";
import { registerEntityAssignments } from "./entity-assignments.js";
import { registerEvaluations } from "./evaluations.js";
import { BUNDLE_RESOLVED, BUNDLE_REVIEW, registerBundleReview, submitBundle } from "./review.js";

export function createBundle(
  world: World,
  fields: Pick<
    Bundle,
    "account_sid" | "kind" | "policy_sid" | "friendly_name" | "email" | "status_callback"
  > &
    Partial<Bundle>,
): Bundle {
  const now = world.clock.now();
  return world.store.put<Bundle>(BUNDLES, {
    sid: newSid("BU"),
    status: "draft",
    valid_until: null,
    errors: null,
    failure_reason: null,
    date_created: now,
    date_updated: now,
    ...fields,
  });
}

function deleteBundle(world: World, b: Bundle) {
  world.scheduler.cancel((job) => job.kind === BUNDLE_REVIEW && job.data.sid === b.sid);
  // Brands waiting on this bundle re-check it (and fail: it no longer exists).
  world.scheduler.at(world.clock.now(), BUNDLE_RESOLVED, { sid: b.sid });
  for (const collection of [ENTITY_ASSIGNMENTS, EVALUATIONS, CHANNEL_ENDPOINT_ASSIGNMENTS]) {
    for (const doc of world.store.list<{ sid: string; bundle_sid: string }>(
      collection,
      (d) => d.bundle_sid === b.sid,
    ))
      world.store.delete(collection, doc.sid);
  }
  world.store.delete(BUNDLES, b.sid);
}

/**
 * Status changes a client may ask for: pending-review (submit, from draft or after a rejection)
 * and draft (back to editing after a rejection). Twilio sets every other status itself.
 */
function requestStatus(world: World, b: Bundle, status: BundleStatus): Bundle {
  if (status === "pending-review") return submitBundle(world, b);
  if (status === "draft" && (b.status === "twilio-rejected" || b.status === "draft"))
    return world.store.patch<Bundle>(BUNDLES, b.sid, { status: "draft", date_updated: world.clock.now() })!;
  throw new TwilioError(
    20001,
    400,
    `Invalid parameter Status: a ${b.status} bundle cannot be set to ${status}`,
  );
}

function registerBundleRoutes(r: Router) {
  for (const kind of Object.keys(KINDS) as BundleKind[]) {
    const { path } = KINDS[kind];
    const base = `/trusthub/v1/${path}`;

    r.post(base, ({ world, account, input }) => {
      const friendlyName = input.required("FriendlyName");
      const email = input.required("Email");
      const policySid = input.required("PolicySid");
      const policy = policyOf(policySid);
      if (!policy || policy.kind !== kind)
        throw new TwilioError(
          20001,
          400,
          `Invalid parameter PolicySid: ${policySid} is not a ${path} policy`,
        );
      const b = createBundle(world, {
        account_sid: account.sid,
        kind,
        policy_sid: policySid,
        friendly_name: friendlyName,
        email,
        status_callback: input.str("StatusCallback") ?? null,
      });
      return { status: 201, body: renderBundle(b) };
    });

    r.get(base, ({ world, account, input }) => {
      const status = input.str("Status");
      const name = input.str("FriendlyName");
      const policySid = input.str("PolicySid");
      const items = world.store
        .list<Bundle>(
          BUNDLES,
          (b) =>
            b.account_sid === account.sid &&
            b.kind === kind &&
            (!status || b.status === status) &&
            (!name || b.friendly_name === name) &&
            (!policySid || b.policy_sid === policySid),
        )
        .map(renderBundle);
      return { status: 200, body: pageV1(items, "results", `${TRUSTHUB}/${path}`, input) };
    });

    r.get(`${base}/:Sid`, ({ world, account, params }) => ({
      status: 200,
      body: renderBundle(ownBundle(world, account.sid, kind, params.Sid)),
    }));

    r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
      const b = ownBundle(world, account.sid, kind, params.Sid);
      const status = input.str("Status");
      const edits = ["FriendlyName", "Email", "StatusCallback"].filter((k) => input.has(k));
      if (status !== undefined) {
        if (edits.length)
          throw new TwilioError(
            22204,
            400,
            "Bundle status and properties cannot be updated in the same request",
          );
        if (!BUNDLE_STATUSES.includes(status as BundleStatus))
          throw new TwilioError(22203, 400, `Unable to parse bundle status ${status}`);
        return { status: 200, body: renderBundle(requestStatus(world, b, status as BundleStatus)) };
      }
      const updated = world.store.patch<Bundle>(BUNDLES, b.sid, {
        friendly_name: input.str("FriendlyName") ?? b.friendly_name,
        email: input.str("Email") ?? b.email,
        status_callback: input.has("StatusCallback")
          ? input.str("StatusCallback") || null
          : b.status_callback,
        date_updated: world.clock.now(),
      })!;
      return { status: 200, body: renderBundle(updated) };
    });

    r.delete(`${base}/:Sid`, ({ world, account, params }) => {
      deleteBundle(world, ownBundle(world, account.sid, kind, params.Sid));
      return { status: 204 };
    });
  }
}

/**
 * CustomerProfiles and TrustProducts: Twilio's two kinds of bundle (BU…) share every route and
 * subresource (EntityAssignments, ChannelEndpointAssignments, Evaluations) and differ only in
 * path and field names (KINDS in ../model.ts), so each file here serves both.
 */
export function registerBundles(r: Router, world: World) {
  registerBundleRoutes(r);
  registerEntityAssignments(r);
  registerChannelEndpointAssignments(r);
  registerEvaluations(r);
  registerBundleReview(world);
}
