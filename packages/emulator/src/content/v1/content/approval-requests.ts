import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  CATEGORIES,
  CONTENTS,
  type Category,
  type Content,
  HOST,
  badRequest,
  ownContent,
  primaryType,
  renderApproval,
} from "../model.js";
import { NAME_PATTERN, reviewTemplate } from "../review.js";

/** received → pending shortly after submission; the verdict follows a review (seconds in sandbox). */
const RECEIVED_SECONDS = 5;
const REVIEW_SECONDS = 60;

function parseRequest(world: World, c: Content, json: unknown) {
  const b = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const name = b.name;
  const category = typeof b.category === "string" ? b.category.toUpperCase() : b.category;
  if (typeof name !== "string" || !name) throw badRequest("Missing required parameter name");
  if (!NAME_PATTERN.test(name))
    throw badRequest("name may only contain lowercase letters, digits and underscores (at most 512)");
  if (typeof category !== "string" || !(CATEGORIES as readonly string[]).includes(category))
    throw badRequest(`category must be one of ${CATEGORIES.join(", ")}`);
  const status = c.approval?.status;
  if (status && status !== "rejected")
    throw badRequest(`Content ${c.sid} was already submitted for WhatsApp approval (${status})`);
  const clash = world.store.find<Content>(
    CONTENTS,
    (o) =>
      o.sid !== c.sid &&
      o.account_sid === c.account_sid &&
      o.language === c.language &&
      o.approval?.name === name &&
      o.approval.status !== "rejected",
  );
  if (clash) throw badRequest(`A WhatsApp template named ${name} already exists for language ${c.language}`);
  const allow = b.allow_category_change ?? b.allowCategoryChange;
  return { name, category: category as Category, allow_category_change: allow !== false };
}

export function registerApprovalRequests(r: Router, world: World) {
  world.scheduler.on("content.approval", ({ sid, step }) => {
    const c = world.store.get<Content>(CONTENTS, sid);
    if (!c?.approval) return;
    if (step === "pending" && c.approval.status === "received") {
      world.store.patch<Content>(CONTENTS, sid, { approval: { ...c.approval, status: "pending" } });
      world.scheduler.after(world.reviewDelay(REVIEW_SECONDS, 1), "content.approval", {
        sid,
        step: "verdict",
      });
    } else if (step === "verdict" && c.approval.status === "pending") {
      const verdict = reviewTemplate(c, c.approval.category, c.approval.content_type);
      const approval = {
        ...c.approval,
        status: verdict.status,
        rejection_reason: verdict.status === "rejected" ? verdict.reason : "",
      };
      world.store.patch<Content>(CONTENTS, sid, { approval });
    }
  });

  r.post("/content/v1/Content/:ContentSid/ApprovalRequests/whatsapp", ({ world, account, params, input }) => {
    const c = ownContent(world, account.sid, params.ContentSid);
    const request = parseRequest(world, c, input.json);
    const updated = world.store.patch<Content>(CONTENTS, c.sid, {
      approval: {
        ...request,
        content_type: primaryType(c),
        status: "received",
        rejection_reason: "",
        date_submitted: world.clock.now(),
      },
    })!;
    world.scheduler.after(RECEIVED_SECONDS * 1000, "content.approval", { sid: c.sid, step: "pending" });
    return { status: 201, body: renderApproval(updated) };
  });

  r.get("/content/v1/Content/:Sid/ApprovalRequests", ({ world, account, params }) => {
    const c = ownContent(world, account.sid, params.Sid);
    return {
      status: 200,
      body: {
        sid: c.sid,
        account_sid: c.account_sid,
        whatsapp: { type: "whatsapp", ...renderApproval(c) },
        url: `${HOST}/Content/${c.sid}/ApprovalRequests`,
      },
    };
  });
}
