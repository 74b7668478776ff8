import { notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import { type CountryPrices, MESSAGING_PRICES, type PriceNumberType, countryName } from "./prices.js";

const PRICING = "https://pricing.twilio.com/v1/Messaging/Countries";
const price = (type: string, value: number) => ({
  number_type: type,
  base_price: value,
  current_price: value,
});

/** https://www.twilio.com/docs/messaging/api/pricing: list items have no prices, the instance has them. */
function renderCountry(c: CountryPrices, withPrices: boolean) {
  const base = { country: countryName(c.iso), iso_country: c.iso, url: `${PRICING}/${c.iso}` };
  if (!withPrices) return base;
  const types = Object.entries(c.outbound) as [PriceNumberType, number][];
  return {
    ...base,
    outbound_sms_prices: c.carriers.map((carrier) => ({
      carrier: carrier.carrier,
      mcc: carrier.mcc,
      mnc: carrier.mnc,
      prices: types.map(([type, value]) => price(type, value)),
    })),
    inbound_sms_prices: (Object.entries(c.inbound) as [PriceNumberType, number][]).map(([type, value]) =>
      price(type, value),
    ),
    price_unit: "USD",
  };
}

export function registerMessagingCountries(r: Router) {
  const base = "/pricing/v1/Messaging/Countries";
  r.get(base, ({ input }) => ({
    status: 200,
    body: pageV1(
      Object.values(MESSAGING_PRICES).map((c) => renderCountry(c, false)),
      "countries",
      PRICING,
      input,
    ),
  }));
  r.get(`${base}/:IsoCountry`, ({ params }) => {
    const c = MESSAGING_PRICES[params.IsoCountry.toUpperCase()];
    if (!c) throw notFound(`Messaging pricing for ${params.IsoCountry}`);
    return { status: 200, body: renderCountry(c, true) };
  });
}
