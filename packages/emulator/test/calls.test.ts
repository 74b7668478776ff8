import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTwiml } from "../src/api/2010/calls/twiml.js";
import { schemaFindings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let recorder: RecordingRequestClient;
let client: twilio.Twilio;

/** What the app received: every webhook with its parameters and whether its signature verified. */
interface Hit {
  path: string;
  params: Record<string, string>;
  signed: boolean;
}

/** The application under test: a tiny TwiML server that checks X-Twilio-Signature on every request. */
const app = {
  server: null as Server | null,
  base: "",
  hits: [] as Hit[],
  routes: new Map<string, (p: Record<string, string>) => string>(),
  on(path: string, twiml: string | ((p: Record<string, string>) => string)) {
    this.routes.set(path, typeof twiml === "string" ? () => twiml : twiml);
  },
  at(path: string) {
    return this.hits.filter((h) => h.path === path);
  },
};

beforeAll(async () => {
  recorder = new RecordingRequestClient(em.url);
  client = twilio(em.emulator.parent.sid, em.emulator.parent.authToken, { httpClient: recorder });
  app.server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const url = `${app.base}${req.url}`;
      const params = Object.fromEntries(new URLSearchParams(raw));
      const signature = String(req.headers["x-twilio-signature"] ?? "");
      const signed = twilio.validateRequest(em.emulator.parent.authToken, signature, url, params);
      const path = new URL(url).pathname;
      app.hits.push({ path, params, signed });
      const route = app.routes.get(path);
      if (!route) {
        res.writeHead(path.startsWith("/events") ? 204 : 404);
        return res.end();
      }
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(route(params));
    });
  });
  await new Promise<void>((resolve) => app.server!.listen(0, "127.0.0.1", resolve));
  app.base = `http://127.0.0.1:${(app.server!.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app.server?.closeAllConnections();
  await new Promise((resolve) => app.server?.close(resolve));
});

function expectConformance() {
  expect(schemaFindings(recorder.take().filter((e) => e.status < 400))).toEqual([]);
}

/** Moves emulated time and waits for the fire-and-forget callbacks it triggered. */
async function advance(seconds: number) {
  await em.advance(seconds);
  await em.emulator.world.callbacks.settle();
}

async function transcriptOf(sid: string) {
  const { calls } = await em.control("GET", `calls?sid=${sid}`);
  return calls[0];
}

const verbs = (t: { verb: string }[]) => t.map((e) => e.verb);

async function buyNumber(voicePath?: string, statusPath?: string) {
  return client.incomingPhoneNumbers.create({
    areaCode: "415",
    ...(voicePath ? { voiceUrl: `${app.base}${voicePath}` } : {}),
    ...(statusPath ? { statusCallback: `${app.base}${statusPath}` } : {}),
  });
}

describe("outbound calls", () => {
  it("an outbound call runs its TwiML, gathers the callee's key and reports every progress event", async () => {
    const from = (await buyNumber()).phoneNumber;
    const to = "+14155550150";
    await em.control("PUT", `callers/${encodeURIComponent(to)}`, { answer: "human", digits: ["2"] });
    app.on(
      "/reminder",
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice">Your appointment is tomorrow at nine.</Say>` +
        `<Gather numDigits="1" action="/reminder/answer"><Say>Press 1 to confirm, 2 to cancel.</Say></Gather></Response>`,
    );
    app.on("/reminder/answer", (p) =>
      p.Digits === "2" ? "<Response><Say>Canceled. Goodbye.</Say><Hangup/></Response>" : "<Response/>",
    );
    const call = await client.calls.create({
      to,
      from,
      url: `${app.base}/reminder`,
      statusCallback: `${app.base}/events/outbound`,
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call).toMatchObject({
      status: "queued",
      direction: "outbound-api",
      toFormatted: "(415) 555-0150",
    });

    await advance(60);
    const done = await client.calls(call.sid).fetch();
    expect(done.status).toBe("completed");
    expect(Number(done.duration)).toBeGreaterThan(0);
    expect(done.startTime).toBeInstanceOf(Date);
    expect(done.price).toMatch(/^-0\.\d{5}$/);

    const events = app.at("/events/outbound");
    expect(events.map((e) => e.params.CallStatus)).toEqual([
      "initiated",
      "ringing",
      "in-progress",
      "completed",
    ]);
    expect(events.every((e) => e.signed)).toBe(true);
    expect(events[3].params.CallDuration).toBe(done.duration);
    const answered = app.at("/reminder/answer")[0];
    expect(answered).toMatchObject({
      signed: true,
      params: { Digits: "2", CallSid: call.sid, To: to, From: from },
    });

    const { transcript } = await transcriptOf(call.sid);
    expect(verbs(transcript)).toEqual(["Say", "Say", "Gather", "Say", "Hangup"]);
    expect(transcript[2]).toMatchObject({ verb: "Gather", digits: "2" });
    const listed = await client.calls.list({ to });
    expect(listed.map((c) => c.sid)).toEqual([call.sid]);
    expectConformance();
  });

  it("a busy callee and an unanswered callee end the call without fetching TwiML", async () => {
    const from = (await buyNumber()).phoneNumber;
    await em.control("PUT", "callers/%2B14155550151", { answer: "busy" });
    await em.control("PUT", "callers/%2B14155550152", { answer: "no-answer" });
    app.on("/never", "<Response><Say>unreachable</Say></Response>");
    const busy = await client.calls.create({ to: "+14155550151", from, url: `${app.base}/never` });
    const silent = await client.calls.create({
      to: "+14155550152",
      from,
      url: `${app.base}/never`,
      timeout: 15,
    });
    await advance(10);
    expect((await client.calls(busy.sid).fetch()).status).toBe("busy");
    expect((await client.calls(silent.sid).fetch()).status).toBe("ringing");
    await advance(10);
    expect((await client.calls(silent.sid).fetch()).status).toBe("no-answer");
    expect(app.at("/never")).toEqual([]);
    expectConformance();
  });

  it("updating a live call redirects it to new TwiML, and Status=completed hangs it up", async () => {
    const from = (await buyNumber()).phoneNumber;
    const call = await client.calls.create({
      to: "+14155550153",
      from,
      twiml: '<Response><Say>Please hold.</Say><Pause length="600"/></Response>',
    });
    await advance(30);
    expect((await client.calls(call.sid).fetch()).status).toBe("in-progress");
    await client
      .calls(call.sid)
      .update({ twiml: '<Response><Say>Thanks for holding.</Say><Pause length="600"/></Response>' });
    await advance(10);
    const hung = await client.calls(call.sid).update({ status: "completed" });
    expect(hung.status).toBe("completed");
    const { transcript } = await transcriptOf(call.sid);
    expect(transcript.filter((e: any) => e.verb === "Say").map((e: any) => e.text)).toEqual([
      "Please hold.",
      "Thanks for holding.",
    ]);
    const late = await twilioError(client.calls(call.sid).update({ url: `${app.base}/never` }));
    expect(late).toMatchObject({ status: 400, code: 21220 });
    expectConformance();
  });

  it("refuses a From that is not one of the account's numbers and a call without TwiML", async () => {
    const from = (await buyNumber()).phoneNumber;
    const notOurs = await twilioError(
      client.calls.create({ to: "+14155550154", from: "+14155550999", url: `${app.base}/never` }),
    );
    expect(notOurs).toMatchObject({ status: 400, code: 21210 });
    const noTwiml = await twilioError(client.calls.create({ to: "+14155550154", from } as any));
    expect(noTwiml).toMatchObject({ status: 400, code: 21205 });
    const badTo = await twilioError(client.calls.create({ to: "12", from, url: `${app.base}/never` }));
    expect(badTo).toMatchObject({ status: 400, code: 21211 });
  });
});

