import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantTwilio } from "../../src/tenancy/credentials.js";
import { findTenant } from "../../src/tenancy/tenants.js";
import { type Receiver, startReceiver } from "./events-receiver.js";
import { type Stack, eventually, startStack } from "./harness.js";

let stack: Stack;
let receiver: Receiver;
let a: Awaited<ReturnType<Stack["newTenant"]>>;
let b: Awaited<ReturnType<Stack["newTenant"]>>;
let aNumber: string;
let bNumber: string;

/** Buys a number in the tenant's own subaccount (what onboarding does), through the gateway. */
async function buyNumber(tenantId: string, areaCode: number): Promise<string> {
  const client = await tenantTwilio(stack.services, (await findTenant(stack.db, tenantId))!);
  return (await client.incomingPhoneNumbers.create({ areaCode: String(areaCode) } as never)).phoneNumber;
}

/** Moves emulated time (calls progress on it) and waits for the callbacks it fired. */
async function advanceEmulator(seconds: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds });
  await stack.emulator.running.world.callbacks.settle();
}

const menuFlow = (phoneNumbers?: string[]) => ({
  name: "Front desk",
  start: "welcome",
  voice: "Polly.Joanna",
  nodes: {
    welcome: { type: "say", text: "Welcome to Acme.", next: "menu" },
    menu: {
      type: "gather",
      prompt: [{ say: "Press 1 for sales, or 2 to leave a message." }],
      choices: [
        { digits: "1", next: "sales" },
        { digits: "2", next: "voicemail" },
      ],
      timeout: 5,
      max_retries: 2,
      no_input_prompt: [{ say: "I did not hear anything." }],
      on_failure: "bye",
    },
    sales: { type: "dial", number: "+14155550399", on_no_answer: "voicemail" },
    voicemail: {
      type: "record",
      prompt: [{ say: "Leave a message after the beep." }],
      max_length: 60,
      transcribe: true,
      next: "bye",
    },
    bye: { type: "say", text: "Thank you. Goodbye.", next: "end" },
    end: { type: "hangup" },
  },
  ...(phoneNumbers ? { phone_numbers: phoneNumbers } : {}),
});

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
  a = await stack.newTenant({ name: "Acme Voice" });
  b = await stack.newTenant({ name: "Bolt Voice" });
  aNumber = await buyNumber(a.tenant.id, 415);
  bNumber = await buyNumber(b.tenant.id, 212);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

