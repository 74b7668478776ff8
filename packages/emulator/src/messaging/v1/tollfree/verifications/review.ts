import { ACCOUNTS, type Account } from "../../../../api/2010/accounts/model.js";
import { newSid } from "../../../../core/sid.js";
import { scheduleReview } from "../../../../reviews/timing.js";
import type { World } from "../../../../world.js";
import { type Failure, tollfreeFailures } from "../../../../reviews/rules.js";
import { TOLLFREE_VERIFICATIONS, type TollfreeStatus, type TollfreeVerification } from "./model.js";

export const TOLLFREE_SUBMIT = "a2p.tollfree.submit";
export const TOLLFREE_REVIEW = "a2p.tollfree.review";
/** A rejected verification can be edited and resubmitted for 7 days (error 30824 after that). */
const EDIT_WINDOW_MS = 7 * 86_400_000;

/**
 * The verification's status callback (an emulator extension, see reviews.md): a signed form POST
 * with the fields of Twilio's toll-free Event Streams events, ExternalReferenceId echoed.
 */
function notify(world: World, v: TollfreeVerification) {
  if (!v.status_callback) return;
  const account = world.store.get<Account>(ACCOUNTS, v.account_sid);
  if (!account) return;
  const params: Record<string, string> = {
    AccountSid: v.account_sid,
    ParentAccountSid: account.owner_account_sid,
    TollfreeVerificationSid: v.sid,
    PhoneNumberSid: v.tollfree_phone_number_sid,
    PhoneNumber: v.tollfree_phone_number,
    Status: v.status,
  };
  if (v.external_reference_id) params.ExternalReferenceId = v.external_reference_id;
  if (v.customer_profile_sid) params.CustomerProfileSid = v.customer_profile_sid;
  if (v.status === "TWILIO_REJECTED") {
    params.RejectionReason = v.rejection_reason ?? "";
    params.ErrorCode = String(v.error_code ?? "");
    params.EditAllowed = String(!!v.edit_allowed);
  }
  world.callbacks.send(v.status_callback, params, account.auth_token);
}

function setStatus(
  world: World,
  v: TollfreeVerification,
  status: TollfreeStatus,
  changes: Record<string, unknown> = {},
) {
  const updated = world.store.patch<TollfreeVerification>(TOLLFREE_VERIFICATIONS, v.sid, {
    ...changes,
    status,
    date_updated: world.clock.now(),
  })!;
  notify(world, updated);
  return updated;
}

export function setTollfreeOutcome(
  world: World,
  v: TollfreeVerification,
  status: "TWILIO_APPROVED" | "TWILIO_REJECTED",
  failures: Pick<Failure, "code" | "reason" | "editable">[] = [],
) {
  world.scheduler.cancel((job) => job.data.sid === v.sid && job.kind.startsWith("a2p.tollfree"));
  if (status === "TWILIO_APPROVED")
    return setStatus(world, v, status, { regulated_item_sid: v.regulated_item_sid ?? newSid("RA") });
  return setStatus(world, v, status, {
    rejection_reason: failures.map((f) => f.reason).join("; "),
    rejection_reasons: failures.map((f) => ({ code: f.code, reason: f.reason })),
    error_code: failures[0]?.code ?? null,
    edit_allowed: failures.every((f) => f.editable !== false),
    edit_expiration: world.clock.now() + EDIT_WINDOW_MS,
  });
}

function review(world: World, v: TollfreeVerification) {
  if (v.status !== "PENDING_REVIEW" && v.status !== "IN_REVIEW") return;
  const emails = [
    { field: "NotificationEmail", value: v.notification_email },
    { field: "BusinessContactEmail", value: v.business_contact_email },
  ].filter((e): e is { field: string; value: string } => typeof e.value === "string" && e.value !== "");
  const failures = tollfreeFailures({
    optInImageUrls: v.opt_in_image_urls ?? [],
    businessWebsite: v.business_website ?? "",
    emails,
    productionMessageSample: v.production_message_sample ?? "",
    useCaseSummary: v.use_case_summary ?? "",
  });
  setTollfreeOutcome(world, v, failures.length ? "TWILIO_REJECTED" : "TWILIO_APPROVED", failures);
}

export function startTollfreeReview(world: World, v: TollfreeVerification) {
  scheduleReview(world, TOLLFREE_SUBMIT, "tollfree.submit", v.sid);
  scheduleReview(world, TOLLFREE_REVIEW, "tollfree", v.sid);
}

export function registerTollfreeReview(world: World) {
  const load = (sid: string) => world.store.get<TollfreeVerification>(TOLLFREE_VERIFICATIONS, sid);
  world.scheduler.on(TOLLFREE_SUBMIT, ({ sid }) => {
    const v = load(sid);
    if (v?.status === "PENDING_REVIEW") setStatus(world, v, "IN_REVIEW");
  });
  world.scheduler.on(TOLLFREE_REVIEW, ({ sid }) => {
    const v = load(sid);
    if (v) review(world, v);
  });
}
