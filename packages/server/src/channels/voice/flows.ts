import { newId } from "../../db/ids.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { type TenantNumber, configureNumber, findTenantNumber } from "../../tenancy/numbers.js";
import type { FlowDefinition } from "./flow.js";
import type { FlowInput } from "./flow-schema.js";
import {
  type FlowRow,
  attachNumber,
  detachNumbers,
  findFlow,
  flowNumberRows,
  insertFlow,
  replaceFlow,
} from "./flow-store.js";
import { flowUrlPolicy, urlFindings } from "./tenant-urls.js";
import { voiceBase } from "./urls.js";
import { type FlowFinding, flowErrors, validateFlow } from "./validate.js";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "urls" | "log" | "config">;

export interface SavedFlow {
  flow: FlowRow;
  phoneNumbers: string[];
}

/**
 * Creates (id absent) or replaces a flow. The graph and the tenant's URLs (tenant-urls.ts) are
 * checked first (errors refuse the save with 422 and the findings; warnings are kept with the
 * flow). Then each number is looked up in the tenant's subaccount and its voice URL and status
 * callback are pointed at our webhooks, before the flow and its numbers are stored together.
 * Numbers dropped from the list get their voice URL cleared.
 */
/** Every finding the save would make (the graph, and the URLs nodes may call), nothing saved. */
export function checkFlow(
  deps: Pick<Deps, "config" | "urls">,
  input: FlowInput,
): { definition: FlowDefinition; findings: FlowFinding[] } {
  const definition: FlowDefinition = {
    start: input.start,
    nodes: input.nodes,
    ...(input.voice ? { voice: input.voice } : {}),
    ...(input.language ? { language: input.language } : {}),
  };
  return {
    definition,
    findings: [...validateFlow(definition), ...urlFindings(definition, flowUrlPolicy(deps))],
  };
}

export async function saveFlow(
  deps: Deps,
  tenant: TenantRow,
  input: FlowInput,
  id?: string,
): Promise<SavedFlow> {
  const { name, phone_numbers } = input;
  const { definition, findings } = checkFlow(deps, input);
  const errors = flowErrors(findings);
  if (errors.length > 0) {
    throw new SubtextError(
      "invalid_flow",
      422,
      `The flow has ${errors.length} problem(s); nothing was saved.`,
      {
        hint: "Each entry of details names the node and the problem.",
        details: findings,
      },
    );
  }
  if (id && !(await findFlow(deps.db, tenant.id, id))) throw notFound("IVR flow", id);

  const before = id ? await flowNumberRows(deps.db, tenant.id, id) : [];
  const wanted: TenantNumber[] = [];
  for (const phone of phone_numbers ?? []) wanted.push(await findTenantNumber(deps, tenant, phone));
  const base = voiceBase(deps, tenant.id);
  for (const n of wanted) {
    await configureNumber(deps, tenant, n.sid, {
      voiceUrl: `${base}/incoming`,
      statusCallback: `${base}/status`,
    });
  }

  const now = deps.clock.now();
  const flowId = id ?? newId("ivr");
  const dropped =
    phone_numbers === undefined
      ? []
      : before.filter((b) => !wanted.some((w) => w.phoneNumber === b.phone_number));
  const flow = await deps.db.tx(async (tx) => {
    const row = id
      ? await replaceFlow(tx, { id, tenantId: tenant.id, name, definition, findings, now })
      : await insertFlow(tx, { id: flowId, tenantId: tenant.id, name, definition, findings, now });
    if (!row) throw notFound("IVR flow", flowId);
    for (const n of wanted)
      await attachNumber(tx, { phone: n.phoneNumber, sid: n.sid, tenantId: tenant.id, flowId, now });
    if (dropped.length > 0)
      await detachNumbers(
        tx,
        tenant.id,
        dropped.map((d) => d.phone_number),
      );
    return row;
  });
  for (const d of dropped) {
    await configureNumber(deps, tenant, d.phone_number_sid, { voiceUrl: "" }).catch((err: unknown) =>
      deps.log.warn(
        { event: "voice.detach_failed", phone_number_sid: d.phone_number_sid, err },
        "could not clear voice URL",
      ),
    );
  }
  const phoneNumbers = (await flowNumberRows(deps.db, tenant.id, flowId)).map((r) => r.phone_number);
  return { flow, phoneNumbers };
}
