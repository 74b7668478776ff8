import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { afterAll, beforeAll } from "vitest";
import {
  type EmulatorOptions,
  type RunningEmulator,
  emulatorHttpClient,
  startEmulator,
} from "../src/index.js";

/** Starts an in-memory emulator for one test file; every SDK client goes through the recipe. */
export function useEmulator(options: EmulatorOptions = {}) {
  const ctx = {} as {
    emulator: RunningEmulator;
    url: string;
    parent: twilio.Twilio;
    client(sid: string, secret: string, accountSid?: string): twilio.Twilio;
    control(method: string, path: string, body?: unknown): Promise<any>;
    advance(seconds: number): Promise<void>;
  };
  // The control API is closed, as in Subtext's sandbox: control() sends the token.
  const controlToken = options.controlToken ?? `test-${randomBytes(16).toString("hex")}`;
  beforeAll(async () => {
    ctx.emulator = await startEmulator({ ...options, controlToken });
    ctx.url = ctx.emulator.url;
    ctx.client = (sid, secret, accountSid) =>
      twilio(sid, secret, { httpClient: emulatorHttpClient(ctx.url), ...(accountSid ? { accountSid } : {}) });
    ctx.parent = ctx.client(ctx.emulator.parent.sid, ctx.emulator.parent.authToken);
    ctx.control = async (method, path, body) => {
      const res = await fetch(`${ctx.url}/_emulator/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${controlToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    ctx.advance = async (seconds) => {
      await ctx.control("POST", "clock/advance", { seconds });
    };
  });
  afterAll(async () => {
    await ctx.emulator?.close();
  });
  return ctx;
}

/** Catches the SDK's RestException so a test can assert on Twilio's code and status. */
export async function twilioError(
  p: Promise<unknown>,
): Promise<{ status: number; code: number; message: string }> {
  try {
    await p;
  } catch (err: any) {
    return { status: err.status, code: err.code, message: err.message };
  }
  throw new Error("expected the call to fail");
}
