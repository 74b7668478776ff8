import twilio from "twilio";
import { beforeAll, describe, expect, it } from "vitest";
import { reviewTemplate } from "../src/content/v1/review.js";
import { typeKey } from "../src/content/v1/template.js";
import { schemaFindings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let recorder: RecordingRequestClient;
let client: twilio.Twilio;

beforeAll(() => {
  recorder = new RecordingRequestClient(em.url);
  client = twilio(em.emulator.parent.sid, em.emulator.parent.authToken, { httpClient: recorder });
});

function expectConformance() {
  expect(schemaFindings(recorder.take().filter((e) => e.status < 400))).toEqual([]);
}

/** The wire spelling Twilio documents: snake_case and `twilio/text` keys. */
const wire = (name: string, body: string) =>
  client.content.v1.contents.create({
    friendly_name: name,
    language: "en",
    variables: { "1": "Ann" },
    types: { "twilio/text": { body } },
  } as any);

const approval = async (sid: string) =>
  (await client.content.v1.contents(sid).approvalFetch().fetch()).whatsapp;

describe("Content v1", () => {
  it("a template sent in the documented wire spelling is stored and read back as sent", async () => {
    const created = await wire("order_ready", "Hi {{1}}, your order is ready for pickup.");
    expect(created.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(created).toMatchObject({ friendlyName: "order_ready", language: "en", variables: { "1": "Ann" } });
    expect(created.types).toEqual({ "twilio/text": { body: "Hi {{1}}, your order is ready for pickup." } });
    expect(created.dateCreated).toBeInstanceOf(Date);
    const fetched = await client.content.v1.contents(created.sid).fetch();
    expect(fetched.types).toEqual(created.types);
    const listed = await client.content.v1.contents.list();
    expect(listed.map((c) => c.sid)).toContain(created.sid);
    expectConformance();
  });

  it("the SDK's camelCase spelling is accepted and stored in Twilio's canonical form", async () => {
    const created = await client.content.v1.contents.create({
      friendlyName: "otp_login",
      language: "en",
      types: {
        twilioText: { body: "Your code is {{1}}. It expires in ten minutes." },
        whatsappAuthentication: { body: "{{1}}", addSecurityRecommendation: true, codeExpirationMinutes: 10 },
      },
    } as any);
    expect(created.friendlyName).toBe("otp_login");
    expect(Object.keys(created.types)).toEqual(["twilio/text", "whatsapp/authentication"]);
    expect(created.types["whatsapp/authentication"]).toMatchObject({
      add_security_recommendation: true,
      code_expiration_minutes: 10,
    });
    const doc = em.emulator.world.store.get<any>("contents", created.sid);
    expect(doc.types["twilio/text"].body).toBe("Your code is {{1}}. It expires in ten minutes.");
    expect(doc.approval).toBeNull();
    expectConformance();
  });

  it("a WhatsApp approval moves received → pending → approved on emulated time", async () => {
    const c = await wire("Shipping update", "Hello {{1}}, your parcel is on its way to you.");
    expect((await approval(c.sid)).status).toBe("unsubmitted");
    const submitted = await client.content.v1
      .contents(c.sid)
      .approvalCreate.create({ name: "shipping_update", category: "UTILITY" });
    expect(submitted).toMatchObject({ name: "shipping_update", category: "UTILITY", status: "received" });
    expect(submitted.contentType).toBe("twilio/text");
    await em.advance(5);
    expect((await approval(c.sid)).status).toBe("pending");
    await em.advance(60);
    expect(await approval(c.sid)).toMatchObject({
      status: "approved",
      name: "shipping_update",
      type: "whatsapp",
    });
    expect(em.emulator.world.store.get<any>("contents", c.sid).approval.status).toBe("approved");
    const withApprovals = await client.content.v1.contentAndApprovals.list();
    const row = withApprovals.find((x) => x.sid === c.sid);
    expect(row?.approvalRequests).toMatchObject({ status: "approved", category: "UTILITY" });
    expectConformance();
  });

  it("Meta's rules reject a body opening with a variable and an AUTHENTICATION template of the wrong type", async () => {
    const leading = await wire("greeting", "{{1}}, thanks for shopping with us today!");
    const auth = await wire("auth_text", "Your login code is {{1}} and it expires soon.");
    await client.content.v1
      .contents(leading.sid)
      .approvalCreate.create({ name: "greeting", category: "MARKETING" });
    await client.content.v1
      .contents(auth.sid)
      .approvalCreate.create({ name: "auth_text", category: "AUTHENTICATION" });
    await em.advance(65);
    const first = await approval(leading.sid);
    expect(first.status).toBe("rejected");
    expect(first.rejection_reason).toMatch(/start or end/);
    const second = await approval(auth.sid);
    expect(second.status).toBe("rejected");
    expect(second.rejection_reason).toMatch(/whatsapp\/authentication/);
    // A rejected template may be fixed and resubmitted.
    await client.content.v1.contents(leading.sid).update({
      friendly_name: "greeting",
      language: "en",
      types: { "twilio/text": { body: "Hello {{1}}, thanks for shopping with us today!" } },
    } as any);
    await client.content.v1
      .contents(leading.sid)
      .approvalCreate.create({ name: "greeting", category: "MARKETING" });
    await em.advance(65);
    expect((await approval(leading.sid)).status).toBe("approved");
    expectConformance();
  });

  it("a submission with an invalid name or category is refused; a deleted template is gone", async () => {
    const c = await wire("Promo", "Hello {{1}}, our spring sale starts tomorrow morning.");
    const badName = await twilioError(
      client.content.v1
        .contents(c.sid)
        .approvalCreate.create({ name: "Spring Sale!", category: "MARKETING" }),
    );
    expect(badName.status).toBe(400);
    const badCategory = await twilioError(
      client.content.v1.contents(c.sid).approvalCreate.create({ name: "spring_sale", category: "PROMO" }),
    );
    expect(badCategory.status).toBe(400);
    const noTypes = await twilioError(client.content.v1.contents.create({ language: "en" } as any));
    expect(noTypes.status).toBe(400);
    await client.content.v1.contents(c.sid).remove();
    expect((await twilioError(client.content.v1.contents(c.sid).fetch())).code).toBe(20404);
  });
});

describe("WhatsApp template review rules", () => {
  const text = (body: string) => ({ types: { "twilio/text": { body } } });
  it.each([
    ["Hi {{1}}, your order {{2}} is ready.", "UTILITY", "approved"],
    ["{{1}} is your order number.", "UTILITY", "rejected"],
    ["Your order is ready, {{1}}", "UTILITY", "rejected"],
    ["Hi {{1}}, see you on {{3}} at the shop.", "UTILITY", "rejected"],
    ["Hi {{1}} {{2}} {{3}}.", "MARKETING", "rejected"],
    ["Your code is {{1}}. Do not share it.", "AUTHENTICATION", "rejected"],
  ])("%s in %s is %s", (body, category, status) => {
    expect(reviewTemplate(text(body), category as any, "twilio/text").status).toBe(status);
  });

  it.each([
    ["twilioText", "twilio/text"],
    ["twilioCallToAction", "twilio/call-to-action"],
    ["whatsappAuthentication", "whatsapp/authentication"],
    ["twilio/quick-reply", "twilio/quick-reply"],
  ])("the SDK key %s is the content type %s", (key, type) => {
    expect(typeKey(key)).toBe(type);
  });
});
