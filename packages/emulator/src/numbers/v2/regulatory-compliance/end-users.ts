import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { NUMBERS_V2, type ItemType, endUserType } from "./catalog.js";
import { RC_END_USERS, RC_ITEM_ASSIGNMENTS, type RcItem, type RcItemAssignment } from "./model.js";

export interface ItemRoutes<T extends RcItem> {
  path: string;
  collection: string;
  prefix: string;
  knownType: (t: string) => ItemType | undefined;
  render: (doc: T) => unknown;
  /** Fields a new item starts with beyond the common ones. */
  extra: () => Partial<T>;
  /** Called after an update (a document goes back to draft). */
  updated?: (world: World, doc: T) => T;
}

/** An item still assigned to a bundle cannot be deleted: the bundle would silently lose it. */
function refuseIfAssigned(world: World, sid: string) {
  const used = world.store.find<RcItemAssignment>(RC_ITEM_ASSIGNMENTS, (a) => a.object_sid === sid);
  if (used)
    throw new TwilioError(
      20001,
      400,
      `${sid} is assigned to bundle ${used.bundle_sid}; remove the item assignment first`,
    );
}

/** CRUD of a Regulatory Compliance item: EndUsers and SupportingDocuments differ as ItemRoutes says. */
export function registerRcItemRoutes<T extends RcItem>(r: Router, item: ItemRoutes<T>) {
  const base = `/numbers/v2/RegulatoryCompliance/${item.path}`;
  const own = (world: World, accountSid: string, sid: string): T => {
    const doc = world.store.get<T>(item.collection, sid);
    if (!doc || doc.account_sid !== accountSid) throw notFound(`${item.path} ${sid}`);
    return doc;
  };

  r.post(base, ({ world, account, input }) => {
    const friendlyName = input.required("FriendlyName");
    const type = input.required("Type");
    if (!item.knownType(type))
      throw new TwilioError(20001, 400, `Invalid parameter Type: unknown type ${type}`);
    const now = world.clock.now();
    const doc = world.store.put<T>(item.collection, {
      sid: newSid(item.prefix),
      account_sid: account.sid,
      friendly_name: friendlyName,
      type: item.knownType(type)!.machine_name,
      attributes: input.object("Attributes") ?? {},
      ...item.extra(),
      date_created: now,
      date_updated: now,
    } as T);
    return { status: 201, body: item.render(doc) };
  });

  r.get(base, ({ world, account, input }) => ({
    status: 200,
    body: pageV1(
      world.store.list<T>(item.collection, (d) => d.account_sid === account.sid).map(item.render),
      "results",
      `${NUMBERS_V2}/${item.path}`,
      input,
    ),
  }));

  r.get(`${base}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: item.render(own(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
    const doc = own(world, account.sid, params.Sid);
    const updated = world.store.patch<T>(item.collection, doc.sid, {
      friendly_name: input.str("FriendlyName") ?? doc.friendly_name,
      attributes: input.object("Attributes") ?? doc.attributes,
      date_updated: world.clock.now(),
    } as Partial<T>)!;
    return { status: 200, body: item.render(item.updated ? item.updated(world, updated) : updated) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const doc = own(world, account.sid, params.Sid);
    refuseIfAssigned(world, doc.sid);
    world.store.delete(item.collection, doc.sid);
    return { status: 204 };
  });
}

/** https://www.twilio.com/docs/phone-numbers/regulatory/api/end-users */
export function renderRcEndUser(e: RcItem) {
  return {
    sid: e.sid,
    account_sid: e.account_sid,
    friendly_name: e.friendly_name,
    type: e.type,
    attributes: e.attributes,
    date_created: iso(e.date_created),
    date_updated: iso(e.date_updated),
    url: `${NUMBERS_V2}/EndUsers/${e.sid}`,
  };
}

export function registerRcEndUsers(r: Router) {
  registerRcItemRoutes<RcItem>(r, {
    path: "EndUsers",
    collection: RC_END_USERS,
    prefix: "IT",
    knownType: endUserType,
    render: renderRcEndUser,
    extra: () => ({}),
  });
}
