import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveUntil, readyToSend, sentToAtTwilio } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let key: string;
let ourNumber: string;
let serviceSid: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  key = ready.key;
  ourNumber = ready.profile.senders[0].phoneNumber;
  serviceSid = ready.profile.messagingServiceSid!;
}, 120_000);
afterAll(() => stack?.close());

let n = 0;
const handset = () => `+1415630${String(1000 + n++).padStart(4, "0")}`;
const send = (to: string, body = "Your table is ready") =>
  stack.api("POST", "/v1/messages", { token: key, body: { to, body } });
const text = (from: string, body: string) =>
  stack.emulator.control("POST", `handsets/${encodeURIComponent(from)}/messages`, { to: ourNumber, body });
const optOuts = async (phone: string) =>
  (await stack.api("GET", `/v1/opt-outs?phone=${encodeURIComponent(phone)}`, { token: key })).body.data;

describe("opt-out", () => {
  it("refuses to send to a number on the suppression list, with Twilio's code", async () => {
    const phone = handset();
    const added = await stack.api("POST", "/v1/opt-outs", {
      token: key,
      body: { phone, reason: "asked by phone" },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ phone, scope: "all", source: "api", reason: "asked by phone" });
    expect((await stack.api("POST", "/v1/opt-outs", { token: key, body: { phone } })).status).toBe(200);
    const res = await send(phone);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "recipient_opted_out", twilio_code: 21610 });
  });

  it("suppresses a number that texts STOP, and sends again after START", async () => {
    const phone = handset();
    const stop = await text(phone, " stop ");
    expect(stop.webhook.status).toBe(200);
    // Twilio (the emulator) answers STOP itself; we add no second reply.
    expect(stop.replies).toHaveLength(1);
    expect(await optOuts(phone)).toEqual([
      expect.objectContaining({ phone, scope: serviceSid, source: "keyword", keyword: "STOP" }),
    ]);
    expect((await send(phone)).body.error.code).toBe("recipient_opted_out");

    await text(phone, "START");
    expect(await optOuts(phone)).toEqual([]);
    const again = await send(phone);
    expect(again.status).toBe(202);
    await driveUntil(stack, "delivered", async () => {
      const m = (await stack.api("GET", `/v1/messages/${again.body.id}`, { token: key })).body;
      return m.status === "delivered";
    });
    expect(await sentToAtTwilio(stack, phone)).toHaveLength(1);
    const history = (
      await stack.api("GET", `/v1/opt-outs/${encodeURIComponent(phone)}/history`, { token: key })
    ).body.data;
    expect(history.map((h: any) => [h.action, h.source, h.keyword, h.actor])).toEqual([
      ["opt_out", "keyword", "STOP", "handset"],
      ["opt_in", "keyword", "START", "handset"],
    ]);
    const { rows } = await stack.db.query(
      "SELECT data->>'change' AS change FROM events WHERE type = 'optout.changed' AND data->>'phone' = $1 ORDER BY id",
      [phone],
    );
    expect(rows.map((r: any) => r.change)).toEqual(["opted_out", "opted_in"]);
  });

  it("removes an opt-out through the API, keeping who did it and why", async () => {
    const phone = handset();
    await stack.api("POST", "/v1/opt-outs", { token: key, body: { phone, scope: serviceSid } });
    const removed = await stack.api(
      "DELETE",
      `/v1/opt-outs/${encodeURIComponent(phone)}?reason=${encodeURIComponent("consent on file")}`,
      { token: key },
    );
    expect(removed.status).toBe(200);
    expect(removed.body.removed).toHaveLength(1);
    expect(
      (await stack.api("DELETE", `/v1/opt-outs/${encodeURIComponent(phone)}`, { token: key })).status,
    ).toBe(404);
    const history = (
      await stack.api("GET", `/v1/opt-outs/${encodeURIComponent(phone)}/history`, { token: key })
    ).body.data;
    expect(history[1]).toMatchObject({ action: "opt_in", source: "api", reason: "consent on file" });
    expect(history[1].actor).toMatch(/^api_key:key_/);
  });

  it("imports a CSV with a header, reports bad lines, and exports the list as CSV", async () => {
    const [a, b] = [handset(), handset()];
    const csv = `phone,scope,reason\r\n${a},all,"migrated, from old provider"\r\nnot-a-phone\r\n${b},${serviceSid},\r\n${a},all,\r\n`;
    const res = await stack.api("POST", "/v1/opt-outs/import", {
      token: key,
      raw: csv,
      headers: { "content-type": "text/csv" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 2, unchanged: 1, rejected: 1 });
    expect(res.body.errors[0]).toMatchObject({ line: 3, code: "phone_not_e164" });
    const exported = await stack.api("GET", "/v1/opt-outs.csv", { token: key });
    expect(exported.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (exported.body as string).trim().split("\r\n");
    expect(lines[0]).toBe("phone,scope,source,keyword,reason,created_at");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^\\${a},all,import,,"migrated, from old provider",`)),
      ]),
    );
    const same = await stack.api("GET", "/v1/opt-outs?format=csv", { token: key });
    expect(same.body).toBe(exported.body);
  });

  it("honours custom keywords per messaging service and answers them, once", async () => {
    const put = await stack.api("PUT", "/v1/keyword-replies", {
      token: key,
      body: {
        messaging_service_id: serviceSid,
        keywords: { opt_out: ["ARRET"], help: ["AIDE"] },
        replies: {
          opt_out: "Vous ne recevrez plus de messages.",
          help: "Écrivez ARRET pour vous désabonner.",
        },
      },
    });
    expect(put.status).toBe(200);
    const phone = handset();
    const help = await text(phone, "aide");
    expect(help.replies.map((r: any) => r.body)).toEqual(["Écrivez ARRET pour vous désabonner."]);
    const arret = await text(phone, "Arrêt".normalize("NFD").replace(/\p{M}/gu, ""));
    expect(arret.replies.map((r: any) => r.body)).toEqual(["Vous ne recevrez plus de messages."]);
    expect(await optOuts(phone)).toEqual([expect.objectContaining({ source: "keyword", keyword: "ARRET" })]);
    expect((await send(phone)).status).toBe(409);
    const listed = await stack.api("GET", "/v1/keyword-replies", { token: key });
    expect(listed.body.data[0]).toMatchObject({
      messaging_service_id: serviceSid,
      keywords: { opt_out: ["ARRET"] },
    });
  });
});
