import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerContentAndApprovals } from "./content-and-approvals.js";
import { registerContents } from "./content/index.js";
import { registerLegacyContent } from "./legacy-content.js";

/** Content API v1: templates (both SDK spellings accepted) and their WhatsApp approval review. */
export function registerContent(r: Router, world: World) {
  registerContents(r, world);
  registerContentAndApprovals(r);
  registerLegacyContent(r);
}
