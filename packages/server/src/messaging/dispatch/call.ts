/**
 * The one Twilio call of the send path: `messages.create` through the tenant's own client, with
 * our status callback. The callback URL carries our message id (`?m=msg_…`): Twilio does not
 * echo StatusCallback on the Message resource, but it calls that exact URL, so a callback can be
 * tied to our message even when the create answer never arrived (a timeout after Twilio took it).
 */
import { type TwilioClient, withAbortSignal } from "../../twilio/gateway.js";
import { type CreateFailure, classifyCreateFailure } from "@subtext/telecom/twilio-codes";
import type { ClaimedMessage } from "./claim.js";

export type CallResult =
  | { kind: "accepted"; sid: string; twilioStatus: string; from: string | null }
  | { kind: "failure"; failure: CreateFailure };

/**
 * `m` is our message id; `t` when the create left (epoch ms, wall clock): a callback that comes
 * while the create's answer may still arrive needs no work from us (callbacks/status.ts).
 */
export function statusCallbackUrl(
  publicUrl: string,
  tenantId: string,
  messageId: string,
  sentAt: number,
): string {
  return `${publicUrl}/twilio/messages/status/${tenantId}?m=${messageId}&t=${sentAt}`;
}

export async function createAtTwilio(
  client: TwilioClient,
  m: ClaimedMessage,
  opts: { publicUrl: string | undefined; timeoutMs: number },
): Promise<CallResult> {
  const params: Parameters<TwilioClient["messages"]["create"]>[0] = { to: m.to_number };
  if (m.messaging_service_sid) params.messagingServiceSid = m.messaging_service_sid;
  if (m.from_number) params.from = m.from_number;
  if (m.body) params.body = m.body;
  if (m.media_urls.length > 0) params.mediaUrl = m.media_urls;
  if (m.content_sid) {
    params.contentSid = m.content_sid;
    if (m.content_variables) params.contentVariables = JSON.stringify(m.content_variables);
  }
  // Always said, never left to the Messaging Service's setting (on by default): what Twilio
  // bills must be the segments we counted, estimated and meter.
  if (m.channel !== "whatsapp") params.smartEncoded = m.smart_encoded;
  if (m.validity_period !== null) params.validityPeriod = m.validity_period;
  if (opts.publicUrl)
    params.statusCallback = statusCallbackUrl(opts.publicUrl, m.tenant_id, m.id, Date.now());

  // Giving up aborts the request: if it has not left yet it never will, so the only creates that
  // can still land after this are those Twilio already received (reconcile.ts waits for them).
  const abort = new AbortController();
  const call = withAbortSignal(abort.signal, () => client.messages.create(params));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error("timed out waiting for Twilio"), { code: "ETIMEDOUT" }));
      abort.abort();
    }, opts.timeoutMs);
  });
  call.catch(() => undefined);
  try {
    const msg = await Promise.race([call, timeout]);
    return { kind: "accepted", sid: msg.sid, twilioStatus: msg.status, from: msg.from ?? null };
  } catch (err) {
    return { kind: "failure", failure: classifyCreateFailure(err) };
  } finally {
    clearTimeout(timer);
  }
}
