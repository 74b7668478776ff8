import { newSid } from "../../../core/sid.js";
import type { World } from "../../../world.js";
import { CALLS, type Call, type CallerScript } from "./model.js";

type Required = Pick<Call, "account_sid" | "from" | "to" | "direction" | "status">;

/** A new call document with Twilio's defaults; the script's scripted input is copied for this call. */
export function newCall(world: World, init: Required & Partial<Call>): Call {
  const now = world.clock.now();
  const script: CallerScript = init.script ?? {};
  return world.store.put<Call>(CALLS, {
    sid: newSid("CA"),
    parent_call_sid: null,
    answered_by: null,
    phone_number_sid: null,
    date_created: now,
    date_updated: now,
    start_time: null,
    end_time: null,
    price: null,
    url: null,
    method: "POST",
    twiml: null,
    fallback_url: null,
    fallback_method: "POST",
    status_callback: null,
    status_callback_method: "POST",
    status_callback_events: [],
    record: false,
    machine_detection: false,
    timeout: 60,
    doc_url: null,
    queue: [],
    gen: 0,
    fetches: 0,
    steps: 0,
    sequence: 0,
    transcript: [],
    ...init,
    script,
    input: { digits: [...(script.digits ?? [])], speech: [...(script.speech ?? [])] },
  });
}
