import type twilio from "twilio";
import type { useEmulator } from "../../setup.js";

/** What a walk gets: the SDK through the recording recipe, as the ISV parent and as a fresh tenant. */
export interface WalkContext {
  /** The sandbox's parent account (the ISV), through the recorder. */
  parent: twilio.Twilio;
  /** A subaccount created for this walk (a tenant), through the recorder with a standard API key of its own. */
  tenant: twilio.Twilio;
  tenantSid: string;
  /** The running emulator: control API, clock. Calls made through it are not recorded. */
  em: ReturnType<typeof useEmulator>;
}

/**
 * A short scenario through the official SDK that exercises the named operations the way the
 * product uses them. `operations` are OpenAPI operationIds: the conformance test checks that the
 * walk really reached each of them, so a walk cannot silently stop covering what it claims.
 */
export interface Walk {
  name: string;
  operations: string[];
  run(ctx: WalkContext): Promise<void>;
}
