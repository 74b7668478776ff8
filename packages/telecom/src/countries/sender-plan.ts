/**
 * The sender for one destination country, from the tenant's senders and the country's options
 * (`./sender-options.ts`). In order:
 * 1. an alphanumeric sender ID, where the country allows one without registration, or the
 *    tenant's ID is registered there; skipped when the send needs replies (IDs are one-way);
 * 2. the tenant's short code in that country;
 * 3. the tenant's long code in that country, when the country allows A2P from it;
 * 4. the tenant's toll-free number in that country (US, CA);
 * 5. the tenant's long code or toll-free number in a country whose numbers reach this one
 *    (`foreign_numbers`: US and CA for each other, both for MX);
 * else a refusal, `sender_required_for_country`, whose message says what to register.
 *
 * An alphanumeric ID is one-way: the plan names the tenant's number in the country (or null) as
 * where replies and STOP go, so the caller can state the opt-out path in the message.
 */
import { type CountrySenderOptions, senderOptionsFor } from "./sender-options.js";

export type TenantSender =
  | {
      kind: "alphanumeric";
      sender_id: string;
      /** Countries where this ID's registration is approved. */
      registered_in?: readonly string[];
    }
  | { kind: "long_code"; e164: string; country: string }
  | { kind: "short_code"; code: string; country: string }
  | { kind: "toll_free"; e164: string; country: string };

export interface SenderPlanOptions {
  /** The send expects replies (a conversation, a keyword answer): one-way IDs don't fit. */
  two_way?: boolean;
}

export type SenderPlanRefusal = "sender_required_for_country" | "country_invalid";

export type SenderPlan =
  | {
      ok: true;
      country: string;
      sender: TenantSender;
      two_way: boolean;
      /** For a one-way sender: the tenant's number in the country that takes replies and STOP. */
      reply_to: string | null;
      /** Why this sender, in words. */
      reason: string;
    }
  | {
      ok: false;
      country: string;
      code: SenderPlanRefusal;
      message: string;
      /** What the tenant could register or buy, from the country's options. */
      register: string[];
    };

const upper = (country: string) => country.trim().toUpperCase();

function inCountry<K extends TenantSender["kind"]>(
  senders: readonly TenantSender[],
  kind: K,
  country: string,
): Extract<TenantSender, { kind: K }> | undefined {
  return senders.find(
    (s): s is Extract<TenantSender, { kind: K }> =>
      s.kind === kind && "country" in s && upper(s.country) === country,
  );
}

function alphanumericFor(
  options: CountrySenderOptions,
  senders: readonly TenantSender[],
): Extract<TenantSender, { kind: "alphanumeric" }> | undefined {
  const ids = senders.filter(
    (s): s is Extract<TenantSender, { kind: "alphanumeric" }> => s.kind === "alphanumeric",
  );
  if (options.alphanumeric.status === "allowed") {
    return ids.find((s) => s.registered_in?.map(upper).includes(options.country)) ?? ids[0];
  }
  if (options.alphanumeric.status === "registration_required") {
    return ids.find((s) => s.registered_in?.map(upper).includes(options.country));
  }
  return undefined;
}

/** "the United States", "France": the name as it reads after "in". */
function placeName(options: CountrySenderOptions): string {
  return ["US", "GB"].includes(options.country) ? `the ${options.name}` : options.name;
}

/** What a tenant could set up to reach the country, in the order the plan would use it. */
export function registrationOptions(options: CountrySenderOptions): string[] {
  const out: string[] = [];
  const { alphanumeric, short_code, long_code, toll_free } = options;
  const name = placeName(options);
  if (alphanumeric.status === "allowed")
    out.push(`an alphanumeric sender ID (no registration needed in ${name})`);
  if (alphanumeric.status === "registration_required") {
    out.push(
      `an alphanumeric sender ID registered for ${name}${alphanumeric.registration ? ` (${alphanumeric.registration})` : ""}`,
    );
  }
  if (short_code.available) out.push(`a short code in ${name} (carrier review)`);
  if (long_code.available && long_code.a2p) {
    const types = long_code.number_types.join(" or ");
    out.push(
      long_code.bundle_required
        ? `a ${types} number in ${name}, bought with an approved regulatory bundle`
        : `a ${types} number in ${name}`,
    );
  }
  if (toll_free.usable)
    out.push(`a toll-free number in ${name}${toll_free.registration ? ` (${toll_free.registration})` : ""}`);
  return out;
}

