/**
 * The review half of a Trust Hub bundle (sole proprietor walkthrough, steps 1.6–1.8 and
 * 2.4–2.6): assignments (including the ISV's primary profile), the evaluation against the
 * policy, the submission, and the 30-second settle that catches a quick rejection before the
 * next stage builds on it.
 */
import { twilioCall } from "../../twilio/errors.js";
import { explain } from "../hints.js";
import { primaryProfileSid } from "../primary-profile.js";
import {
  SETTLE_MS,
  type Stage,
  type StepContext,
  type StepDef,
  type StepOutcome,
  done,
  mayHaveRun,
  sidOf,
  waitUntil,
} from "./step.js";
import { type BundleInstance, type Product, bundles } from "./trusthub.js";

const call = twilioCall;

/** Assigns an item (end user, document, another bundle, or the ISV's primary profile) to a bundle. */
export function assignStep(o: {
  name: string;
  stage: Stage;
  product: Product;
  bundle: string;
  /** A step whose SID is assigned, or "primary" for the ISV's primary customer profile. */
  object: string;
}): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const objectSid = o.object === "primary" ? await primaryProfileSid(ctx.deps) : sidOf(ctx, o.object);
      if (ctx.step.sid && ctx.step.data.object === objectSid) return done();
      const api = bundles(await ctx.client(), o.product)(sidOf(ctx, o.bundle));
      if (ctx.step.sid || mayHaveRun(ctx)) {
        const existing = (await call("list assignments", () => api.assignments.list({ limit: 100 }))).find(
          (a) => a.objectSid === objectSid,
        );
        if (existing) return done({ sid: existing.sid, data: { object: objectSid } });
      }
      const created = await call("assign an item to a bundle", () => api.assignments.create({ objectSid }));
      return done({ sid: created.sid, data: { object: objectSid } });
    },
  };
}

/** Evaluates the bundle against its policy; a noncompliant bundle fails the stage with the reasons. */
export function evaluateStep(o: {
  name: string;
  stage: Stage;
  product: Product;
  bundle: string;
  policy: string;
}): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const api = bundles(await ctx.client(), o.product)(sidOf(ctx, o.bundle));
      const evaluation = await call("evaluate a bundle", () =>
        api.evaluations.create({ policySid: o.policy }),
      );
      if (evaluation.status === "compliant") return done({ sid: evaluation.sid, twilioStatus: "compliant" });
      const reasons = (evaluation.results ?? [])
        .filter((r) => r.passed === false)
        .flatMap((r) => {
          const invalid = (r.invalid ?? []) as Record<string, any>[];
          const items = invalid.length ? invalid : [r];
          return items.map((i) =>
            explain(ctx.reg.kind, {
              twilio_code: i.error_code ?? r.error_code ?? null,
              reason: `${r.friendly_name ?? r.requirement_name}: ${i.failure_reason ?? i.friendly_name ?? "not compliant"}`,
            }),
          );
        });
      return {
        type: "fail",
        sid: evaluation.sid,
        twilioStatus: "noncompliant",
        failure: { stage: o.stage, twilio_status: "noncompliant", remediable: true, reasons },
      };
    },
  };
}

/** Submits for review (draft or rejected → pending-review); a bundle in review stays as it is. */
export function submitStep(o: { name: string; stage: Stage; product: Product; bundle: string }): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const api = bundles(await ctx.client(), o.product)(sidOf(ctx, o.bundle));
      const current = await call("read a bundle", () => api.fetch());
      if (current.status !== "draft" && current.status !== "twilio-rejected") {
        return done({ twilioStatus: current.status, data: { submitted_at: null } });
      }
      const submitted = await call("submit a bundle for review", () =>
        api.update({ status: "pending-review" }),
      );
      return done({ twilioStatus: submitted.status, data: { submitted_at: ctx.now.toISOString() } });
    },
  };
}

/**
 * Waits 30 seconds after a submission, then looks for a synchronous rejection before the next
 * stage builds on it, as Twilio advises (docs/twilio-facts.md, "Review times and pacing").
 * Never waits for approval: profiles are approved only after the brand's OTP.
 */
export function settleStep(o: {
  name: string;
  stage: Stage;
  product: Product;
  bundle: string;
  submit: string;
}): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const submittedAt = ctx.steps.get(o.submit)?.data.submitted_at as string | null | undefined;
      if (!submittedAt) return done();
      const until = new Date(Date.parse(submittedAt) + SETTLE_MS);
      if (ctx.now < until) return waitUntil(until);
      const api = bundles(await ctx.client(), o.product)(sidOf(ctx, o.bundle));
      const bundle = await call("read a bundle", () => api.fetch());
      return bundleVerdict(ctx, o.stage, bundle) ?? done({ twilioStatus: bundle.status });
    },
  };
}

/** A failure outcome when the bundle was rejected, else null. */
export function bundleVerdict(ctx: StepContext, stage: Stage, bundle: BundleInstance): StepOutcome | null {
  if (bundle.status !== "twilio-rejected") return null;
  return { type: "fail", twilioStatus: bundle.status, failure: bundleFailure(ctx.reg.kind, stage, bundle) };
}

export function bundleFailure(kind: StepContext["reg"]["kind"], stage: Stage, bundle: BundleInstance) {
  const errors = Array.isArray(bundle.errors) ? (bundle.errors as { code?: number; message?: string }[]) : [];
  const reasons = errors.length
    ? errors.map((e) =>
        explain(kind, {
          twilio_code: e.code ?? null,
          reason: e.message ?? bundle.failureReason ?? "rejected",
        }),
      )
    : [
        explain(kind, {
          twilio_code: null,
          reason: bundle.failureReason ?? "The bundle was rejected by Trust Hub review.",
        }),
      ];
  return { stage, twilio_status: bundle.status, remediable: true, reasons };
}
