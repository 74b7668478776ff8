import { iso } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  type Bundle,
  type BundleKind,
  CHANNEL_ENDPOINT_ASSIGNMENTS,
  type ChannelEndpointAssignment,
  KINDS,
  bundleUrl,
  ownBundle,
} from "../model.js";

const INCOMING_PHONE_NUMBERS = "incoming_phone_numbers";

function renderEndpoint(a: ChannelEndpointAssignment, kind: BundleKind) {
  return {
    sid: a.sid,
    [KINDS[kind].sidField]: a.bundle_sid,
    account_sid: a.account_sid,
    channel_endpoint_type: a.channel_endpoint_type,
    channel_endpoint_sid: a.channel_endpoint_sid,
    date_created: iso(a.date_created),
    url: `${bundleUrl({ sid: a.bundle_sid, kind })}/ChannelEndpointAssignments/${a.sid}`,
  };
}

function registerKind(r: Router, kind: BundleKind) {
  const base = `/trusthub/v1/${KINDS[kind].path}/:BundleSid/ChannelEndpointAssignments`;
  const one = (world: World, b: Bundle, sid: string) => {
    const a = world.store.get<ChannelEndpointAssignment>(CHANNEL_ENDPOINT_ASSIGNMENTS, sid);
    if (!a || a.bundle_sid !== b.sid) throw notFound(`ChannelEndpointAssignment ${sid}`);
    return a;
  };

  r.post(base, ({ world, account, params, input }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    const type = input.required("ChannelEndpointType");
    const endpoint = input.required("ChannelEndpointSid");
    if (type !== "phone-number")
      throw new TwilioError(
        20001,
        400,
        `Invalid parameter ChannelEndpointType: ${type} (expected phone-number)`,
      );
    const number = world.store.get<{ sid: string; account_sid: string }>(INCOMING_PHONE_NUMBERS, endpoint);
    if (!number || number.account_sid !== account.sid) throw notFound(`Phone number ${endpoint}`);
    const existing = world.store.find<ChannelEndpointAssignment>(
      CHANNEL_ENDPOINT_ASSIGNMENTS,
      (a) => a.bundle_sid === b.sid && a.channel_endpoint_sid === endpoint,
    );
    if (existing) throw new TwilioError(20001, 400, `${endpoint} is already assigned to ${b.sid}`);
    const a = world.store.put<ChannelEndpointAssignment>(CHANNEL_ENDPOINT_ASSIGNMENTS, {
      sid: newSid("RA"),
      bundle_sid: b.sid,
      account_sid: b.account_sid,
      channel_endpoint_type: type,
      channel_endpoint_sid: endpoint,
      date_created: world.clock.now(),
    });
    return { status: 201, body: renderEndpoint(a, kind) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    const wanted = [
      ...input.list("ChannelEndpointSid"),
      ...input.list("ChannelEndpointSids").flatMap((s) => s.split(",")),
    ];
    const items = world.store
      .list<ChannelEndpointAssignment>(
        CHANNEL_ENDPOINT_ASSIGNMENTS,
        (a) => a.bundle_sid === b.sid && (wanted.length === 0 || wanted.includes(a.channel_endpoint_sid)),
      )
      .map((a) => renderEndpoint(a, kind));
    return {
      status: 200,
      body: pageV1(items, "results", `${bundleUrl(b)}/ChannelEndpointAssignments`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    return { status: 200, body: renderEndpoint(one(world, b, params.Sid), kind) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const b = ownBundle(world, account.sid, kind, params.BundleSid);
    world.store.delete(CHANNEL_ENDPOINT_ASSIGNMENTS, one(world, b, params.Sid).sid);
    return { status: 204 };
  });
}

export function registerChannelEndpointAssignments(r: Router) {
  for (const kind of Object.keys(KINDS) as BundleKind[]) registerKind(r, kind);
}
