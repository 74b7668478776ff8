import { notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import {
  NUMBERS_V2,
  type Regulation,
  findRegulations,
  regulationBySid,
  renderRequirements,
} from "./catalog.js";

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/regulations */
export function renderRegulation(r: Regulation) {
  return {
    sid: r.sid,
    friendly_name: r.friendly_name,
    iso_country: r.iso_country,
    number_type: r.number_type,
    end_user_type: r.end_user_type,
    requirements: renderRequirements(r),
    url: `${NUMBERS_V2}/Regulations/${r.sid}`,
  };
}

export function registerRegulations(r: Router) {
  const base = "/numbers/v2/RegulatoryCompliance/Regulations";
  r.get(base, ({ input }) => {
    const items = findRegulations({
      iso: input.str("IsoCountry"),
      type: input.str("NumberType"),
      kind: input.str("EndUserType"),
    }).map(renderRegulation);
    return { status: 200, body: pageV1(items, "results", `${NUMBERS_V2}/Regulations`, input) };
  });
  r.get(`${base}/:Sid`, ({ params }) => {
    const found = regulationBySid(params.Sid);
    if (!found) throw notFound(`Regulation ${params.Sid}`);
    return { status: 200, body: renderRegulation(found) };
  });
}
