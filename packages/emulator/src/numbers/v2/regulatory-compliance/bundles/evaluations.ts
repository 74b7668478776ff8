import { iso } from "../../../../core/dates.js";
import { TwilioError, notFound } from "../../../../core/errors.js";
import { pageV1 } from "../../../../core/paging.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import type { World } from "../../../../world.js";
import { regulationBySid } from "../catalog.js";
import {
  RC_EVALUATIONS,
  type RcBundle,
  type RcEvaluation,
  assignedTo,
  bundleUrl,
  ownRcBundle,
} from "../model.js";
import { evaluate } from "./evaluate.js";

const ADDRESSES = "addresses";

interface AddressDoc {
  sid: string;
  account_sid: string;
  iso_country: string;
  city: string;
}

/** An address the account may use: its own, or its parent's (the ISV's). */
export function usableAddress(world: World, accountSid: string, sid: string): AddressDoc | undefined {
  const a = world.store.get<AddressDoc>(ADDRESSES, sid);
  if (!a) return undefined;
  const owner = world.store.get<{ sid: string; owner_account_sid: string }>("accounts", accountSid);
  return a.account_sid === accountSid || a.account_sid === owner?.owner_account_sid ? a : undefined;
}

/** The bundle checked now against its regulation; nothing is stored. */
export function evaluateRcBundle(world: World, b: RcBundle) {
  const regulation = regulationBySid(b.regulation_sid);
  if (!regulation) throw new TwilioError(20001, 400, `Unknown regulation ${b.regulation_sid}`);
  const items = assignedTo(world, b.sid);
  return evaluate({
    regulation,
    endUsers: items.endUsers,
    documents: items.documents,
    address: (sid) => usableAddress(world, b.account_sid, sid),
  });
}

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/evaluations */
function render(e: RcEvaluation) {
  return {
    sid: e.sid,
    account_sid: e.account_sid,
    regulation_sid: e.regulation_sid,
    bundle_sid: e.bundle_sid,
    status: e.status,
    results: e.results,
    date_created: iso(e.date_created),
    url: `${bundleUrl(e.bundle_sid)}/Evaluations/${e.sid}`,
  };
}

export function registerRcEvaluations(r: Router) {
  const base = "/numbers/v2/RegulatoryCompliance/Bundles/:BundleSid/Evaluations";

  r.post(base, ({ world, account, params }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    const { status, results } = evaluateRcBundle(world, b);
    const e = world.store.put<RcEvaluation>(RC_EVALUATIONS, {
      sid: newSid("EL"),
      bundle_sid: b.sid,
      account_sid: b.account_sid,
      regulation_sid: b.regulation_sid,
      status,
      results,
      date_created: world.clock.now(),
    });
    return { status: 201, body: render(e) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    const items = world.store.list<RcEvaluation>(RC_EVALUATIONS, (e) => e.bundle_sid === b.sid).map(render);
    return { status: 200, body: pageV1(items, "results", `${bundleUrl(b.sid)}/Evaluations`, input) };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownRcBundle(world, account.sid, params.BundleSid);
    const e = world.store.get<RcEvaluation>(RC_EVALUATIONS, params.Sid);
    if (!e || e.bundle_sid !== b.sid) throw notFound(`Evaluation ${params.Sid}`);
    return { status: 200, body: render(e) };
  });
}
