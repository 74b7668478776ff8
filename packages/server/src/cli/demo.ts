import { randomInt } from "node:crypto";
import { isIPv6 } from "node:net";
import { loadConfig } from "../config/config.js";

/**
 * `subtext demo`: a first message in one command, against a running sandbox. It does what a
 * user would do by hand, over HTTP only (Subtext's public API and the emulator's documented
 * control API), and prints each step with the curl command that does the same — so it doubles
 * as a walkthrough of the API. Nothing in it reaches into the server's internals.
 */
export interface DemoOptions {
  url?: string;
  adminToken?: string;
}

/** Wall-time budgets: the demo promises under a minute; these leave room for a slow machine. */
const REGISTRATION_BUDGET_MS = 45_000;
const DELIVERY_BUDGET_MS = 20_000;

export async function demoCommand(opts: DemoOptions): Promise<void> {
  const config = loadConfig();
  if (config.mode === "live") {
    throw new Error(
      "subtext demo runs in sandbox mode only: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set (live mode), and the demo would register a real business and send real texts. Unset them to use the sandbox.",
    );
  }
  const admin = opts.adminToken ?? config.adminToken;
  if (!admin) {
    throw new Error(
      "subtext demo needs the admin token: pass --admin-token st_admin_… or set SUBTEXT_ADMIN_TOKEN. The first `npm start` printed it (`Admin token (shown once …)`); lost it? Stop Subtext and run `npx subtext admin-token reset`.",
    );
  }
  const base = (opts.url ?? `http://${reachable(config.host)}:${config.port}`).replace(/\/+$/, "");
  const started = Date.now();

  step("How this deployment runs");
  curl("GET", "$SUBTEXT/v1/system", "$ADMIN");
  const system = await call(base, "GET", "/v1/system", admin);
  if (system.mode !== "sandbox") {
    throw new Error(
      `the Subtext at ${base} runs in live mode (real Twilio): subtext demo runs against a sandbox only`,
    );
  }
  const emulator = String(system.emulator_url ?? "").replace(/\/+$/, "");
  const emulatorToken: string | undefined = system.emulator_control_token;
  if (!emulator || !emulatorToken) {
    throw new Error("GET /v1/system named no emulator and control token: is this Subtext's sandbox?");
  }
  say(`sandbox mode, ${system.engine} — the emulator answers at ${emulator}`);
  say(
    `to run the curl lines yourself: export SUBTEXT=${base} EMULATOR=${emulator} EMULATOR_TOKEN=${emulatorToken} ADMIN=<your admin token>`,
  );

  step("Create a tenant (one of your customers; Subtext creates its Twilio subaccount)");
  const name = `Ruiz Flowers (demo ${new Date().toISOString().slice(0, 19)})`;
  curl("POST", "$SUBTEXT/v1/tenants", "$ADMIN", { name });
  const tenant = await call(base, "POST", "/v1/tenants", admin, { name });
  say(`tenant ${tenant.id} (${tenant.status}), subaccount ${tenant.subaccount_sid}`);

  step("Create an API key for the tenant (shown once)");
  curl("POST", `$SUBTEXT/v1/tenants/${tenant.id}/api-keys`, "$ADMIN", { name: "demo" });
  const key = (await call(base, "POST", `/v1/tenants/${tenant.id}/api-keys`, admin, { name: "demo" })).key;
  say(`KEY=${key}`);

  // A handset number of its own per run: the sandbox, like TCR, refuses a mobile number that is
  // already on more than three brands, and the demo may run many times on one sandbox.
  const handset = fictional(BUSINESS_PHONE);
  const customer = fictional(BUSINESS_PHONE, handset);
  const document = soleProprietor(handset);
  step("Register the tenant to send: a sole proprietor (docs/onboarding.md)");
  curl("POST", `$SUBTEXT/v1/tenants/${tenant.id}/registrations`, "$KEY", document);
  const submitted = await call(base, "POST", `/v1/tenants/${tenant.id}/registrations`, key, document);
  const registrationPath = `/v1/tenants/${tenant.id}/registrations/${submitted.id}`;
  say(`registration ${submitted.id}: ${submitted.state}`);

  step("Move the sandbox clock a few minutes at a time until the registration is approved");
  curl("POST", "$SUBTEXT/v1/sandbox/clock/advance", "$ADMIN", { by: "5m" });
  curl("GET", `$SUBTEXT${registrationPath}`, "$KEY");
  let registration = submitted;
  let state = "";
  let advances = 0;
  let answered = false;
  let shownOtp = false;
  const deadline = Date.now() + REGISTRATION_BUDGET_MS;
  while (registration.state !== "approved") {
    if (registration.state === "failed") {
      throw new Error(`the registration failed: ${JSON.stringify(registration.failure ?? registration)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the registration is still ${registration.state} after ${advances} advances of 5 minutes; look at GET ${registrationPath}`,
      );
    }
    if (registration.state === "awaiting_otp" && !answered) {
      const path = `/_emulator/handsets/${encodeURIComponent(handset)}/otp-reply`;
      if (!shownOtp) {
        step(
          `The owner's phone (${handset}) gets a confirmation text: answer it YES from the emulator's handset`,
        );
        curl("POST", `$EMULATOR${path}`, "$EMULATOR_TOKEN", { body: "YES" });
        shownOtp = true;
      }
      // 404 until the text has reached the handset (the emulator sends it on its own clock).
      const otp = await request(emulator, "POST", path, emulatorToken, { body: "YES" });
      if (otp.status === 200) {
        answered = true;
        say(`answered: brand ${otp.body.brand_registration_sid} ${otp.body.status}`);
      } else if (otp.status !== 404) {
        throw failure("POST", emulator, path, otp);
      }
    }
    await call(base, "POST", "/v1/sandbox/clock/advance", admin, { by: "5m" });
    advances++;
    registration = await call(base, "GET", registrationPath, key);
    if (registration.state !== state) {
      state = registration.state;
      say(`after ${advances} × 5m: ${state}`);
    }
  }

  step("Send a message");
  const message = {
    to: customer,
    body: "Ruiz Flowers: your bouquet leaves the shop at 5pm. Reply STOP to opt out.",
  };
  curl("POST", "$SUBTEXT/v1/messages", "$KEY", message);
  const sent = await call(base, "POST", "/v1/messages", key, message);
  say(`message ${sent.id}: ${sent.status}`);

  step("Wait for it to be delivered");
  curl("GET", `$SUBTEXT/v1/messages/${sent.id}`, "$KEY");
  const delivered = await until(`message ${sent.id} to be delivered`, async () => {
    const m = await call(base, "GET", `/v1/messages/${sent.id}`, key);
    if (m.status === "failed" || m.status === "undelivered" || m.status === "canceled") {
      throw new Error(`the message ended ${m.status}: ${JSON.stringify(m.error)}`);
    }
    return m.status === "delivered" && m.from ? m : undefined;
  });
  say(`delivered from ${delivered.from} to ${delivered.to}`);

  step(`The customer (${customer}) answers from the emulator's handset`);
  const reply = { to: delivered.from, body: "Thank you! Someone will be home." };
  const inboundPath = `/_emulator/handsets/${encodeURIComponent(customer)}/messages`;
  curl("POST", `$EMULATOR${inboundPath}`, "$EMULATOR_TOKEN", reply);
  await call(emulator, "POST", inboundPath, emulatorToken, reply);

  step("The inbound message, as the tenant sees it");
  const listPath = `/v1/messages?from=${encodeURIComponent(customer)}`;
  curl("GET", `$SUBTEXT${listPath}`, "$KEY");
  const inbound = await until("the inbound message to reach Subtext", async () => {
    const list = await call(base, "GET", listPath, key);
    return (list.data as any[]).find((m) => m.direction === "inbound");
  });
  say(`${inbound.id}: ${inbound.direction} ${inbound.status} from ${inbound.from}: "${inbound.body}"`);

  console.log(
    `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: tenant ${tenant.id} is approved, message ${sent.id} delivered, reply ${inbound.id} received.`,
  );
}

