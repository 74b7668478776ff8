/**
 * Toll-free verification (docs/twilio-facts.md, "Toll-free verification"): submitted for the bought
 * number with the business, opt-in and volume data; found again after a crash by its
 * ExternalReferenceId (the registration id); a rejection is fixed by editing the same verification
 * (POST …/{HH} with EditReason) while Twilio allows edits, else by a new verification.
 */
import { twilioCall } from "../../twilio/errors.js";
import { explain, isFinalRejection } from "../hints.js";
import { fingerprint, tollFreeParams } from "./payloads.js";
import {
  SETTLE_MS,
  type StepContext,
  type StepDef,
  type StepOutcome,
  done,
  pollDelay,
  sidOf,
  waitUntil,
} from "./step.js";

const call = twilioCall;

interface Verification {
  sid: string;
  status: string;
  rejectionReason: string | null;
  rejectionReasons: any[] | null;
  errorCode: number | null;
  editAllowed: boolean | null;
}

const columns = (v: Verification) => ({ tollfree_verification_sid: v.sid, tollfree_status: v.status });

export const tollFreeVerificationStep: StepDef = {
  name: "tollfree.verification",
  stage: "toll_free",
  async run(ctx) {
    const api = (await ctx.client()).messaging.v1.tollfreeVerifications;
    const params = tollFreeParams(ctx.reg.document);
    const applied = fingerprint(params);
    let existing: Verification | undefined;
    if (ctx.step.sid) existing = await call("read the verification", () => api(ctx.step.sid!).fetch());
    else {
      const found = await call("find the verification", () =>
        api.list({ externalReferenceId: ctx.reg.id, limit: 20 }),
      );
      existing = found[0];
    }
    const submit = (v: Verification) =>
      done({
        sid: v.sid,
        twilioStatus: v.status,
        set: { ...columns(v), review_started_at: ctx.now },
        data: { applied, submitted_at: ctx.now.toISOString() },
      });
    if (!existing) {
      const created = await call("submit the toll-free verification", () =>
        api.create({
          ...params,
          tollfreePhoneNumberSid: sidOf(ctx, "number.buy"),
          externalReferenceId: ctx.reg.id,
        }),
      );
      return submit(created);
    }
    if (existing.status !== "TWILIO_REJECTED") {
      // Found after a crash (no SID stored yet): it was just submitted, so it still settles.
      if (!ctx.step.sid) return submit(existing);
      return done({
        sid: existing.sid,
        twilioStatus: existing.status,
        set: columns(existing),
        data: { submitted_at: null },
      });
    }
    if (existing.editAllowed === false) {
      // Twilio takes no edit of this one: withdraw it and verify the number again.
      await call("delete the rejected verification", () => api(existing.sid).remove());
      const created = await call("submit the toll-free verification", () =>
        api.create({
          ...params,
          tollfreePhoneNumberSid: sidOf(ctx, "number.buy"),
          externalReferenceId: ctx.reg.id,
        }),
      );
      return submit(created);
    }
    const edited = await call("resubmit the toll-free verification", () =>
      api(existing.sid).update({ ...params, editReason: "Corrected the registration data after review." }),
    );
    return submit(edited);
  },
};

export const tollFreeSettleStep: StepDef = {
  name: "tollfree.settle",
  stage: "toll_free",
  async run(ctx) {
    const submittedAt = ctx.steps.get("tollfree.verification")?.data.submitted_at as
      | string
      | null
      | undefined;
    if (!submittedAt) return done();
    const until = new Date(Date.parse(submittedAt) + SETTLE_MS);
    if (ctx.now < until) return waitUntil(until);
    const v = await fetchVerification(ctx);
    return verdict(ctx, v) ?? done({ twilioStatus: v.status, set: columns(v) });
  },
};

export const tollFreeApprovalStep: StepDef = {
  name: "tollfree.approval",
  stage: "toll_free",
  awaitsReview: true,
  async run(ctx) {
    const v = await fetchVerification(ctx);
    const rejected = verdict(ctx, v);
    if (rejected) return rejected;
    if (v.status === "TWILIO_APPROVED") return done({ twilioStatus: v.status, set: columns(v) });
    const polls = Number(ctx.step.data.polls ?? 0);
    return waitUntil(new Date(ctx.now.getTime() + pollDelay(polls)), {
      twilioStatus: v.status,
      set: columns(v),
      data: { polls: polls + 1 },
    });
  },
};

async function fetchVerification(ctx: StepContext): Promise<Verification> {
  const client = await ctx.client();
  return call("read the verification", () =>
    client.messaging.v1.tollfreeVerifications(sidOf(ctx, "tollfree.verification")).fetch(),
  );
}

function verdict(ctx: StepContext, v: Verification): StepOutcome | null {
  if (v.status !== "TWILIO_REJECTED") return null;
  const listed = (v.rejectionReasons ?? []) as {
    code?: number;
    error_code?: number;
    reason?: string;
    description?: string;
  }[];
  const reasons = listed.length
    ? listed.map((r) =>
        explain(ctx.reg.kind, {
          twilio_code: r.error_code ?? r.code ?? null,
          reason: r.reason ?? r.description ?? "",
        }),
      )
    : [
        explain(ctx.reg.kind, {
          twilio_code: v.errorCode ?? null,
          reason: v.rejectionReason ?? "The verification was rejected.",
        }),
      ];
  const final = reasons.some((r) => isFinalRejection(r.twilio_code));
  return {
    type: "fail",
    twilioStatus: v.status,
    set: columns(v),
    failure: { stage: "toll_free", twilio_status: v.status, remediable: !final, reasons },
  };
}
