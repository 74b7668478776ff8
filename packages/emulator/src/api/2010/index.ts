import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { registerAccounts } from "./accounts.js";
import { registerKeys } from "./keys.js";

export function registerApi2010(r: Router, _world: World) {
  registerAccounts(r);
  registerKeys(r);
}
