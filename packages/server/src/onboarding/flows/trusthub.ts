/**
 * Trust Hub items (sole proprietor walkthrough, parts 1–2; docs/twilio-facts.md, "Trust Hub"):
 * a bundle (customer profile or trust product), its end users, address and supporting document
 * (their review: trusthub-review.ts).
 * Each is convergent: created once (found by FriendlyName after a crash), updated when a PATCH
 * changed its data.
 */
import type { TwilioClient } from "../../twilio/gateway.js";
import { twilioCall } from "../../twilio/errors.js";
import type { RegistrationDocument } from "@subtext/telecom/registration/document";
import type { RegistrationColumns } from "../store.js";
import { type Attributes, addressParams, bundleEmail, fingerprint } from "./payloads.js";
import { type Stage, type StepDef, done, friendlyName, mayHaveRun, sidOf } from "./step.js";

export type Product = "customerProfiles" | "trustProducts";

const call = twilioCall;

interface BundleApi {
  list(o: { friendlyName?: string; limit?: number }): Promise<{ sid: string; friendlyName: string }[]>;
  create(o: Record<string, unknown>): Promise<{ sid: string; status: string }>;
  (
    sid: string,
  ): {
    fetch(): Promise<BundleInstance>;
    update(o: Record<string, unknown>): Promise<BundleInstance>;
    assignments: {
      list(o: { limit: number }): Promise<{ sid: string; objectSid: string }[]>;
      create(o: { objectSid: string }): Promise<{ sid: string }>;
    };
    evaluations: { create(o: { policySid: string }): Promise<EvaluationInstance> };
  };
}

export interface BundleInstance {
  sid: string;
  status: string;
  errors?: unknown;
  failureReason?: string | null;
}

interface EvaluationInstance {
  sid: string;
  status: string;
  results: Record<string, any>[];
}

/** One shape for CustomerProfiles and TrustProducts, which differ only in their paths. */
export function bundles(client: TwilioClient, product: Product): BundleApi {
  const root = client.trusthub.v1[product] as any;
  const api = ((sid: string) => {
    const ctx = root(sid);
    const isProfile = product === "customerProfiles";
    return {
      fetch: () => ctx.fetch(),
      update: (o: Record<string, unknown>) => ctx.update(o),
      assignments: isProfile ? ctx.customerProfilesEntityAssignments : ctx.trustProductsEntityAssignments,
      evaluations: isProfile ? ctx.customerProfilesEvaluations : ctx.trustProductsEvaluations,
    };
  }) as unknown as BundleApi;
  api.list = (o) => root.list(o);
  api.create = (o) => root.create(o);
  return api;
}

export interface BundleSpec {
  /** Step-name prefix: "profile" or "trust". */
  prefix: string;
  stage: Stage;
  product: Product;
  policy: string;
  suffix: string;
  column: "customer_profile_sid" | "trust_product_sid";
}

export function bundleStep(spec: BundleSpec): StepDef {
  return {
    name: `${spec.prefix}.bundle`,
    stage: spec.stage,
    async run(ctx) {
      const api = bundles(await ctx.client(), spec.product);
      const email = bundleEmail(ctx.reg.document);
      const name = friendlyName(ctx.reg, spec.suffix);
      if (!ctx.step.sid) {
        const found = mayHaveRun(ctx)
          ? (await call(`find bundle ${name}`, () => api.list({ friendlyName: name, limit: 20 }))).find(
              (b) => b.friendlyName === name,
            )
          : undefined;
        const statusCallback = ctx.callbackUrl("bundle");
        const sid =
          found?.sid ??
          (
            await call("create a Trust Hub bundle", () =>
              api.create({
                friendlyName: name,
                email,
                policySid: spec.policy,
                ...(statusCallback ? { statusCallback } : {}),
              }),
            )
          ).sid;
        return done({
          sid,
          twilioStatus: "draft",
          data: { email },
          set: { [spec.column]: sid } as RegistrationColumns,
        });
      }
      if (ctx.step.data.email !== email) {
        await call("update the bundle's e-mail", () => api(ctx.step.sid!).update({ email }));
        return done({ data: { email } });
      }
      return done();
    },
  };
}