/** Which of the tenant's senders to use for a destination in `countryIso`, or why none fits. */
export function senderPlanFor(
  countryIso: string,
  tenantSenders: readonly TenantSender[],
  planOptions: SenderPlanOptions = {},
): SenderPlan {
  const options = senderOptionsFor(countryIso);
  if (!options) {
    return {
      ok: false,
      country: countryIso,
      code: "country_invalid",
      message: `"${countryIso}" is not an ISO 3166-1 alpha-2 country code.`,
      register: [],
    };
  }
  const { country } = options;
  const localNumber = inCountry(tenantSenders, "long_code", country);
  const shortCode = inCountry(tenantSenders, "short_code", country);
  const tollFree = inCountry(tenantSenders, "toll_free", country);
  const replyTo = localNumber?.e164 ?? shortCode?.code ?? tollFree?.e164 ?? null;

  const alpha = planOptions.two_way ? undefined : alphanumericFor(options, tenantSenders);
  if (alpha) {
    const registered = options.alphanumeric.status === "registration_required";
    return {
      ok: true,
      country,
      sender: alpha,
      two_way: false,
      reply_to: replyTo,
      reason: registered
        ? `alphanumeric sender ID "${alpha.sender_id}", registered for ${options.name}`
        : `alphanumeric sender ID "${alpha.sender_id}" (no registration needed in ${options.name})`,
    };
  }
  if (shortCode && options.short_code.available) {
    return {
      ok: true,
      country,
      sender: shortCode,
      two_way: true,
      reply_to: null,
      reason: `short code ${shortCode.code} in ${options.name}`,
    };
  }
  if (localNumber && options.long_code.available && options.long_code.a2p) {
    return {
      ok: true,
      country,
      sender: localNumber,
      two_way: options.two_way.supported,
      reply_to: null,
      reason: `local number ${localNumber.e164} in ${options.name}`,
    };
  }
  if (tollFree && options.toll_free.usable) {
    return {
      ok: true,
      country,
      sender: tollFree,
      two_way: true,
      reply_to: null,
      reason: `toll-free number ${tollFree.e164} in ${options.name}`,
    };
  }
  const foreign = (options.foreign_numbers?.from ?? []).flatMap((from) => {
    const longCode = inCountry(tenantSenders, "long_code", from);
    const tollFree = senderOptionsFor(from)?.toll_free.usable
      ? inCountry(tenantSenders, "toll_free", from)
      : undefined;
    return [longCode, tollFree].filter((s) => s !== undefined);
  })[0];
  if (foreign) {
    return {
      ok: true,
      country,
      sender: foreign,
      two_way: true,
      reply_to: null,
      reason: `${foreign.kind === "toll_free" ? "toll-free" : "long code"} ${foreign.e164} from ${foreign.country}, whose numbers reach ${options.name}`,
    };
  }

  const register = registrationOptions(options).filter(
    (option) => !(planOptions.two_way && option.startsWith("an alphanumeric")),
  );
  const why: string[] = [];
  if (localNumber && !options.long_code.a2p) {
    why.push(`${options.name}'s carriers do not accept business traffic from ${localNumber.e164}`);
  }
  if (planOptions.two_way && alphanumericFor(options, tenantSenders)) {
    why.push("alphanumeric sender IDs cannot receive replies");
  }
  const lead = `No sender of this tenant can reach ${placeName(options)} (${country})`;
  return {
    ok: false,
    country,
    code: "sender_required_for_country",
    message:
      `${lead}${why.length ? `: ${why.join("; ")}` : ""}. ` +
      (register.length
        ? `Set up ${register.join(", or ")}.`
        : `Twilio offers no sender for this kind of traffic to ${placeName(options)}.`),
    register,
  };
}
