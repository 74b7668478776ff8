import { ACCOUNTS, type Account } from "../../../../api/2010/accounts/model.js";
import { TwilioError } from "../../../../core/errors.js";
import { regulatoryFailures } from "../../../../reviews/regulatory.js";
import type { Failure } from "../../../../reviews/rules.js";
import { scheduleReview } from "../../../../reviews/timing.js";
import type { World } from "../../../../world.js";
import { regulationBySid } from "../catalog.js";
import {
  RC_BUNDLES,
  RC_DOCUMENTS,
  type RcBundle,
  type RcBundleStatus,
  type RcDocument,
  assignedTo,
} from "../model.js";
import { evaluateRcBundle } from "./evaluations.js";

export const RC_IN_REVIEW = "numbers.bundle.in-review";
export const RC_REVIEW = "numbers.bundle.review";

/**
 * The bundle's status callback: a signed form POST with AccountSid, BundleSid, RegulationSid,
 * Status, and on rejection FailureReason. Twilio does not document the payload; the emulator
 * sends the same fields as for Trust Hub bundles.
 */
function notify(world: World, b: RcBundle) {
  if (!b.status_callback) return;
  const token = world.store.get<Account>(ACCOUNTS, b.account_sid)?.auth_token;
  if (!token) return;
  const params: Record<string, string> = {
    AccountSid: b.account_sid,
    BundleSid: b.sid,
    RegulationSid: b.regulation_sid,
    Status: b.status,
  };
  if (b.status === "twilio-rejected") params.FailureReason = b.failure_reason ?? "";
  world.callbacks.send(b.status_callback, params, token);
}

function setStatus(world: World, b: RcBundle, status: RcBundleStatus, changes: Partial<RcBundle> = {}) {
  const updated = world.store.patch<RcBundle>(RC_BUNDLES, b.sid, {
    ...changes,
    status,
    date_updated: world.clock.now(),
  })!;
  notify(world, updated);
  return updated;
}

function setDocuments(world: World, b: RcBundle, status: RcDocument["status"]) {
  for (const d of assignedTo(world, b.sid).documents)
    world.store.patch<RcDocument>(RC_DOCUMENTS, d.sid, {
      status,
      failure_reason: null,
      errors: null,
      date_updated: world.clock.now(),
    });
}

/**
 * Status=pending-review: from draft or after a rejection, and only when the bundle meets its
 * regulation now (Twilio evaluates a bundle on submission). The answer is `pending-review`;
 * `in-review` follows, then the decision.
 */
export function submitRcBundle(world: World, b: RcBundle): RcBundle {
  if (b.status !== "draft" && b.status !== "twilio-rejected") return b;
  const evaluation = evaluateRcBundle(world, b);
  if (evaluation.status !== "compliant") {
    const failed = evaluation.results
      .filter((r) => !r.passed)
      .map((r) => `${r.requirement_name}: ${r.failure_reason}`)
      .join(" ");
    throw new TwilioError(
      20001,
      400,
      `Bundle ${b.sid} is noncompliant with regulation ${b.regulation_sid}. ${failed}`,
    );
  }
  setDocuments(world, b, "pending-review");
  const pending = setStatus(world, b, "pending-review", { failure_reason: null });
  scheduleReview(world, RC_IN_REVIEW, "regulatory.submit", b.sid);
  scheduleReview(world, RC_REVIEW, "regulatory", b.sid);
  return pending;
}

/** Back to draft after a rejection, to edit and submit again. */
export function redraftRcBundle(world: World, b: RcBundle): RcBundle {
  return setStatus(world, b, "draft");
}

export function approveRcBundle(world: World, b: RcBundle) {
  world.scheduler.cancel(
    (job) => (job.kind === RC_REVIEW || job.kind === RC_IN_REVIEW) && job.data.sid === b.sid,
  );
  setDocuments(world, b, "approved");
  return setStatus(world, b, "twilio-approved", { failure_reason: null });
}

/** Rejects the bundle; each failure naming a document marks that document rejected, with its reasons. */
export function rejectRcBundle(
  world: World,
  b: RcBundle,
  failures: (Pick<Failure, "code" | "reason"> & { document_sid?: string })[],
) {
  world.scheduler.cancel(
    (job) => (job.kind === RC_REVIEW || job.kind === RC_IN_REVIEW) && job.data.sid === b.sid,
  );
  setDocuments(world, b, "draft");
  for (const d of assignedTo(world, b.sid).documents) {
    const own = failures.filter((f) => f.document_sid === d.sid);
    if (own.length === 0) continue;
    world.store.patch<RcDocument>(RC_DOCUMENTS, d.sid, {
      status: "rejected",
      failure_reason: own.map((f) => f.reason).join(" "),
      errors: own.map((f) => ({ code: f.code, message: f.reason })),
    });
  }
  return setStatus(world, b, "twilio-rejected", { failure_reason: failures.map((f) => f.reason).join(" ") });
}

function review(world: World, sid: string) {
  const b = world.store.get<RcBundle>(RC_BUNDLES, sid);
  if (!b || (b.status !== "in-review" && b.status !== "pending-review")) return;
  const regulation = regulationBySid(b.regulation_sid);
  const items = assignedTo(world, b.sid);
  const failures = regulatoryFailures({
    today: new Date(world.clock.now()).toISOString().slice(0, 10),
    endUser: items.endUsers.find((e) => e.type === regulation?.end_user_type) ?? null,
    documents: items.documents,
  });
  if (failures.length) rejectRcBundle(world, b, failures);
  else approveRcBundle(world, b);
}

export function registerRcReview(world: World) {
  world.scheduler.on(RC_IN_REVIEW, ({ sid }) => {
    const b = world.store.get<RcBundle>(RC_BUNDLES, sid);
    if (b?.status === "pending-review") setStatus(world, b, "in-review");
  });
  world.scheduler.on(RC_REVIEW, ({ sid }) => review(world, sid));
}
