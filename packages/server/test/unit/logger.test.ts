import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createLogger, maskPhone, maskPhones, maskUrl } from "../../src/kernel/logger.js";
import { createTwilioGateway } from "../../src/twilio/gateway.js";
import { twilioCall } from "../../src/twilio/errors.js";

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger("trace", { write: (line: string) => void lines.push(line) }) };
}

describe("phone masking", () => {
  it.each([
    ["+14155550123", "+1415***23"],
    ["+447700900123", "+4477***23"],
    ["+33612345678", "+3361***78"],
    ["+61412345678", "+6141***78"],
    ["+493012345", "+49***45"],
    ["4155550123", "415***23"],
    ["(415) 555-0123", "415***23"],
    ["+1234", "+1234"],
    ["active", "active"],
  ])("%s → %s", (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it("masks E.164 numbers, encoded or not, anywhere in text, and leaves JSON valid", () => {
    const line = JSON.stringify({
      n: 1e21,
      to: "+14155550123",
      u: "/x?to=%2B14155550123",
      w: "whatsapp:+14155550123",
    });
    expect(JSON.parse(maskPhones(line))).toEqual({
      n: 1e21,
      to: "+1415***23",
      u: "/x?to=%2B1415***23",
      w: "whatsapp:+1415***23",
    });
  });

  it("masks numbers in paths and query values, whatever their spelling, but not ids or dates", () => {
    expect(maskUrl("/v1/opt-outs/%2B14155550123/history?scope=all")).toBe(
      "/v1/opt-outs/+1415***23/history?scope=all",
    );
    expect(maskUrl("/v1/opt-outs/%28415%29%20555-0123")).toBe("/v1/opt-outs/415***23");
    expect(maskUrl("/v1/messages?to=+14155550123&limit=5&cursor=%2B14155550123%7Call")).toBe(
      "/v1/messages?to=+1415***23&limit=5&cursor=%2B1415***23%7Call",
    );
    expect(maskUrl("/v1/messages/msg_01JC0000000000000000000000")).toBe(
      "/v1/messages/msg_01JC0000000000000000000000",
    );
    expect(maskUrl("/v1/usage?from=2026-01-01&to=2026-01-31")).toBe(
      "/v1/usage?from=2026-01-01&to=2026-01-31",
    );
  });

  it("masks numbers in log fields, messages and error text", () => {
    const { lines, log } = capture();
    log.info({ to: "+14155550123", from: "4155550124", status: "sent" }, '"4155550125" is not in E.164 form');
    log.warn({ err: new Error("The 'To' number +14155550126 is not valid") }, "failed");
    const all = lines.join("");
    for (const n of ["4155550123", "4155550124", "4155550125", "4155550126"]) expect(all).not.toContain(n);
    expect(JSON.parse(lines[0])).toMatchObject({ to: "+1415***23", from: "415***24", status: "sent" });
  });
});

describe("error logging", () => {
  it("logs a failed Twilio request without its credentials, form body or numbers", async () => {
    // A port nothing listens on: the SDK's HTTP client fails with the request it tried attached.
    const server = createServer().listen(0);
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const gateway = createTwilioGateway({
      mode: "sandbox",
      emulatorUrl: `http://127.0.0.1:${port}`,
      parent: { accountSid: `AC${"a".repeat(32)}`, authToken: "parent-auth-token-0123456789" },
    });
    const client = gateway.tenantClient({
      subaccountSid: `AC${"b".repeat(32)}`,
      keySid: `SK${"c".repeat(32)}`,
      keySecret: "tenant-key-secret-0123456789",
    });
    const send = () =>
      client.messages.create({ to: "+14155550127", from: "+14155550128", body: "Gooseberry parliament" });
    // As the SDK throws it (logged so by e.g. the reconciler's status refresh), and as mapped.
    const raw = await send().catch((e: unknown) => e);
    expect(raw).toMatchObject({ isAxiosError: true, code: "ECONNREFUSED" });
    const mapped = await twilioCall("send a message", send).catch((e: unknown) => e);
    expect(mapped).toMatchObject({ code: "twilio_unreachable" });

    const { lines, log } = capture();
    log.warn({ err: raw, event: "message.status_refresh_failed" }, "could not fetch a message's status");
    log.error({ err: mapped, event: "http.error" }, "request failed");
    const line = lines.join("");
    expect(line).toContain("ECONNREFUSED");
    const basic = Buffer.from(`SK${"c".repeat(32)}:tenant-key-secret-0123456789`).toString("base64");
    for (const secret of ["tenant-key-secret", basic, "Basic ", "Gooseberry", "4155550127", "4155550128"]) {
      expect(line, secret).not.toContain(secret);
    }
  });
});
