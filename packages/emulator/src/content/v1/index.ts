import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerApprovals } from "./approvals.js";
import { registerContents } from "./contents.js";

/** Content API v1: templates (both SDK spellings accepted) and their WhatsApp approval review. */
export function registerContent(r: Router, world: World) {
  registerContents(r);
  registerApprovals(r, world);
}