describe("voice IVR", () => {
  it("refuses flows with unknown nodes or silent loops, and keeps unreachable nodes as warnings", async () => {
    const unknown = await stack.api("POST", "/v1/ivr-flows", {
      token: a.key,
      body: {
        name: "Broken",
        start: "hello",
        nodes: { hello: { type: "say", text: "Hi", next: "nowhere" } },
      },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toContainEqual(
      expect.objectContaining({ code: "unknown_node", path: "/nodes/hello/next", severity: "error" }),
    );
    const loop = await stack.api("POST", "/v1/ivr-flows", {
      token: a.key,
      body: {
        name: "Loop",
        start: "one",
        nodes: {
          one: { type: "say", text: "One", next: "two" },
          two: { type: "play", url: "https://x.test/a.mp3", next: "one" },
        },
      },
    });
    expect(loop.status).toBe(422);
    expect(loop.body.error.details.map((f: { code: string }) => f.code)).toEqual(["loop_without_input"]);
    const shape = await stack.api("POST", "/v1/ivr-flows", {
      token: a.key,
      body: { name: "Shape", start: "x", nodes: { x: { type: "say" } } },
    });
    expect(shape.status).toBe(400);

    const flow = menuFlow();
    const withOrphan = { ...flow, nodes: { ...flow.nodes, orphan: { type: "hangup" } } };
    const saved = await stack.api("POST", "/v1/ivr-flows", { token: a.key, body: withOrphan });
    expect(saved.status).toBe(201);
    expect(saved.body.findings).toEqual([
      expect.objectContaining({ code: "unreachable_node", path: "/nodes/orphan", severity: "warning" }),
    ]);
  });

  it("dry-runs a flow: the findings a save would make, and nothing saved", async () => {
    const before = await stack.api("GET", "/v1/ivr-flows", { token: a.key });
    const loop = await stack.api("POST", "/v1/ivr-flows/validate", {
      token: a.key,
      body: {
        name: "Loop",
        start: "one",
        nodes: {
          one: { type: "say", text: "One", next: "two" },
          two: { type: "play", url: "https://x.test/a.mp3", next: "one" },
        },
      },
    });
    expect(loop.status).toBe(200);
    expect(loop.body.valid).toBe(false);
    expect(loop.body.findings.map((f: { code: string }) => f.code)).toEqual(["loop_without_input"]);

    const flow = menuFlow();
    const orphan = await stack.api("POST", "/v1/ivr-flows/validate", {
      token: a.key,
      body: { ...flow, nodes: { ...flow.nodes, orphan: { type: "hangup" } } },
    });
    expect(orphan.status).toBe(200);
    expect(orphan.body).toEqual({
      valid: true,
      findings: [
        expect.objectContaining({ code: "unreachable_node", path: "/nodes/orphan", severity: "warning" }),
      ],
    });
    const clean = await stack.api("POST", "/v1/ivr-flows/validate", { token: a.key, body: flow });
    expect(clean.body).toEqual({ valid: true, findings: [] });

    const shape = await stack.api("POST", "/v1/ivr-flows/validate", {
      token: a.key,
      body: { name: "Shape", start: "x", nodes: { x: { type: "say" } } },
    });
    expect(shape.status).toBe(400);
    const after = await stack.api("GET", "/v1/ivr-flows", { token: a.key });
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it("a caller walks the menu by digits after a silence and a wrong key, and the voicemail transcription reaches the tenant's webhook", async () => {
    const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
      token: a.key,
      body: {
        url: `${receiver.url}/acme`,
        event_types: ["transcription.completed", "recording.completed", "call.completed"],
      },
    });
    expect(endpoint.status).toBe(201);
    const created = await stack.api("POST", "/v1/ivr-flows", { token: a.key, body: menuFlow([aNumber]) });
    expect(created.status).toBe(201);
    expect(created.body.phone_numbers).toEqual([aNumber]);
    const client = await tenantTwilio(stack.services, (await findTenant(stack.db, a.tenant.id))!);
    const [number] = await client.incomingPhoneNumbers.list({ phoneNumber: aNumber });
    expect(number.voiceUrl).toBe(`${stack.url}/twilio/voice/${a.tenant.id}/incoming`);

    const caller = "+14155550360";
    const placed = await stack.emulator.control("POST", `handsets/${encodeURIComponent(caller)}/calls`, {
      to: aNumber,
      digits: ["", "9", "2"],
      record_seconds: 12,
      transcription_text: "Please call me back about order 1234.",
    });
    await advanceEmulator(90);
    const { calls } = await stack.emulator.control("GET", `calls?sid=${placed.sid}`);
    const said = calls[0].transcript
      .filter((e: { verb: string }) => e.verb === "Say")
      .map((e: { text: string }) => e.text);
    expect(said).toEqual([
      "Welcome to Acme.",
      "Press 1 for sales, or 2 to leave a message.",
      "I did not hear anything.",
      "Press 1 for sales, or 2 to leave a message.",
      "Sorry, that is not one of the options.",
      "Press 1 for sales, or 2 to leave a message.",
      "Leave a message after the beep.",
      "Thank you. Goodbye.",
    ]);
    expect(calls[0].status).toBe("completed");

    await advanceEmulator(30);
    const hook = await eventually("the transcription webhook", async () =>
      receiver.at("/acme").find((r) => r.json.type === "transcription.completed"),
    );
    receiver.verify(hook, endpoint.body.secret);
    expect(hook.json.data).toMatchObject({
      text: "Please call me back about order 1234.",
      status: "completed",
      node: "voicemail",
      from: caller,
      to: aNumber,
    });
    await eventually("call.completed and recording.completed", async () => {
      const types = receiver.at("/acme").map((r) => r.json.type);
      return types.includes("call.completed") && types.includes("recording.completed");
    });

    const listed = await stack.api("GET", "/v1/calls?direction=inbound", { token: a.key });
    const call = listed.body.data.find((c: { twilio_sid: string }) => c.twilio_sid === placed.sid);
    expect(call).toMatchObject({ status: "completed", from: caller, to: aNumber, flow_id: created.body.id });
    const detail = await stack.api("GET", `/v1/calls/${call.id}`, { token: a.key });
    const inputs = detail.body.events
      .filter((e: { kind: string }) => e.kind === "input")
      .map((e: { data: any }) => [e.data.digits, e.data.outcome]);
    expect(inputs).toEqual([
      [null, "retry"],
      ["9", "retry"],
      ["2", "choice"],
    ]);
    expect(detail.body.recordings).toEqual([
      expect.objectContaining({ node: "voicemail", duration_seconds: 12 }),
    ]);
    expect(detail.body.transcriptions).toEqual([
      expect.objectContaining({ text: "Please call me back about order 1234." }),
    ]);
    expect(detail.body.duration_seconds).toBeGreaterThan(0);
    const usage = await stack.db.one<{ minutes: string }>(
      "SELECT COALESCE(SUM(minutes), 0)::text AS minutes FROM usage_daily WHERE tenant_id = $1 AND channel = 'voice' AND direction = 'inbound'",
      [a.tenant.id],
    );
    expect(Number(usage.minutes)).toBeCloseTo(detail.body.duration_seconds / 60, 5);
  });

  it("a silent caller hears the menu three times and then the failure path", async () => {
    const caller = "+14155550361";
    const placed = await stack.emulator.control("POST", `handsets/${encodeURIComponent(caller)}/calls`, {
      to: aNumber,
    });
    await advanceEmulator(90);
    const { calls } = await stack.emulator.control("GET", `calls?sid=${placed.sid}`);
    const verbs = calls[0].transcript.map((e: { verb: string; text?: string }) => e.text ?? e.verb);
    expect(verbs.filter((v: string) => v === "Press 1 for sales, or 2 to leave a message.")).toHaveLength(3);
    expect(verbs.slice(-2)).toEqual(["Thank you. Goodbye.", "Hangup"]);
  });

  it("dials the sales line on 1, and takes a message when it is busy", async () => {
    await stack.emulator.control("PUT", `callers/${encodeURIComponent("+14155550399")}`, { answer: "busy" });
    const caller = "+14155550362";
    const placed = await stack.emulator.control("POST", `handsets/${encodeURIComponent(caller)}/calls`, {
      to: aNumber,
      digits: ["1"],
      record_seconds: 4,
    });
    await advanceEmulator(90);
    const { calls } = await stack.emulator.control("GET", `calls?sid=${placed.sid}`);
    const verbs = calls[0].transcript.map((e: { verb: string }) => e.verb);
    expect(verbs).toContain("Dial");
    expect(verbs.indexOf("Record")).toBeGreaterThan(verbs.indexOf("Dial"));
    const listed = await stack.api("GET", "/v1/calls?direction=inbound", { token: a.key });
    const call = listed.body.data.find((c: { twilio_sid: string }) => c.twilio_sid === placed.sid);
    const detail = await stack.api("GET", `/v1/calls/${call.id}`, { token: a.key });
    expect(detail.body.events.find((e: { kind: string }) => e.kind === "dial")).toMatchObject({
      node: "sales",
      data: { status: "busy" },
    });
    expect(detail.body.recordings).toHaveLength(1);
  });

  it("places an outbound call that says a message, and reports call.completed", async () => {
    const to = "+14155550370";
    await stack.emulator.control("PUT", `callers/${encodeURIComponent(to)}`, { answer: "human" });
    const placed = await stack.api("POST", "/v1/calls", {
      token: a.key,
      body: { to, say: "Your table is ready." },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ direction: "outbound", to, from: aNumber });
    await advanceEmulator(30);
    const read = await eventually("the call to complete", async () => {
      const r = await stack.api("GET", `/v1/calls/${placed.body.id}`, { token: a.key });
      return r.body.status === "completed" ? r : null;
    });
    expect(read.body.twilio_sid).toMatch(/^CA/);
    const { calls } = await stack.emulator.control("GET", `calls?sid=${read.body.twilio_sid}`);
    expect(calls[0].transcript.find((e: { verb: string }) => e.verb === "Say").text).toBe(
      "Your table is ready.",
    );
    await eventually("call.completed for the outbound call", async () =>
      receiver
        .at("/acme")
        .find((r) => r.json.type === "call.completed" && r.json.data.call_id === placed.body.id),
    );
  });

  it("answers 403 to voice webhooks without a valid Twilio signature", async () => {
    for (const token of [undefined, "bm90IGEgc2lnbmF0dXJl"]) {
      const res = await fetch(`${stack.url}/twilio/voice/${a.tenant.id}/incoming`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...(token ? { "x-twilio-signature": token } : {}),
        },
        body: new URLSearchParams({
          CallSid: "CA00000000000000000000000000000000",
          To: aNumber,
          From: "+14155550100",
        }).toString(),
      });
      expect(res.status).toBe(403);
    }
  });

  it("keeps flows, numbers and calls to their tenant", async () => {
    const own = await stack.api("POST", "/v1/ivr-flows", { token: b.key, body: menuFlow() });
    const flowId = own.body.id;
    expect((await stack.api("GET", `/v1/ivr-flows/${flowId}`, { token: a.key })).status).toBe(404);
    expect(
      (await stack.api("PUT", `/v1/ivr-flows/${flowId}`, { token: a.key, body: menuFlow() })).status,
    ).toBe(404);
    expect(
      (await stack.api("POST", "/v1/calls", { token: a.key, body: { to: "+14155550371", flow_id: flowId } }))
        .status,
    ).toBe(404);
    const calls = await stack.api("GET", "/v1/calls", { token: a.key });
    for (const c of calls.body.data) {
      expect((await stack.api("GET", `/v1/calls/${c.id}`, { token: b.key })).status).toBe(404);
    }
    const foreignNumber = await stack.api("POST", "/v1/ivr-flows", {
      token: a.key,
      body: menuFlow([bNumber]),
    });
    expect(foreignNumber.status).toBe(422);
    expect(foreignNumber.body.error.code).toBe("unknown_phone_number");
    const listed = await stack.api("GET", "/v1/ivr-flows", { token: a.key });
    expect(listed.body.data.map((f: { id: string }) => f.id)).not.toContain(flowId);
  });
});
