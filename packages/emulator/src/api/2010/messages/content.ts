import { TwilioError } from "../../../core/errors.js";
import type { World } from "../../../world.js";
import { CONTENTS } from "./collections.js";

/** The Content area's template (`contents` collection), as far as sending needs it. */
export interface ContentDoc {
  sid: string;
  account_sid: string;
  types?: Record<string, { body?: string; media?: string[] } | undefined>;
  variables?: Record<string, string>;
  approval?: { name?: string; category?: string; status?: string } | null;
}

/** Content type keys, in the order a plain SMS/WhatsApp fallback would pick them. */
const TEXT_TYPES = [
  "twilio/text",
  "twilio/media",
  "twilio/quick-reply",
  "twilio/call-to-action",
  "twilio/card",
  "twilio/list-picker",
  "whatsapp/card",
  "whatsapp/authentication",
];

export interface RenderedContent {
  content: ContentDoc;
  body: string;
  mediaUrls: string[];
}

/** ContentSid + ContentVariables → the text and media the recipient gets ({{1}} placeholders filled). */
export function renderContent(
  world: World,
  accountSid: string,
  contentSid: string,
  variablesJson: string | undefined,
): RenderedContent {
  const content = world.store.get<ContentDoc>(CONTENTS, contentSid);
  if (!content || content.account_sid !== accountSid)
    throw new TwilioError(21655, 400, `The ContentSid ${contentSid} is invalid`);
  let variables: Record<string, unknown> = {};
  if (variablesJson !== undefined && variablesJson !== "") {
    try {
      variables = JSON.parse(variablesJson);
    } catch {}
    if (!variables || typeof variables !== "object" || Array.isArray(variables))
      throw new TwilioError(21656, 400, "The ContentVariables parameter is invalid");
  }
  for (const [name, value] of Object.entries(variables)) {
    if (String(value).length > 1600)
      throw new TwilioError(21658, 400, `ContentVariables value for ${name} exceeds 1600 characters`);
  }
  const values = { ...(content.variables ?? {}), ...variables };
  const fill = (text: string) =>
    text.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) =>
      values[name] === undefined ? whole : String(values[name]),
    );
  const types = content.types ?? {};
  // The Content area may keep the SDK's camelCase keys (twilioText) as well as the wire's.
  const typeOf = (key: string) => types[key] ?? types[camel(key)];
  const chosen = TEXT_TYPES.map(typeOf).find((t) => t?.body !== undefined) ?? Object.values(types)[0];
  const media = typeOf("twilio/media")?.media ?? [];
  return { content, body: fill(chosen?.body ?? ""), mediaUrls: media.map(fill) };
}

function camel(key: string): string {
  return key.replace(/[/-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function isApprovedTemplate(content: ContentDoc | undefined): boolean {
  return content?.approval?.status?.toLowerCase() === "approved";
}
