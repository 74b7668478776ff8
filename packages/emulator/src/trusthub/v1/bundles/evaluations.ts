import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { addressSidsOf, evaluate } from "./evaluate.js";
import {
  BUNDLES,
  type Bundle,
  type BundleKind,
  END_USERS,
  EVALUATIONS,
  type EndUser,
  type Evaluation,
  KINDS,
  SUPPORTING_DOCUMENTS,
  type SupportingDocument,
  assignmentsOf,
  bundleUrl,
  ownBundle,
} from "../model.js";
import { policyOf } from "../policy-catalog.js";

export const ADDRESSES = "addresses";

export interface AddressDoc {
  sid: string;
  account_sid: string;
  iso_country?: string;
  region?: string;
  postal_code?: string;
  street?: string;
  city?: string;
  customer_name?: string;
}

/** An address the bundle's account may use: its own, or its parent's (the ISV's). */
export function findAddress(world: World, accountSid: string, sid: string): AddressDoc | undefined {
  const a = world.store.get<AddressDoc>(ADDRESSES, sid);
  if (!a) return undefined;
  const owner = world.store.get<{ sid: string; owner_account_sid: string }>("accounts", accountSid);
  return a.account_sid === accountSid || a.account_sid === owner?.owner_account_sid ? a : undefined;
}

/** What is assigned to a bundle, resolved to documents. */
export function assignedItems(world: World, b: Bundle) {
  const sids = assignmentsOf(world, b.sid).map((a) => a.object_sid);
  return {
    endUsers: sids.map((s) => world.store.get<EndUser>(END_USERS, s)).filter((x): x is EndUser => !!x),
    documents: sids
      .map((s) => world.store.get<SupportingDocument>(SUPPORTING_DOCUMENTS, s))
      .filter((x): x is SupportingDocument => !!x),
    profiles: sids.map((s) => world.store.get<Bundle>(BUNDLES, s)).filter((x): x is Bundle => !!x),
  };
}

/** The bundle evaluated now against `policySid` (its own policy by default); nothing is stored. */
export function evaluateBundle(world: World, b: Bundle, policySid = b.policy_sid) {
  const policy = policyOf(policySid);
  if (!policy) throw new TwilioError(20001, 400, `Invalid parameter PolicySid: unknown policy ${policySid}`);
  const items = assignedItems(world, b);
  return evaluate({
    policy,
    endUsers: items.endUsers,
    documents: items.documents,
    profiles: items.profiles,
    addressExists: (sid) => !!findAddress(world, b.account_sid, sid),
  });
}

export function documentAddressSids(world: World, b: Bundle): string[] {
  return assignedItems(world, b).documents.flatMap((d) => addressSidsOf(d.attributes));
}

function render(e: Evaluation, kind: BundleKind) {
  return {
    sid: e.sid,
    account_sid: e.account_sid,
    policy_sid: e.policy_sid,
    [KINDS[kind].sidField]: e.bundle_sid,
    status: e.status,
    results: e.results,
    date_created: iso(e.date_created),
    url: `${bundleUrl({ sid: e.bundle_sid, kind })}/Evaluations/${e.sid}`,
  };
}

export function registerEvaluations(r: Router) {
  for (const kind of Object.keys(KINDS) as BundleKind[]) {
    const base = `/trusthub/v1/${KINDS[kind].path}/:BundleSid/Evaluations`;

    r.post(base, ({ world, account, params, input }) => {
      const b = ownBundle(world, account.sid, kind, params.BundleSid);
      const policySid = input.required("PolicySid");
      const { status, results } = evaluateBundle(world, b, policySid);
      const e = world.store.put<Evaluation>(EVALUATIONS, {
        sid: newSid("EL"),
        bundle_sid: b.sid,
        account_sid: b.account_sid,
        policy_sid: policySid,
        status,
        results,
        date_created: world.clock.now(),
      });
      return { status: 201, body: render(e, kind) };
    });

    r.get(base, ({ world, account, params, input }) => {
      const b = ownBundle(world, account.sid, kind, params.BundleSid);
      const items = world.store
        .list<Evaluation>(EVALUATIONS, (e) => e.bundle_sid === b.sid)
        .map((e) => render(e, kind));
      return { status: 200, body: pageV1(items, "results", `${bundleUrl(b)}/Evaluations`, input) };
    });

    r.get(`${base}/:Sid`, ({ world, account, params }) => {
      const b = ownBundle(world, account.sid, kind, params.BundleSid);
      const e = world.store.get<Evaluation>(EVALUATIONS, params.Sid);
      if (!e || e.bundle_sid !== b.sid) throw notFound(`Evaluation ${params.Sid}`);
      return { status: 200, body: render(e, kind) };
    });
  }
}
