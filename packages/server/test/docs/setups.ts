/**
 * What each document's examples run against, and what they take for granted that no earlier
 * example of the same document makes (a tenant approved to send, a file to upload, the reader's
 * own values for `sk_test_…` or `+14155550123`). Every document gets the product as `npm start`
 * leaves it: the API, the sandbox emulator on the clock they share, `$SUBTEXT` and `$ADMIN` set
 * as the README's tour sets them, `./data` its data directory. A document not listed here gets
 * just that.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "subtext-emulator";
import { getSendingProfile } from "../../src/onboarding/sending-profile.js";
import { totpCode } from "../../src/staff/totp.js";
import { type SandboxStack, eventually, startStack } from "../integration/harness.js";
import { startReceiver } from "../integration/events-receiver.js";
import type { Bindings } from "./answers.js";
import { ROOT, namedExample } from "./markdown.js";
import type { DocRun, Fixture } from "./runner.js";
import { ShellSession } from "./shell.js";

export interface StartedDoc {
  doc: DocRun;
  close(): Promise<void>;
}

/** What a document's TypeScript examples take as the reader's own, declared before them. */
export const TYPESCRIPT_PRELUDES: Record<string, string> = {
  "packages/sdk/README.md": [
    "// What the examples take as the reader's own.",
    'const customers = [{ phone: "+14155550101", name: "Ann" }, { phone: "+14155550102", name: "Bob" }];',
  ].join("\n"),
};

const REGISTRATION = () => JSON.parse(namedExample("docs/onboarding.md", "sole_proprietor").text);

