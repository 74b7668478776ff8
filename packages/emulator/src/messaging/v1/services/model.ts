import { SERVICES, type ServiceDoc } from "../../../api/2010/messages/collections.js";
import { notFound } from "../../../core/errors.js";
import type { World } from "../../../world.js";

export function serviceOf(world: World, accountSid: string, sid: string): ServiceDoc {
  const doc = world.store.get<ServiceDoc>(SERVICES, sid);
  if (!doc || doc.account_sid !== accountSid) throw notFound("Service");
  return doc;
}
