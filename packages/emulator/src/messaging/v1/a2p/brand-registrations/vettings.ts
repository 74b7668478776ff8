import { iso } from "../../../../core/dates.js";
import { TwilioError, notFound } from "../../../../core/errors.js";
import { pageV1 } from "../../../../core/paging.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import { scheduleReview } from "../../../../reviews/timing.js";
import type { World } from "../../../../world.js";
import { MESSAGING } from "../../host.js";
import { BRANDS, type Brand, ownBrand, patchBrand } from "./model.js";
import { brandFacts, trustScore } from "./review.js";

export const BRAND_VETTINGS = "brand_vettings";
const VETTING_REVIEW = "a2p.brand.vetting";
const BASE = "/messaging/v1/a2p/BrandRegistrations";

export interface Vetting {
  sid: string;
  brand_sid: string;
  account_sid: string;
  vetting_provider: "campaign-verify" | "aegis";
  vetting_id: string | null;
  vetting_class: string;
  vetting_status: "PENDING" | "IN_PROGRESS" | "SUCCESS" | "FAILED";
  date_created: number;
  date_updated: number;
}

export function renderVetting(v: Vetting) {
  return {
    account_sid: v.account_sid,
    brand_sid: v.brand_sid,
    brand_vetting_sid: v.sid,
    date_updated: iso(v.date_updated),
    date_created: iso(v.date_created),
    vetting_id: v.vetting_id,
    vetting_class: v.vetting_class,
    vetting_status: v.vetting_status,
    vetting_provider: v.vetting_provider,
    url: `${MESSAGING}/a2p/BrandRegistrations/${v.brand_sid}/Vettings/${v.sid}`,
  };
}

function registerVettingRoutes(r: Router) {
  const base = `${BASE}/:BrandSid/Vettings`;
  r.post(base, ({ world, account, params, input }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const provider = input.required("VettingProvider");
    if (provider !== "campaign-verify" && provider !== "aegis")
      throw new TwilioError(
        20001,
        400,
        `Invalid parameter VettingProvider: ${provider} (campaign-verify or aegis)`,
      );
    if (brand.status !== "APPROVED" || brand.brand_type !== "STANDARD")
      throw new TwilioError(
        21721,
        400,
        `Cannot import a vetting for brand ${brand.sid}: it must be an APPROVED STANDARD brand`,
      );
    const vettingId = input.str("VettingId") ?? null;
    if (provider === "campaign-verify" && !vettingId)
      throw new TwilioError(20001, 400, "Missing required parameter VettingId (the Campaign Verify token)");
    const now = world.clock.now();
    const v = world.store.put<Vetting>(BRAND_VETTINGS, {
      sid: newSid("VT"),
      brand_sid: brand.sid,
      account_sid: brand.account_sid,
      vetting_provider: provider,
      vetting_id: vettingId,
      vetting_class: provider === "campaign-verify" ? "POLITICAL" : "STANDARD",
      vetting_status: "IN_PROGRESS",
      date_created: now,
      date_updated: now,
    });
    scheduleReview(world, VETTING_REVIEW, "vetting", v.sid);
    return { status: 201, body: renderVetting(v) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const provider = input.str("VettingProvider");
    const items = world.store
      .list<Vetting>(
        BRAND_VETTINGS,
        (v) => v.brand_sid === brand.sid && (!provider || v.vetting_provider === provider),
      )
      .map(renderVetting);
    return {
      status: 200,
      body: pageV1(items, "data", `${MESSAGING}/a2p/BrandRegistrations/${brand.sid}/Vettings`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const v = world.store.get<Vetting>(BRAND_VETTINGS, params.Sid);
    if (!v || v.brand_sid !== brand.sid) throw notFound(`BrandVetting ${params.Sid}`);
    return { status: 200, body: renderVetting(v) };
  });
}

/**
 * A vetting completes after the vetting delay: a Campaign Verify token must look like one
 * (`cv|…`); an Aegis vetting succeeds and gives the brand its vetted trust score.
 */
function completeVetting(world: World, sid: string) {
  const v = world.store.get<Vetting>(BRAND_VETTINGS, sid);
  if (v?.vetting_status !== "IN_PROGRESS") return;
  const ok = v.vetting_provider === "aegis" || /^cv\|/.test(v.vetting_id ?? "");
  world.store.patch<Vetting>(BRAND_VETTINGS, sid, {
    vetting_status: ok ? "SUCCESS" : "FAILED",
    vetting_id: v.vetting_id ?? `aegis-${sid.slice(2, 14)}`,
    date_updated: world.clock.now(),
  });
  const brand = world.store.get<Brand>(BRANDS, v.brand_sid);
  if (ok && brand && v.vetting_provider === "aegis") {
    const facts = brandFacts(world, brand);
    patchBrand(world, brand.sid, {
      identity_status: "VETTED_VERIFIED",
      brand_score: trustScore(facts.a2p, facts.business),
    });
  }
}

export function registerVettings(r: Router, world: World) {
  registerVettingRoutes(r);
  world.scheduler.on(VETTING_REVIEW, ({ sid }) => completeVetting(world, sid));
}
