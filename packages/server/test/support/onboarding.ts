/**
 * For tests of other modules (and the onboarding bench): a tenant that is ready to send, made
 * through the real flow against the emulator. The driver answers the OTP from the handset and
 * moves both clocks — ours (ManualClock) to the next due onboarding job, the emulator's by the
 * same amount — so reviews finish and durable timers fire without sleeping.
 *
 *   const { tenant, key, profile } = await onboardReadyTenant(stack);            // sole proprietor
 *   const tf = await onboardReadyTenant(stack, "toll_free");
 */
import type { Db } from "../../src/db/db.js";
import type { ManualClock } from "../../src/jobs/clock.js";
import type { JobRunner } from "../../src/jobs/runner.js";
import type { RegistrationDocument, RegistrationKind } from "@subtext/telecom/registration/document";
import { STEP_JOB } from "../../src/onboarding/runner.js";
import { type SendingProfile, getSendingProfile } from "../../src/onboarding/sending-profile.js";
import { loadRegistrationView } from "../../src/onboarding/view.js";

/** The parts of the integration harness's Stack the driver uses. */
export interface OnboardingStack {
  db: Db;
  clock: ManualClock;
  jobs: JobRunner;
  api<T = any>(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  emulator: { control<T = any>(method: string, path: string, body?: unknown): Promise<T> };
  newTenant(input?: { name?: string }): Promise<{ tenant: any; key: string; keyId: string }>;
}

let counter = Math.floor(Math.random() * 10_000);

/** Sequential from a random start: documents made in one process never share a phone or address. */
function uniqueSeed(): number {
  counter = (counter + 1) % 10_000;
  return counter;
}

const four = (n: number) => String(n % 10_000).padStart(4, "0");

/** A valid registration document of each kind whose phone, e-mail and address are unique per seed. */
export function sampleRegistration(kind: RegistrationKind, seed = uniqueSeed()): RegistrationDocument {
  const n = four(seed);
  const address = {
    street: `${100 + (seed % 9000)} Main St`,
    street_secondary: `Unit ${n}`,
    city: "Springfield",
    region: "IL",
    postal_code: "62701",
    iso_country: "US",
  };
  if (kind === "sole_proprietor") {
    return {
      kind,
      business: {
        first_name: "Jane",
        last_name: "Doe",
        email: `jane.${n}@janesbakery.com`,
        phone_number: `+1415555${n}`,
        mobile_phone_number: `+1415555${n}`,
        brand_name: "Jane's Bakery",
        vertical: "RETAIL",
        address,
      },
      campaign: {
        use_case: "SOLE_PROPRIETOR",
        description: "Order updates from Jane's Bakery to customers who opted in at checkout.",
        message_flow:
          "Customers opt in by checking an unchecked SMS box at janesbakery.com/checkout; terms at janesbakery.com/terms, privacy at janesbakery.com/privacy.",
        message_samples: [
          "Jane's Bakery: your order [order_id] is ready for pickup. Reply STOP to opt out.",
          "Jane's Bakery: we open at [time] tomorrow. Reply HELP for help, STOP to opt out.",
        ],
        has_embedded_links: false,
        has_embedded_phone: false,
      },
    };
  }
  const organization = {
    legal_name: "Acme Sandwich Company LLC",
    business_type: "Limited Liability Corporation",
    business_industry: "FOOD_AND_BEVERAGE",
    website: "https://acmesandwich.com",
    address: { ...address, city: "San Francisco", region: "CA", postal_code: "94105" },
    contact: {
      first_name: "Ana",
      last_name: "Lopez",
      email: `ana.${n}@acmesandwich.com`,
      phone_number: `+1415555${n}`,
      job_title: "CEO",
    },
  };
  if (kind === "toll_free") {
    return {
      kind,
      business: organization,
      toll_free: {
        use_case_categories: ["ACCOUNT_NOTIFICATIONS"],
        use_case_summary: "Order status notifications to Acme Sandwich customers who opted in when ordering.",
        production_message_sample:
          "Acme Sandwich: your order [order_id] is on its way. Reply STOP to opt out.",
        opt_in_type: "WEB_FORM",
        opt_in_image_urls: ["https://acmesandwich.com/sms/opt-in.png"],
        message_volume: "1,000",
        notification_email: `ana.${n}@acmesandwich.com`,
      },
    };
  }
  return {
    kind,
    business: { ...organization, tax_id: "84-1234567", tax_id_country: "US" },
    campaign: {
      use_case: "ACCOUNT_NOTIFICATION",
      description: "Acme Sandwich sends order status notifications to customers who ordered online.",
      message_flow:
        "Customers enter their mobile number and tick the unchecked SMS consent box at https://acmesandwich.com/order. Terms: https://acmesandwich.com/terms; privacy: https://acmesandwich.com/privacy.",
      message_samples: [
        "Acme Sandwich Company: your order [order_id] will be delivered at [time]. Reply STOP to opt out.",
        "Acme Sandwich Company: your order [order_id] was delivered. Reply HELP for help, STOP to opt out.",
      ],
      has_embedded_links: false,
      has_embedded_phone: false,
    },
  };
}

export interface DriveOptions {
  /** Stop when this holds for every registration (default: all approved). */
  until?: (registration: any) => boolean;
  /** Answer the OTP text with YES when one waits (default true). */
  answerOtp?: boolean;
  /** Give up after this many rounds. */
  maxRounds?: number;
}

/**
 * Moves registrations forward until `until` holds for all of them: each round answers OTPs,
 * advances both clocks to the next due onboarding job (at least one second), and runs due jobs.
 * Throws when a registration fails (unless `until` accepts it) or nothing moves any more.
 */
export async function driveRegistrations(
  stack: OnboardingStack,
  regs: { tenantId: string; id: string }[],
  options: DriveOptions = {},
): Promise<any[]> {
  const custom = options.until;
  const until = custom ?? ((r: any) => r.state === "approved");
  const answered = new Set<string>();
  const views = new Map<string, { stamp: string; view: any }>();
  const ids = regs.map((r) => r.id);
  const load = (id: string) => loadRegistrationView(stack.db, id, stack.clock.now());
  for (let round = 0; round < (options.maxRounds ?? 400); round++) {
    // One query to see what changed; full views only when a custom condition needs them.
    const { rows } = await stack.db.query<Row>(
      `SELECT id, state, updated_at::text || state AS stamp, otp_sent_at, otp_verified_at,
         document->'business'->>'mobile_phone_number' AS mobile
       FROM registrations WHERE id = ANY($1::text[])`,
      [ids],
    );
    if (custom) {
      for (const row of rows) {
        if (views.get(row.id)?.stamp !== row.stamp)
          views.set(row.id, { stamp: row.stamp, view: await load(row.id) });
      }
    }
    const current = custom ? ids.map((id) => views.get(id)!.view) : rows;
    if (current.every(until)) return Promise.all(ids.map(load));
    for (const row of rows) {
      if (
        (row.state === "failed" || row.state === "suspended") &&
        !(custom && until(views.get(row.id)!.view))
      ) {
        throw new Error(
          `registration ${row.id} is ${row.state}: ${JSON.stringify((await load(row.id)).failure)}`,
        );
      }
      const sent = row.otp_sent_at?.getTime();
      const fresh = sent !== undefined && stack.clock.now().getTime() < sent + 24 * 3_600_000;
      if (options.answerOtp !== false && row.state === "awaiting_otp" && !row.otp_verified_at && fresh) {
        const key = `${row.id}:${sent}`;
        if (answered.has(key)) continue;
        answered.add(key);
        await stack.emulator
          .control("POST", `handsets/${encodeURIComponent(row.mobile!)}/otp-reply`, { body: "YES" })
          .catch(() => {});
      }
    }
    await advanceToNextStep(stack, ids);
  }
  throw new Error(`registrations did not get there in ${options.maxRounds ?? 400} rounds`);
}

interface Row {
  id: string;
  state: string;
  stamp: string;
  otp_sent_at: Date | null;
  otp_verified_at: Date | null;
  mobile: string | null;
}

/** Moves both clocks to the next due onboarding step job (at least 1 s, at most 1 h), then runs due jobs. */
export async function advanceToNextStep(stack: OnboardingStack, registrationIds: string[]): Promise<void> {
  const row = await stack.db.maybeOne<{ next: Date | null }>(
    `SELECT min(run_at) AS next FROM jobs WHERE kind = $1 AND failed_at IS NULL
       AND split_part(key, ':', 2) = ANY($2::text[])`,
    [STEP_JOB, registrationIds],
  );
  const now = stack.clock.now().getTime();
  const due = row?.next ? row.next.getTime() - now : 30_000;
  const ms = Math.min(3_600_000, Math.max(1_000, due));
  await stack.emulator.control("POST", "clock/advance", { seconds: ms / 1000 });
  stack.clock.advance(ms);
  await stack.jobs.runDue();
}

/** A new tenant with a registration of `kind` (changed by `edit` first); throws unless accepted (202). */
export async function submitRegistration(
  stack: OnboardingStack,
  kind: RegistrationKind,
  edit: (doc: any) => void = () => {},
): Promise<{ tenant: any; key: string; registration: any; ref: { tenantId: string; id: string } }> {
  const { tenant, key } = await stack.newTenant();
  const doc = structuredClone(sampleRegistration(kind)) as any;
  edit(doc);
  const created = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
    token: key,
    body: doc,
  });
  if (created.status !== 202) {
    throw new Error(`registration refused: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return { tenant, key, registration: created.body, ref: { tenantId: tenant.id, id: created.body.id } };
}

/** GET of one registration (admin token). */
export async function readRegistration(
  stack: OnboardingStack,
  ref: { tenantId: string; id: string },
): Promise<any> {
  return (await stack.api("GET", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}`)).body;
}

/**
 * Creates a tenant, submits a valid registration of `kind` with its key, and drives the real
 * flow until the tenant may send. Returns the tenant, its API key and its sending profile.
 */
export async function onboardReadyTenant(
  stack: OnboardingStack,
  kind: RegistrationKind = "sole_proprietor",
): Promise<{ tenant: any; key: string; registration: any; profile: SendingProfile }> {
  const { tenant, key, ref } = await submitRegistration(stack, kind);
  const [registration] = await driveRegistrations(stack, [ref]);
  const profile = await getSendingProfile(stack.db, tenant.id);
  if (!profile.ready)
    throw new Error(`tenant ${tenant.id} is not ready: ${JSON.stringify(profile.blockedReason)}`);
  return { tenant, key, registration, profile };
}
