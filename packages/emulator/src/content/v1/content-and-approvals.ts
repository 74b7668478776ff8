import { pageV1 } from "../../core/paging.js";
import type { Router } from "../../http/router.js";
import { CONTENTS, type Content, HOST, renderApproval, renderContent } from "./model.js";

export function registerContentAndApprovals(r: Router) {
  r.get("/content/v1/ContentAndApprovals", ({ world, account, input }) => {
    const items = world.store
      .list<Content>(CONTENTS, (c) => c.account_sid === account.sid)
      .map((c) => {
        const { url: _url, links: _links, ...rest } = renderContent(c);
        return { ...rest, approval_requests: renderApproval(c) };
      });
    return { status: 200, body: pageV1(items, "contents", `${HOST}/ContentAndApprovals`, input) };
  });
}