/** An end user of a given type, with attributes from the document. */
export function endUserStep(o: {
  name: string;
  stage: Stage;
  type: string;
  suffix: string;
  attributes: (doc: RegistrationDocument) => Attributes;
}): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const client = await ctx.client();
      const attributes = o.attributes(ctx.reg.document);
      const applied = fingerprint(attributes);
      const name = friendlyName(ctx.reg, o.suffix);
      if (!ctx.step.sid) {
        const found = mayHaveRun(ctx)
          ? (await call("list end users", () => client.trusthub.v1.endUsers.list({ limit: 1000 }))).find(
              (e) => e.friendlyName === name,
            )
          : undefined;
        if (found) return done({ sid: found.sid, data: { applied: fingerprint(found.attributes) } });
        const created = await call("create a Trust Hub end user", () =>
          client.trusthub.v1.endUsers.create({ friendlyName: name, type: o.type, attributes }),
        );
        return done({ sid: created.sid, data: { applied } });
      }
      if (ctx.step.data.applied !== applied) {
        await call("update an end user", () =>
          client.trusthub.v1.endUsers(ctx.step.sid!).update({ attributes }),
        );
        return done({ data: { applied } });
      }
      return done();
    },
  };
}

/**
 * The business address (2010 Addresses). Its country cannot be updated (docs/twilio-facts.md,
 * "Addresses"): a new country means a new address, which the supporting document then points at.
 */
export function addressStep(o: { name: string; stage: Stage }): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const client = await ctx.client();
      const country = ctx.reg.document.business.address.iso_country.toUpperCase();
      const moved = ctx.step.sid !== null && ctx.step.data.country !== country;
      const generation = Number(ctx.step.data.generation ?? 0) + (moved ? 1 : 0);
      const name = friendlyName(ctx.reg, generation === 0 ? "address" : `address-${generation}`);
      const params = addressParams(ctx.reg.document, name);
      const applied = fingerprint(params);
      if (!ctx.step.sid || moved) {
        const found =
          mayHaveRun(ctx) || moved
            ? (
                await call("find an address", () => client.addresses.list({ friendlyName: name, limit: 20 }))
              )[0]
            : undefined;
        const sid =
          found?.sid ?? (await call("create an address", () => client.addresses.create(params))).sid;
        return done({ sid, data: { applied, country, generation } });
      }
      if (ctx.step.data.applied !== applied) {
        const { isoCountry: _unchanged, ...update } = params;
        await call("update an address", () => client.addresses(ctx.step.sid!).update(update));
        return done({ data: { applied } });
      }
      return done();
    },
  };
}

/** The `customer_profile_address` supporting document that carries the address SID. */
export function addressDocumentStep(o: {
  name: string;
  stage: Stage;
  address: string;
  suffix: string;
}): StepDef {
  return {
    name: o.name,
    stage: o.stage,
    async run(ctx) {
      const client = await ctx.client();
      const attributes = { address_sids: sidOf(ctx, o.address) };
      const applied = fingerprint(attributes);
      const name = friendlyName(ctx.reg, o.suffix);
      if (!ctx.step.sid) {
        const found = mayHaveRun(ctx)
          ? (
              await call("list supporting documents", () =>
                client.trusthub.v1.supportingDocuments.list({ limit: 1000 }),
              )
            ).find((d) => d.friendlyName === name)
          : undefined;
        const sid =
          found?.sid ??
          (
            await call("create a supporting document", () =>
              client.trusthub.v1.supportingDocuments.create({
                friendlyName: name,
                type: "customer_profile_address",
                attributes,
              }),
            )
          ).sid;
        return done({ sid, data: { applied } });
      }
      if (ctx.step.data.applied !== applied) {
        await call("update a supporting document", () =>
          client.trusthub.v1.supportingDocuments(ctx.step.sid!).update({ attributes }),
        );
        return done({ data: { applied } });
      }
      return done();
    },
  };
}
