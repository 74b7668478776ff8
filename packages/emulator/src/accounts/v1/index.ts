import type { Router } from "../../http/router.js";
import { registerGeoPermissions } from "./messaging/geo-permissions.js";

/** Accounts v1 (https://accounts.twilio.com/v1/…): the account's messaging geo permissions. */
export function registerAccountsV1(r: Router) {
  registerGeoPermissions(r);
}