function workDir(file: string): string {
  const dir = join(
    ROOT,
    ".cache/doc-examples",
    `${file.replace(/\W+/g, "-")}-${randomBytes(4).toString("hex")}`,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

function emptyBindings(): Bindings {
  return { values: new Map(), fields: new Map() };
}

/** The product as `npm start` leaves it, with what the README's tour exports. */
async function product(file: string): Promise<{ stack: SandboxStack; doc: DocRun; close(): Promise<void> }> {
  // The product's own rate limits (the docs describe them; on the sandbox clock, windows end).
  const stack = await startStack({
    clock: "sandbox",
    env: { SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "100", SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "60000" },
  });
  const work = workDir(file);
  const close = async () => {
    await stack.close();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    return { stack, doc: await runOn(stack, file, work), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function runOn(stack: SandboxStack, file: string, work: string): Promise<DocRun> {
  symlinkSync(stack.dataDir, join(work, "data"));
  const api = new URL(stack.url);
  const emulator = new URL(stack.emulator.url);
  const shell = new ShellSession(work, {
    SUBTEXT: stack.url,
    ADMIN: stack.adminToken,
    // For `npx subtext …`: where `npm start` would have put the API and the emulator.
    HOST: api.hostname,
    PORT: api.port,
    SUBTEXT_EMULATOR_PORT: emulator.port,
    LOG_LEVEL: "warn",
  });
  const bindings = emptyBindings();
  for (const [placeholder, value] of [
    ["http://127.0.0.1:3000", stack.url],
    ["http://localhost:3000", stack.url],
    ["http://127.0.0.1:3001", stack.emulator.url],
    ["st_admin_…", stack.adminToken],
    ["st_emu_…", stack.emulator.controlToken],
  ]) {
    bindings.values.set(placeholder, value);
  }
  const openapi = (await stack.api("GET", "/openapi.json", { token: null })).body;
  return {
    file,
    work,
    shell,
    bindings,
    fixtures: [],
    openapi,
    api: stack.url,
    typescript: { env: { SUBTEXT_ADMIN_TOKEN: stack.adminToken }, prelude: TYPESCRIPT_PRELUDES[file] ?? "" },
    javascript: { env: async () => ({}), prelude: async () => "" },
  };
}

/**
 * A tenant registered with the sole-proprietor example of docs/onboarding.md, its registration
 * driven on the sandbox clock to `until` (answering the OTP text on the way to `approved`).
 */
async function registeredTenant(stack: SandboxStack, until: "awaiting_otp" | "approved") {
  const { tenant, key } = await stack.newTenant({ name: "Jane's Bakery" });
  const document = REGISTRATION();
  const created = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
    token: key,
    body: document,
  });
  if (created.status !== 202)
    throw new Error(`registration: ${created.status} ${JSON.stringify(created.body)}`);
  const path = `/v1/tenants/${tenant.id}/registrations/${created.body.id}`;
  const handset = encodeURIComponent(document.business.mobile_phone_number);
  let answered = false;
  for (let advances = 0; ; advances++) {
    const { body } = await stack.api("GET", path, { token: key });
    if (body.state === until) break;
    if (body.state === "failed" || advances > 100)
      throw new Error(
        `the registration is ${body.state} after ${advances} advances: ${JSON.stringify(body)}`,
      );
    // Once: Subtext learns of the answer a moment later (404 until the emulator has sent the text).
    if (body.state === "awaiting_otp" && !answered) {
      const otp = await fetch(`${stack.emulator.url}/_emulator/handsets/${handset}/otp-reply`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${stack.emulator.controlToken}`,
          "content-type": "application/json",
        },
        body: "{}",
      });
      if (otp.status !== 200 && otp.status !== 404)
        throw new Error(`otp-reply: ${otp.status} ${await otp.text()}`);
      answered = otp.status === 200;
    }
    const advanced = await stack.api("POST", "/v1/sandbox/clock/advance", { body: { by: "5m" } });
    if (advanced.status !== 200)
      throw new Error(`advance: ${advanced.status} ${JSON.stringify(advanced.body)}`);
  }
  const profile = await getSendingProfile(stack.db, tenant.id);
  return { tenant, key, registrationId: created.body.id as string, number: profile.senders[0]?.phoneNumber };
}

/** Binds the docs' tenant, key and number (+14155550123) to a tenant approved to send. */
async function approvedTenant(stack: SandboxStack, bindings: Bindings) {
  const ready = await registeredTenant(stack, "approved");
  if (!ready.number) throw new Error("the approved tenant has no number");
  for (const [placeholder, value] of [
    ["ten_01J…", ready.tenant.id],
    ["sk_test_…", ready.key],
    ["+14155550123", ready.number],
    ["%2B14155550123", encodeURIComponent(ready.number)],
  ]) {
    bindings.values.set(placeholder, value);
  }
  return ready;
}

interface Product {
  stack: SandboxStack;
  doc: DocRun;
}

/** What a document adds to the product; may return what to close before it. */
type Extension = (product: Product) => Promise<void | (() => Promise<void>)>;

const EXTENSIONS: Record<string, Extension> = {
  // The tour uploads registration.json, "the example document of docs/onboarding.md".
  async "README.md"({ doc }) {
    writeFileSync(
      join(doc.work, "registration.json"),
      namedExample("docs/onboarding.md", "sole_proprietor").text,
    );
  },

  // "Answering the OTP" looks at a registration waiting for the customer's YES: made when the
  // page first names it (after the clock examples, which move days ahead and would expire it).
  async "docs/onboarding.md"({ stack, doc }) {
    doc.fixtures.push({
      when: "ten_…",
      async run() {
        const waiting = await registeredTenant(stack, "awaiting_otp");
        doc.bindings.values.set("ten_…", waiting.tenant.id);
        doc.bindings.values.set("reg_…", waiting.registrationId);
      },
    });
  },

  // A tenant approved to send; the opt-out import's CSV; a webhook endpoint of the setup's own,
  // whose first delivery is what the signature example verifies.
  async "docs/messaging.md"({ stack, doc }) {
    const { key } = await approvedTenant(stack, doc.bindings);
    writeFileSync(
      join(doc.work, "old-provider.csv"),
      "phone,scope,reason\n+14155550101,all,imported from old provider\n+14155550102\n+1415,all,not a number\n",
    );
    const receiver = await startReceiver();
    const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
      token: key,
      body: { url: `${receiver.url}/subtext`, event_types: ["message.queued"] },
    });
    if (endpoint.status !== 201) {
      await receiver.close();
      throw new Error(`endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
    }
    doc.javascript = {
      env: async () => ({ SUBTEXT_WEBHOOK_SECRET: endpoint.body.secret }),
      async prelude() {
        const delivery = await eventually("a webhook delivery", async () => receiver.received[0]);
        return [
          "// A delivery Subtext made to an endpoint of this page's tenant, as the receiver got it.",
          `const rawBody = ${JSON.stringify(delivery.body)};`,
          `const req = { headers: ${JSON.stringify(delivery.headers)} };`,
        ].join("\n");
      },
    };
    return () => receiver.close();
  },

  // A tenant with a number (Verify, WhatsApp and voice need no registration, but a number: the
  // approved tenant has one). The Verify check takes the code the emulator's Verify sent; the
  // first WhatsApp send needs a sender and a contact who wrote first.
  async "docs/channels.md"({ stack, doc }) {
    const { key, number } = await approvedTenant(stack, doc.bindings);
    const contact = "+14155552671";
    const fixtures: Fixture[] = [
      {
        when: '"code": "123456"',
        async run() {
          const { verifications } = await stack.emulator.control(
            "GET",
            `verify/verifications?to=${encodeURIComponent(contact)}`,
          );
          doc.bindings.values.set('"code": "123456"', `"code": "${verifications[0].code}"`);
        },
      },
      {
        when: `whatsapp:${contact}`,
        async run() {
          const sender = await stack.api("POST", "/v1/whatsapp/senders", {
            token: key,
            body: { phone_number: number },
          });
          if (sender.status !== 201)
            throw new Error(`sender: ${sender.status} ${JSON.stringify(sender.body)}`);
          await stack.emulator.control("POST", `handsets/${encodeURIComponent(contact)}/messages`, {
            to: `whatsapp:${number}`,
            body: "Hi!",
          });
        },
      },
    ];
    doc.fixtures.push(...fixtures);
  },

  async "docs/monitoring.md"({ stack, doc }) {
    const { tenant, key } = await stack.newTenant({ name: "Jane's Bakery" });
    doc.bindings.values.set("ten_01J…", tenant.id);
    doc.bindings.values.set("sk_test_…", key);
  },

  // The customer user belongs to a tenant; the sign-in's code is the authenticator's, computed
  // from the secret the first sign-in answered (as an app would).
  async "docs/staff.md"({ stack, doc }) {
    const { tenant } = await stack.newTenant({ name: "Jane's Bakery" });
    doc.bindings.values.set("ten_01J…", tenant.id);
    doc.fixtures.push({
      when: "492039",
      async run() {
        const secret = doc.bindings.fields.get("secret");
        if (!secret) throw new Error("no TOTP secret from an earlier answer");
        doc.bindings.values.set("492039", totpCode(secret, new Date()));
      },
    });
  },

  // The client examples as one program: the admin token and a key of a tenant approved to send.
  async "packages/sdk/README.md"({ stack, doc }) {
    const { key } = await approvedTenant(stack, doc.bindings);
    doc.typescript.env = { SUBTEXT_ADMIN_TOKEN: stack.adminToken, SUBTEXT_KEY: key };
  },
};

/** The emulator on its own, as `npx subtext-emulator --port 4010` starts it: no control token. */
const EMULATOR_ALONE = "packages/emulator/README.md";
async function emulatorAlone(file: string): Promise<StartedDoc> {
  const emulator: RunningEmulator = await startEmulator({ port: 0 });
  const work = workDir(file);
  const doc: DocRun = {
    file,
    work,
    shell: new ShellSession(work, {}),
    bindings: emptyBindings(),
    fixtures: [],
    openapi: { paths: {} },
    typescript: { env: {}, prelude: TYPESCRIPT_PRELUDES[file] ?? "" },
    javascript: { env: async () => ({}), prelude: async () => "" },
  };
  doc.bindings.values.set("localhost:4010", new URL(emulator.url).host);
  return {
    doc,
    async close() {
      await emulator.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Starts what a document's examples run against (a product, plus the document's extension). */
export async function setUp(file: string): Promise<StartedDoc> {
  if (file === EMULATOR_ALONE) return emulatorAlone(file);
  const { stack, doc, close } = await product(file);
  try {
    const closeExtension = await EXTENSIONS[file]?.({ stack, doc });
    return {
      doc,
      async close() {
        await closeExtension?.();
        await close();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The documents with a setup of their own. */
export const SETUP_FILES = [...Object.keys(EXTENSIONS), EMULATOR_ALONE];
