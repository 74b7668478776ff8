/**
 * A tenant with one real resource of every kind the API serves (a sent message, an opt-out,
 * a webhook endpoint and its events, an alert rule, a verification, WhatsApp sender, template
 * and opt-in, an IVR flow and a call, a lane, a number and its Messaging Service, a regulatory bundle,
 * a short code application, a registration, a staff user, a key, a usage
 * drift), made through the public API on the integration harness. The isolation and bad-input proofs aim
 * their requests at these ids.
 */
import { randomBytes } from "node:crypto";
import { dispatchAll, readyToSend } from "../support/messaging.js";
import type { Stack } from "../integration/harness.js";

export interface TenantWorld {
  tenantId: string;
  key: string;
  keyId: string;
  number: string;
  messagingServiceSid: string;
  /** Ids (and phone numbers) of this tenant's resources, by the collection that serves them. */
  ids: Record<string, string>;
  /** Strings that appear only in this tenant's data: none may show up in another tenant's answers. */
  secrets: string[];
}

const phone = (n: number) => `+1415${String(n).padStart(7, "0")}`;

async function must(stack: Stack, what: string, method: string, path: string, token: string, body?: unknown) {
  const res = await stack.api(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Onboards a tenant to ready (sole proprietor) and creates one resource of each kind. */
export async function buildTenantWorld(stack: Stack, seed: number, hookUrl: string): Promise<TenantWorld> {
  const ready = await readyToSend(stack);
  const { tenant, key, registration, profile } = ready;
  const number = profile.senders[0].phoneNumber;
  const admin = stack.adminToken;
  const tag = `w${seed}${randomBytes(3).toString("hex")}`;
  const ids: Record<string, string> = {
    tenants: tenant.id,
    registrations: registration.id,
    // A sole proprietor's one campaign is its registration's own (GET …/campaigns/{rid}).
    campaigns: registration.id,
  };
  const keys = await must(stack, "list keys", "GET", `/v1/tenants/${tenant.id}/api-keys`, admin);
  ids["api-keys"] = keys.data[0].id;

  const message = await must(stack, "send", "POST", "/v1/messages", key, {
    to: phone(5_550_000 + seed * 10),
    body: `Order ${tag} is ready`,
  });
  ids.messages = message.id;
  await dispatchAll(stack as never);

  ids["opt-outs"] = phone(5_550_001 + seed * 10);
  await must(stack, "opt out", "POST", "/v1/opt-outs", key, { phone: ids["opt-outs"], reason: tag });

  const endpoint = await must(stack, "webhook endpoint", "POST", "/v1/webhook-endpoints", key, {
    url: `${hookUrl}/${tag}`,
    description: tag,
  });
  ids["webhook-endpoints"] = endpoint.id;
  const events = await must(stack, "events", "GET", "/v1/events", key);
  if (!events.data.length) throw new Error("the tenant has no events to aim at");
  ids.events = events.data[0].id;

  const rule = await must(stack, "alert rule", "POST", "/v1/alert-rules", key, {
    kind: "delivery_rate_below",
    threshold: 90,
  });
  ids["alert-rules"] = rule.id;

  const verification = await must(stack, "verification", "POST", "/v1/verify/verifications", key, {
    to: phone(5_550_002 + seed * 10),
    channel: "sms",
  });
  ids.verifications = verification.id;

  const sender = await must(stack, "whatsapp sender", "POST", "/v1/whatsapp/senders", key, {
    phone_number: number,
  });
  ids.senders = sender.id;
  const template = await must(stack, "template", "POST", "/v1/whatsapp/templates", key, {
    name: `proof_${tag}`,
    language: "en",
    category: "UTILITY",
    body: "Hi {{1}}, your order is ready.",
    variables: { "1": "Ann" },
  });
  ids.templates = template.id;
  ids["opt-ins"] = phone(5_550_003 + seed * 10);
  await must(stack, "whatsapp opt-in", "POST", "/v1/whatsapp/opt-ins", key, {
    phone_number: ids["opt-ins"],
    evidence: tag,
  });

  const flow = await must(stack, "ivr flow", "POST", "/v1/ivr-flows", key, ivrFlow(tag));
  ids["ivr-flows"] = flow.id;
  const call = await must(stack, "call", "POST", "/v1/calls", key, {
    to: phone(5_550_004 + seed * 10),
    say: `Hello ${tag}`,
  });
  ids.calls = call.id;

  const numbers = await must(stack, "numbers", "GET", "/v1/numbers", key);
  ids.numbers = numbers.data[0].id;
  ids["messaging-services"] = numbers.data[0].messaging_service_id;

  const alpha = await must(stack, "alpha sender", "POST", "/v1/alpha-senders", key, {
    alpha_sender_id: `Pr${tag.replace(/[^A-Za-z0-9]/g, "").slice(-8)}`,
    countries: ["GB", "IN"],
  });
  ids["alpha-senders"] = alpha.id;
  const bundle = await must(stack, "regulatory bundle", "POST", `/v1/tenants/${tenant.id}/bundles`, key, {
    country: "GB",
    number_type: "mobile",
    end_user_type: "individual",
    email: `${tag}@example.com`,
    end_user: { first_name: "Ada", last_name: tag },
    documents: [
      {
        type: "passport",
        attributes: {
          first_name: "Ada",
          last_name: tag,
          document_number: tag,
          expiration_date: "2099-01-01",
        },
      },
    ],
    address: {
      customer_name: `Ada ${tag}`,
      street: "1 Example Street",
      city: "London",
      region: "London",
      postal_code: "SW1A 1AA",
      iso_country: "GB",
    },
  });
  ids.bundles = bundle.id;
  const shortCode = await must(stack, "short code", "POST", `/v1/tenants/${tenant.id}/short-codes`, key, {
    use_case: `Order notifications ${tag}`,
    message_samples: [`Order ${tag} shipped. Reply STOP to opt out.`],
    opt_in_flow: "A box ticked at checkout",
    expected_monthly_volume: 1000,
  });
  ids["short-codes"] = shortCode.id;

  const lanes = await must(stack, "lanes", "GET", "/v1/lanes", key);
  ids.lanes = lanes.data[0].id;

  const staff = await must(stack, "staff user", "POST", "/v1/staff/users", admin, {
    email: `${tag}@example.com`,
    name: `Staff ${tag}`,
    role: "developer",
    password: `Pw-${randomBytes(12).toString("hex")}`,
    tenant_id: tenant.id,
  });
  ids.users = staff.id;

  // Let Twilio finish what it started (the call rings and ends, the message is delivered) and
  // its callbacks land, so the world stands still while the proofs compare snapshots.
  await settle(stack, key, ids);
  // The bundle's review is over at Twilio: let its job see it, so the bundle stands still too.
  for (let round = 0; round < 10; round++) {
    const b = await must(stack, "bundle", "GET", `/v1/tenants/${tenant.id}/bundles/${ids.bundles}`, key);
    if (b.state === "approved") break;
    await stack.clock.advance(60_000);
    await stack.jobs.runDue();
  }

  // A difference between its usage and Twilio's bill: Twilio (the emulator) bills one segment
  // more today, and the operator's check opens it.
  const today = stack.clock.now().toISOString().slice(0, 10);
  const { subaccount_sid } = await must(stack, "tenant", "GET", `/v1/tenants/${tenant.id}`, admin);
  await stack.emulator.control("POST", "usage/skews", {
    account_sid: subaccount_sid,
    date: today,
    category: "sms-outbound",
    add_count: 1,
  });
  const check = await must(stack, "drift check", "POST", "/v1/usage/drift/check", admin, {
    tenant_id: tenant.id,
    from: today,
    to: today,
  });
  if (check.opened.length !== 1) throw new Error(`no usage drift opened: ${JSON.stringify(check)}`);
  ids["usage-drift"] = check.opened[0];

  return {
    tenantId: tenant.id,
    key,
    keyId: ids["api-keys"],
    number,
    messagingServiceSid: profile.messagingServiceSid ?? "",
    ids,
    secrets: [tag, tenant.name, number, ...Object.values(ids)],
  };
}

export function ivrFlow(tag: string) {
  return {
    name: `Flow ${tag}`,
    start: "welcome",
    nodes: {
      welcome: { type: "say", text: `Welcome ${tag}.`, next: "end" },
      end: { type: "hangup" },
    },
  };
}

/** Moves Twilio's clock until the call has ended and the message is final, callbacks landed. */
async function settle(stack: Stack, key: string, ids: Record<string, string>): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await stack.emulator.control("POST", "clock/advance", { seconds: 120 });
    await stack.emulator.running.world.callbacks.settle();
    const call = (await stack.api("GET", `/v1/calls/${ids.calls}`, { token: key })).body;
    const message = (await stack.api("GET", `/v1/messages/${ids.messages}`, { token: key })).body;
    const pending = await stack.emulator.control<{ jobs: unknown[] }>("GET", "jobs");
    if (FINAL_CALL.has(call.status) && FINAL_MESSAGE.has(message.status) && pending.jobs.length === 0) return;
  }
  throw new Error("the tenant's call and message never settled");
}

const FINAL_CALL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);
const FINAL_MESSAGE = new Set(["delivered", "undelivered", "failed"]);
