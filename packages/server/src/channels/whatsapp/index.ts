/** The WhatsApp channel's interface to other modules (messaging calls these by code). */
export { isWhatsAppAddress, whatsappAddress, whatsappNumber } from "@subtext/telecom/whatsapp/address";
export {
  type WhatsAppInbound,
  type WhatsAppInboundResult,
  type WhatsAppSendCheck,
  type WhatsAppSendRequest,
  recordWhatsAppDeliveryError,
  recordWhatsAppInbound,
  whatsappSendCheck,
  whatsappSendGate,
} from "./session.js";
export { WHATSAPP_SESSION_MAX_CHARS, WHATSAPP_WINDOW_MS } from "@subtext/telecom/whatsapp/rules";