describe("inbound calls", () => {
  it("a caller walks the IVR by digits and leaves a voicemail whose transcription arrives signed", async () => {
    const number = await buyNumber("/ivr", "/events/inbound");
    app.on(
      "/ivr",
      '<Response><Gather numDigits="1" action="/ivr/menu" timeout="5"><Say>Welcome to Acme. Press 1 for sales, ' +
        "2 for support, 3 to leave a message.</Say></Gather><Redirect>/ivr</Redirect></Response>",
    );
    app.on("/ivr/menu", (p) =>
      p.Digits === "3"
        ? '<Response><Say>Leave a message after the beep.</Say><Record action="/ivr/saved" maxLength="120" ' +
          'transcribe="true" transcribeCallback="/ivr/transcription"/></Response>'
        : "<Response><Say>Invalid selection.</Say><Redirect>/ivr</Redirect></Response>",
    );
    app.on("/ivr/saved", "<Response><Say>Thank you. Goodbye.</Say><Hangup/></Response>");
    const caller = "+14155550160";
    const placed = await em.control("POST", `handsets/${encodeURIComponent(caller)}/calls`, {
      to: number.phoneNumber,
      digits: ["", "9", "3"],
      record_seconds: 12,
      transcription_text: "Please call me back about order 1234.",
    });
    expect(placed).toMatchObject({ direction: "inbound", status: "ringing", from: caller });

    // About 50 emulated seconds of menu and message; the transcription takes 30 more after the recording.
    await advance(60);
    const call = await client.calls(placed.sid).fetch();
    expect(call).toMatchObject({ status: "completed", direction: "inbound", phoneNumberSid: number.sid });
    const first = app.at("/ivr")[0];
    expect(first).toMatchObject({
      signed: true,
      params: { CallStatus: "ringing", Direction: "inbound", From: caller, To: number.phoneNumber },
    });
    expect(app.at("/ivr/menu").map((h) => h.params.Digits)).toEqual(["9", "3"]);
    const saved = app.at("/ivr/saved")[0];
    expect(saved.signed).toBe(true);
    expect(saved.params).toMatchObject({ RecordingDuration: "12" });
    expect(saved.params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);

    const { transcript } = await transcriptOf(placed.sid);
    expect(verbs(transcript)).toEqual([
      "Say",
      "Gather",
      "Redirect",
      "Say",
      "Gather",
      "Say",
      "Redirect",
      "Say",
      "Gather",
      "Say",
      "Record",
      "Say",
      "Hangup",
    ]);
    expect(transcript[1]).toMatchObject({ verb: "Gather", timed_out: true });

    expect(app.at("/ivr/transcription")).toEqual([]);
    await advance(30);
    const [transcribed] = app.at("/ivr/transcription");
    expect(transcribed.signed).toBe(true);
    expect(transcribed.params).toMatchObject({
      TranscriptionStatus: "completed",
      TranscriptionText: "Please call me back about order 1234.",
      RecordingSid: saved.params.RecordingSid,
      CallSid: placed.sid,
    });
    expect(app.at("/events/inbound").map((e) => e.params.CallStatus)).toEqual(["completed"]);

    const recordings = await client.calls(placed.sid).recordings.list();
    expect(recordings.map((r) => [r.sid, r.duration, r.source])).toEqual([
      [saved.params.RecordingSid, "12", "RecordVerb"],
    ]);
    const recording = await client.recordings(saved.params.RecordingSid).fetch();
    expect(recording.callSid).toBe(placed.sid);
    const transcription = await client.transcriptions(transcribed.params.TranscriptionSid).fetch();
    expect(transcription).toMatchObject({ status: "completed", recordingSid: recording.sid });
    const underRecording = await client.recordings(recording.sid).transcriptions.list();
    expect(underRecording.map((t) => t.transcriptionText)).toEqual(["Please call me back about order 1234."]);
    expectConformance();
  });

  it("a Dial reports the dialled party's outcome to its action, and Reject keeps a call unanswered", async () => {
    await em.control("PUT", "callers/%2B14155550171", { answer: "busy" });
    await em.control("PUT", "callers/%2B14155550172", { answer: "human", talk_seconds: 42 });
    const number = await buyNumber("/dial");
    app.on("/dial", (p) =>
      p.From === "+14155550161"
        ? '<Response><Dial action="/dial/done" timeout="20"><Number>+14155550171</Number></Dial></Response>'
        : '<Response><Dial action="/dial/done"><Number>+14155550172</Number></Dial></Response>',
    );
    app.on("/dial/done", "<Response><Hangup/></Response>");
    const busy = await em.control("POST", "handsets/%2B14155550161/calls", { to: number.phoneNumber });
    const talked = await em.control("POST", "handsets/%2B14155550162/calls", { to: number.phoneNumber });
    await advance(120);
    const outcomes = app
      .at("/dial/done")
      .map((h) => [h.params.From, h.params.DialCallStatus, h.params.DialCallDuration]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ["+14155550161", "busy", undefined],
        ["+14155550162", "completed", "42"],
      ]),
    );
    const legs = await client.calls.list({ parentCallSid: talked.sid });
    expect(legs).toHaveLength(1);
    expect(legs[0]).toMatchObject({ direction: "outbound-dial", to: "+14155550172", status: "completed" });
    expect((await client.calls(busy.sid).fetch()).status).toBe("completed");

    const blocked = await buyNumber("/reject");
    app.on("/reject", '<Response><Reject reason="busy"/></Response>');
    const rejected = await em.control("POST", "handsets/%2B14155550163/calls", { to: blocked.phoneNumber });
    await advance(5);
    const r = await client.calls(rejected.sid).fetch();
    expect(r.status).toBe("busy");
    expect(r.startTime).toBeNull();
    expectConformance();
  });

  it("speech reaches the action as SpeechResult, an empty result too with actionOnEmptyResult, and a caller may hang up", async () => {
    const number = await buyNumber("/speech");
    app.on(
      "/speech",
      '<Response><Gather input="speech" action="/speech/heard" actionOnEmptyResult="true">' +
        "<Say>Which department?</Say></Gather></Response>",
    );
    app.on("/speech/heard", (p) =>
      p.SpeechResult
        ? '<Response><Say>Connecting you to sales.</Say><Pause length="600"/></Response>'
        : "<Response><Redirect>/speech</Redirect></Response>",
    );
    const placed = await em.control("POST", "handsets/%2B14155550165/calls", {
      to: number.phoneNumber,
      speech: [null, "sales please"],
      hangup_after: 30,
    });
    await advance(60);
    expect(app.at("/speech/heard").map((h) => h.params.SpeechResult)).toEqual([undefined, "sales please"]);
    const { status, duration, transcript } = await transcriptOf(placed.sid);
    expect({ status, duration }).toEqual({ status: "completed", duration: 30 });
    expect(transcript.at(-1)).toMatchObject({ verb: "Hangup", by: "party" });
  });

  it("a voice URL that fails ends the call with an application error", async () => {
    const number = await buyNumber("/broken");
    const placed = await em.control("POST", "handsets/%2B14155550164/calls", { to: number.phoneNumber });
    await advance(10);
    const { status, transcript } = await transcriptOf(placed.sid);
    expect(status).toBe("completed");
    expect(transcript[0]).toMatchObject({ verb: "Error", code: 11200 });
  });
});

describe("TwiML parsing", () => {
  it("reads verbs, attributes, entities, CDATA and nested SSML", () => {
    const verbs = parseTwiml(
      '<?xml version="1.0"?><!-- menu --><Response><Say language="en-US">Tom &amp; Jerry ' +
        '<prosody rate="slow">slowly</prosody></Say><Gather input="dtmf speech" numDigits=\'1\'>' +
        "<Play><![CDATA[https://x.test/a.mp3?x=1&y=2]]></Play></Gather><Hangup/></Response>",
    );
    expect(verbs.map((v) => v.name)).toEqual(["Say", "Gather", "Hangup"]);
    expect(verbs[0].text).toBe("Tom & Jerry slowly");
    expect(verbs[1].attrs).toEqual({ input: "dtmf speech", numDigits: "1" });
    expect(verbs[1].children[0].text).toBe("https://x.test/a.mp3?x=1&y=2");
  });

  it.each([["<Response><Say>open</Response>"], ["<Reply/>"], ["not xml"], ["<Response/><Response/>"]])(
    "refuses %s",
    (source) => {
      expect(() => parseTwiml(source)).toThrow();
    },
  );
});
