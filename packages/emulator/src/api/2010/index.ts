import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerCarriers } from "../../control/carriers.js";
import { registerHandsets } from "../../control/handsets.js";
import { registerKeywordHandling } from "../../control/keyword-handling.js";
import { registerMessageControl } from "../../control/messages.js";
import { registerSenderControl } from "../../control/senders.js";
import { registerUsageControl } from "../../control/usage.js";
import { registerAccounts } from "./accounts/index.js";
import { registerAddresses } from "./addresses.js";
import { registerAvailablePhoneNumbers } from "./available-phone-numbers.js";
import { registerCalls } from "./calls/index.js";
import { registerIncomingPhoneNumbers } from "./incoming-phone-numbers.js";
import { registerKeys } from "./keys.js";
import { registerMessages } from "./messages/index.js";
import { registerRecordingRoutes } from "./recordings/index.js";
import { registerSigningKeys } from "./signing-keys.js";
import { registerShortCodes } from "./sms/short-codes.js";
import { registerTranscriptionRoutes } from "./transcriptions.js";
import { registerUsageRecords } from "./usage/records/index.js";

/**
 * API 2010. Every resource but Accounts lives under /2010-04-01/Accounts/{AccountSid}/, so the
 * files here start below it: …/Accounts/{Sid}/Calls/{Sid}/Recordings.json is calls/recordings.ts.
 */
export function registerApi2010(r: Router, world: World) {
  registerAccounts(r);
  registerKeys(r);
  registerSigningKeys(r);
  registerAddresses(r);
  registerAvailablePhoneNumbers(r);
  registerIncomingPhoneNumbers(r);
  registerShortCodes(r);
  registerMessages(r, world);
  registerCalls(r, world);
  registerRecordingRoutes(r);
  registerTranscriptionRoutes(r);
  registerUsageRecords(r);
  // The control routes of numbers and messaging: handsets, carriers, sent messages, throughput,
  // and the skews of the usage records.
  registerHandsets(r);
  registerKeywordHandling(r);
  registerCarriers(r);
  registerSenderControl(r);
  registerMessageControl(r);
  registerUsageControl(r);
}
