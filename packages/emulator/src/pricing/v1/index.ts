import type { Router } from "../../http/router.js";
import { registerMessagingCountries } from "./messaging/countries.js";

/** Pricing v1 (https://pricing.twilio.com/v1/…): messaging prices per country. */
export function registerPricing(r: Router) {
  registerMessagingCountries(r);
}
