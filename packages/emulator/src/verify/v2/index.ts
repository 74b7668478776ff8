import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";

export function registerVerify(_r: Router, _world: World) {}