function step(title: string) {
  console.log(`\n== ${title}`);
}

function say(line: string) {
  console.log(`   ${line}`);
}

/** The curl command that does the same, with the shell variables the demo printed at its start. */
function curl(method: string, url: string, token: string, body?: unknown) {
  const parts = ["curl -s"];
  if (method !== "GET") parts.push(`-X ${method}`);
  parts.push(`"${url}"`, `-H "Authorization: Bearer ${token}"`);
  if (body !== undefined)
    parts.push(`-H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`);
  console.log(`   $ ${parts.join(" ")}`);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function call(base: string, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await request(base, method, path, token, body);
  if (res.status === 401 && path === "/v1/system") {
    throw new Error(
      `${base} refused the admin token (401): pass the one \`npm start\` printed, with --admin-token or SUBTEXT_ADMIN_TOKEN`,
    );
  }
  if (res.status >= 400) throw failure(method, base, path, res);
  return res.body;
}

async function request(base: string, method: string, path: string, token: string, body?: unknown) {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED") {
      throw new Error(
        `nothing answers at ${base}: start Subtext first (\`npm start\`), or name it with --url <url> (the start banner's API line)`,
      );
    }
    throw err;
  }
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed };
}

/** Subtext's errors are {error: {code, message, hint}}; the emulator's are Twilio's {code, message}. */
function failure(method: string, base: string, path: string, res: { status: number; body: any }): Error {
  const e = res.body?.error ?? res.body;
  const detail =
    e && typeof e === "object"
      ? `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ""}`
      : String(res.body ?? "");
  return new Error(`${method} ${base}${path} answered ${res.status}: ${detail}`);
}

/** Polls until `probe` returns a value (the sandbox delivers within a second or so of real time). */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DELIVERY_BUDGET_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A US number in 555-0100…0199, the range reserved for fiction (never a real subscriber). */
function fictional(...not: string[]): string {
  for (;;) {
    const n = `+1512555${String(100 + randomInt(100)).padStart(4, "0")}`;
    if (!not.includes(n)) return n;
  }
}

const BUSINESS_PHONE = "+15125550147";

/** docs/onboarding.md's sole-proprietor example, with the owner's mobile number of this run. */
function soleProprietor(mobile: string) {
  return {
    kind: "sole_proprietor",
    business: {
      first_name: "Ana",
      last_name: "Ruiz",
      email: "ana@ruizflowers.com",
      phone_number: BUSINESS_PHONE,
      mobile_phone_number: mobile,
      brand_name: "Ruiz Flowers",
      vertical: "RETAIL",
      address: { street: "12 Elm St", city: "Austin", region: "TX", postal_code: "78701", iso_country: "US" },
    },
    campaign: {
      use_case: "SOLE_PROPRIETOR",
      description: "Delivery updates from Ruiz Flowers to customers who asked for them when ordering.",
      message_flow:
        "Customers tick an unchecked SMS consent box on the order form at ruizflowers.com/order; privacy policy at ruizflowers.com/privacy, terms at ruizflowers.com/terms.",
      message_samples: [
        "Ruiz Flowers: your bouquet [order_id] leaves the shop at [time]. Reply STOP to opt out.",
        "Ruiz Flowers: your order [order_id] was delivered. Reply HELP for help, STOP to opt out.",
      ],
      has_embedded_links: false,
      has_embedded_phone: false,
    },
  };
}

function reachable(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return isIPv6(host) ? `[${host}]` : host;
}
