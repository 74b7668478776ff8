/**
 * Contact-point rules shared by every kind: e-mail addresses, web addresses, phone numbers.
 */
import { createRequire } from "node:module";
import { isMobileCapable, parsePhone } from "../../phone.js";
import { error, type Report, warning } from "./finding.js";

const require = createRequire(import.meta.url);
// TCR refuses disposable addresses ("Email is a suspected disposable address", walkthrough step 1.2).
const DISPOSABLE: ReadonlySet<string> = new Set(require("disposable-email-domains"));
const DISPOSABLE_WILDCARD: readonly string[] = require("disposable-email-domains/wildcard.json");

// Free mailboxes are legal for a sole proprietor but lower a business's chances.
const FREE_PROVIDERS = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "aol.com",
  "icloud.com",
  "me.com",
  "msn.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "mail.com",
  "yandex.com",
  "zoho.com",
]);

// Local part: RFC 5322 "atext" dots; domain: at least two labels, a letter TLD.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/;

function isDisposable(domain: string): boolean {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join(".");
    if (DISPOSABLE.has(suffix)) return true;
    if (i > 0 && DISPOSABLE_WILDCARD.includes(suffix)) return true;
  }
  return DISPOSABLE_WILDCARD.includes(domain);
}

export function checkEmail(
  report: Report,
  path: string,
  value: unknown,
  options: { business?: boolean } = {},
): void {
  if (typeof value !== "string" || value.trim() === "") return;
  const match = EMAIL.exec(value.trim());
  if (!match || value.includes("..")) {
    report(error(path, "email_invalid", `"${value}" is not a valid e-mail address.`, "Use name@domain.com."));
    return;
  }
  const domain = match[1].toLowerCase();
  if (isDisposable(domain)) {
    report(
      error(
        path,
        "email_disposable",
        `${domain} is a disposable e-mail provider; TCR refuses such addresses.`,
        "Use a permanent address the customer reads, ideally on their own domain.",
      ),
    );
  } else if (options.business && FREE_PROVIDERS.has(domain)) {
    report(
      warning(
        path,
        "email_free_provider",
        `${domain} is a free mailbox; reviewers trust an address on the business's own domain more.`,
        "Use an address on the business's website domain if there is one.",
      ),
    );
  }
}

const NON_PUBLIC_SUFFIXES = [
  ".local",
  ".localhost",
  ".test",
  ".example",
  ".invalid",
  ".internal",
  ".lan",
  ".home",
];
const PLACEHOLDER_DOMAINS = [
  "example.com",
  "example.org",
  "example.net",
  "yourwebsite.com",
  "yourdomain.com",
];
// Hosts that name a non-production environment: "staging.acme.com", "acme-dev.herokuapp.com".
const NON_PRODUCTION =
  /(^|-)(staging|stage|stg|dev|develop|development|test|testing|qa|uat|sandbox|preview|demo)(-|\d|$)/;
const TUNNELS = ["ngrok.io", "ngrok.app", "ngrok-free.app", "loca.lt", "trycloudflare.com", "localtunnel.me"];
export const URL_SHORTENERS = new Set([
  "bit.ly",
  "tinyurl.com",
  "goo.gl",
  "t.co",
  "ow.ly",
  "is.gd",
  "buff.ly",
  "rb.gy",
  "cutt.ly",
  "shorturl.at",
]);

function parseWebAddress(raw: string): URL | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`);
    const webby = url.protocol === "https:" || url.protocol === "http:";
    return webby && (url.hostname.includes(".") || url.hostname === "localhost") ? url : undefined;
  } catch {
    return undefined;
  }
}

function whyNotPublic(host: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[")) return "an IP address";
  if (host === "localhost" || NON_PUBLIC_SUFFIXES.some((s) => host.endsWith(s))) return "a private host";
  if (TUNNELS.some((d) => host === d || host.endsWith(`.${d}`))) return "a development tunnel";
  if (PLACEHOLDER_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`))) return "a placeholder domain";
  // Only subdomain labels: "dev.to" is a site, "dev.acme.com" and "acme-dev.herokuapp.com" are not.
  const subdomains = host.split(".").slice(0, -2);
  if (subdomains.some((label) => NON_PRODUCTION.test(label))) return "a staging, development or test host";
  return undefined;
}

export interface UrlRule {
  /** error (not just a warning) when the scheme is http. */
  requireHttps?: boolean;
}

/** A public production URL, or findings saying why not. Returns the parsed URL if usable. */
export function checkUrl(report: Report, path: string, value: unknown, rule: UrlRule = {}): URL | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const raw = value.trim();
  const url = parseWebAddress(raw);
  if (!url) {
    report(
      error(
        path,
        "url_invalid",
        `"${raw}" is not a web address.`,
        "Use a full address like https://acme.com.",
      ),
    );
    return undefined;
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const why = whyNotPublic(host);
  if (why) {
    report(
      error(
        path,
        "url_not_public",
        `${host} is ${why}; reviewers must be able to open the live production site.`,
        "Use the public production address of the business (a domain name, not an IP or a test host).",
      ),
    );
    return undefined;
  }
  if (URL_SHORTENERS.has(host)) {
    report(
      warning(
        path,
        "url_shortener",
        `${host} is a public link shortener; carriers filter them.`,
        "Use the full address.",
      ),
    );
  }
  if (url.protocol === "http:") {
    const finding = rule.requireHttps ? error : warning;
    report(
      finding(
        path,
        "url_not_https",
        `${raw} is not served over HTTPS.`,
        "Serve the page over HTTPS and use the https:// address.",
      ),
    );
  }
  return url;
}

/** A phone field that must be E.164; returns the parsed number when valid. */
export function checkPhone(report: Report, path: string, value: unknown) {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const parsed = parsePhone(value);
  if (!parsed.ok) {
    report(error(path, parsed.code, parsed.message, "Write it in E.164 form, e.g. +14155552671."));
    return undefined;
  }
  if (parsed.phone.e164 !== value.trim()) {
    report(
      error(
        path,
        "phone_not_e164",
        `"${value}" has formatting characters.`,
        `Send it as ${parsed.phone.e164}.`,
      ),
    );
  }
  return parsed.phone;
}

/** The sole proprietor's OTP number: a US or Canadian mobile (sole proprietor walkthrough). */
export function checkOtpMobile(report: Report, path: string, value: unknown): void {
  const phone = checkPhone(report, path, value);
  if (!phone) return;
  if (phone.country !== "US" && phone.country !== "CA") {
    report(
      error(
        path,
        "mobile_not_us_ca",
        `${phone.e164} is not a US or Canadian number; the verification code can only go to one.`,
        "Use the customer's own US or Canadian mobile number.",
      ),
    );
  } else if (!isMobileCapable(phone)) {
    report(
      error(
        path,
        "mobile_not_mobile",
        `${phone.e164} is a ${phone.type.replaceAll("_", "-")} number; the OTP needs a mobile the customer carries.`,
        "Use the customer's personal mobile number, not a landline, toll-free or CPaaS number.",
      ),
    );
  }
}
