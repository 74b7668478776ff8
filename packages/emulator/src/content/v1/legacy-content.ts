import { pageV1 } from "../../core/paging.js";
import type { Router } from "../../http/router.js";
import { HOST } from "./model.js";

export function registerLegacyContent(r: Router) {
  // Legacy (pre-Content API) WhatsApp templates do not exist in the emulator.
  r.get("/content/v1/LegacyContent", ({ input }) => ({
    status: 200,
    body: pageV1([], "contents", `${HOST}/LegacyContent`, input),
  }));
}
