import { TwilioError } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { CONTENTS, type Content, HOST, ownContent, renderContent } from "../model.js";
import { parseTemplate } from "../template.js";
import { registerApprovalRequests } from "./approval-requests.js";

function registerContentRoutes(r: Router) {
  r.post("/content/v1/Content", ({ world, account, input }) => {
    const template = parseTemplate(input.json);
    const now = world.clock.now();
    const content = world.store.put<Content>(CONTENTS, {
      sid: newSid("HX"),
      account_sid: account.sid,
      ...template,
      approval: null,
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: renderContent(content) };
  });

  r.get("/content/v1/Content", ({ world, account, input }) => {
    const items = world.store
      .list<Content>(CONTENTS, (c) => c.account_sid === account.sid)
      .map(renderContent);
    return { status: 200, body: pageV1(items, "contents", `${HOST}/Content`, input) };
  });

  r.get("/content/v1/Content/:Sid", ({ world, account, params }) => ({
    status: 200,
    body: renderContent(ownContent(world, account.sid, params.Sid)),
  }));

  // A replaced template needs a new WhatsApp review, as an edited template does at Meta; one under
  // review cannot be replaced.
  r.put("/content/v1/Content/:Sid", ({ world, account, params, input }) => {
    const current = ownContent(world, account.sid, params.Sid);
    const status = current.approval?.status;
    if (status === "received" || status === "pending")
      throw new TwilioError(
        20001,
        400,
        "Content cannot be replaced while its WhatsApp approval is under review",
      );
    const template = parseTemplate(input.json);
    const updated = world.store.put<Content>(CONTENTS, {
      ...current,
      ...template,
      approval: null,
      date_updated: world.clock.now(),
    });
    return { status: 200, body: renderContent(updated) };
  });

  r.delete("/content/v1/Content/:Sid", ({ world, account, params }) => {
    world.store.delete(CONTENTS, ownContent(world, account.sid, params.Sid).sid);
    return { status: 204 };
  });
}

/** Content and what Twilio nests under it: ApprovalRequests. */
export function registerContents(r: Router, world: World) {
  registerContentRoutes(r);
  registerApprovalRequests(r, world);
}
