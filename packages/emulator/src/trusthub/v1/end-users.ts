import { iso } from "../../core/dates.js";
import { TwilioError, notFound } from "../../core/errors.js";
import { pageV1 } from "../../core/paging.js";
import { newSid } from "../../core/sid.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { ENTITY_ASSIGNMENTS, END_USERS, type EndUser, type EntityAssignment, TRUSTHUB } from "./model.js";
import { endUserType } from "./policy-catalog.js";

export function renderEndUser(e: EndUser) {
  return {
    sid: e.sid,
    account_sid: e.account_sid,
    friendly_name: e.friendly_name,
    type: e.type,
    attributes: e.attributes,
    date_created: iso(e.date_created),
    date_updated: iso(e.date_updated),
    url: `${TRUSTHUB}/EndUsers/${e.sid}`,
  };
}

export function createEndUser(
  world: World,
  fields: Pick<EndUser, "account_sid" | "friendly_name" | "type" | "attributes">,
): EndUser {
  const now = world.clock.now();
  return world.store.put<EndUser>(END_USERS, {
    sid: newSid("IT"),
    ...fields,
    date_created: now,
    date_updated: now,
  });
}

/** Deleting an item still assigned to a bundle would silently break that bundle: Twilio refuses it. */
function refuseIfAssigned(world: World, sid: string) {
  const used = world.store.find<EntityAssignment>(ENTITY_ASSIGNMENTS, (a) => a.object_sid === sid);
  if (used)
    throw new TwilioError(
      20001,
      400,
      `${sid} is assigned to bundle ${used.bundle_sid}; remove the assignment first`,
    );
}

export interface ItemKind {
  path: string;
  collection: string;
  prefix: string;
  knownType: (t: string) => unknown;
  render: (doc: any) => unknown;
  extra: () => Record<string, unknown>;
}

/** The routes of a Trust Hub item: EndUsers and SupportingDocuments differ only as ItemKind says. */
export function registerItemRoutes(r: Router, item: ItemKind) {
  const base = `/trusthub/v1/${item.path}`;
  const own = (world: World, accountSid: string, sid: string) => {
    const doc = world.store.get<EndUser>(item.collection, sid);
    if (!doc || doc.account_sid !== accountSid) throw notFound(`${item.path} ${sid}`);
    return doc;
  };

  r.post(base, ({ world, account, input }) => {
    const friendlyName = input.required("FriendlyName");
    const type = input.required("Type");
    if (!item.knownType(type))
      throw new TwilioError(20001, 400, `Invalid parameter Type: unknown type ${type}`);
    const now = world.clock.now();
    const doc = world.store.put(item.collection, {
      sid: newSid(item.prefix),
      account_sid: account.sid,
      friendly_name: friendlyName,
      type,
      attributes: input.object("Attributes") ?? {},
      ...item.extra(),
      date_created: now,
      date_updated: now,
    });
    return { status: 201, body: item.render(doc) };
  });

  r.get(base, ({ world, account, input }) => ({
    status: 200,
    body: pageV1(
      world.store.list<EndUser>(item.collection, (d) => d.account_sid === account.sid).map(item.render),
      "results",
      `${TRUSTHUB}/${item.path}`,
      input,
    ),
  }));

  r.get(`${base}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: item.render(own(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
    const doc = own(world, account.sid, params.Sid);
    const updated = world.store.patch<EndUser>(item.collection, doc.sid, {
      friendly_name: input.str("FriendlyName") ?? doc.friendly_name,
      attributes: input.object("Attributes") ?? doc.attributes,
      date_updated: world.clock.now(),
    });
    return { status: 200, body: item.render(updated) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const doc = own(world, account.sid, params.Sid);
    refuseIfAssigned(world, doc.sid);
    world.store.delete(item.collection, doc.sid);
    return { status: 204 };
  });
}

export function registerEndUsers(r: Router) {
  registerItemRoutes(r, {
    path: "EndUsers",
    collection: END_USERS,
    prefix: "IT",
    knownType: endUserType,
    render: renderEndUser,
    extra: () => ({}),
  });
}
