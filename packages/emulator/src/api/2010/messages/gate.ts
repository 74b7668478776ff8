import type { World } from "../../../world.js";
import { ACCOUNTS, type Account } from "../accounts/model.js";
import { isApprovedTemplate, type ContentDoc } from "./content.js";
import {
  CONTENTS,
  MESSAGING_SETTINGS,
  type MessageDoc,
  type PhoneNumberDoc,
  TOLLFREE_VERIFICATIONS,
  USA2P,
  WHATSAPP_SESSIONS,
  type WhatsAppSessionDoc,
  sessionSid,
} from "./collections.js";
import { serviceOfNumber } from "./state.js";

/**
 * US carrier compliance: traffic to US/CA numbers from a US local (10DLC) number needs a
 * VERIFIED campaign on the number's Messaging Service (else 30034), and from a toll-free
 * number a TWILIO_APPROVED verification (else 30032). The messages are accepted, then fail.
 * `PUT /_emulator/compliance {enforce:false}` switches this off, for everyone or one account.
 */
export interface ComplianceSettings {
  sid: "compliance";
  enforce: boolean;
  /** Per account (a parent's setting covers its subaccounts unless they have their own). */
  accounts: Record<string, boolean>;
}

export function complianceSettings(world: World): ComplianceSettings {
  return (
    world.store.get<ComplianceSettings>(MESSAGING_SETTINGS, "compliance") ?? {
      sid: "compliance",
      enforce: true,
      accounts: {},
    }
  );
}

export function complianceEnforced(world: World, accountSid: string): boolean {
  const settings = complianceSettings(world);
  const own = settings.accounts[accountSid];
  if (own !== undefined) return own;
  const owner = world.store.get<Account>(ACCOUNTS, accountSid)?.owner_account_sid;
  const inherited = owner ? settings.accounts[owner] : undefined;
  return inherited ?? settings.enforce;
}

/** The async error code that holds this message back, or null when it may go. */
export function complianceBlock(
  world: World,
  msg: MessageDoc,
  sender: PhoneNumberDoc | undefined,
): number | null {
  if (msg.channel !== "sms" || !sender || sender.iso_country !== "US") return null;
  if (!msg.to.startsWith("+1")) return null;
  if (!complianceEnforced(world, msg.account_sid)) return null;
  if (sender.type === "local") {
    const service = serviceOfNumber(world, sender.sid);
    const campaign = service
      ? world.store.get<{ sid: string; campaign_status?: string }>(USA2P, service)
      : undefined;
    return campaign?.campaign_status === "VERIFIED" ? null : 30034;
  }
  if (sender.type === "toll_free") {
    const verified = world.store.find<{ sid: string; tollfree_phone_number_sid?: string; status?: string }>(
      TOLLFREE_VERIFICATIONS,
      (v) => v.tollfree_phone_number_sid === sender.sid && v.status === "TWILIO_APPROVED",
    );
    return verified ? null : 30032;
  }
  return null;
}

export const WHATSAPP_WINDOW_MS = 24 * 3_600_000;

/**
 * WhatsApp's customer-service window: free-form messages only within 24 h of the user's last
 * inbound message; outside it only an approved template (ContentSid) may go, else 63016.
 */
export function whatsappBlock(world: World, msg: MessageDoc): number | null {
  if (msg.channel !== "whatsapp" || !msg.from) return null;
  const session = world.store.get<WhatsAppSessionDoc>(
    WHATSAPP_SESSIONS,
    sessionSid(msg.account_sid, msg.from, msg.to),
  );
  if (session && world.clock.now() - session.last_inbound_at < WHATSAPP_WINDOW_MS) return null;
  if (msg.content_sid && isApprovedTemplate(world.store.get<ContentDoc>(CONTENTS, msg.content_sid)))
    return null;
  return 63016;
}
