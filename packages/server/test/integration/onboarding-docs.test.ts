/**
 * docs/onboarding.md against the API, beyond what doc-examples.test.ts checks of every example:
 * every example named by its marker (`<!-- example: NAME; … -->`) is posted. Each registration document passes
 * the dry run with no finding at all, matches the RegistrationDocument schema /openapi.json
 * publishes, and is taken by the create route; the recommend call answers what the page shows.
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGISTRATION_KINDS } from "@subtext/telecom/registration/document";
import { docBlocks } from "../docs/markdown.js";
import { type Stack, startStack } from "./harness.js";

function examples(): Map<string, any> {
  const found = new Map<string, any>();
  for (const { marker, text } of docBlocks("docs/onboarding.md")) {
    if (!marker?.name) continue;
    expect(found.has(marker.name), `two examples named ${marker.name}`).toBe(false);
    found.set(marker.name, JSON.parse(text));
  }
  return found;
}

let stack: Stack;
let guide: Map<string, any>;
beforeAll(async () => {
  // Manual workers: a document that is taken is stored and queued, nothing more.
  stack = await startStack({ workers: "manual" });
  guide = examples();
});
afterAll(() => stack?.close());

describe("the examples of docs/onboarding.md", { timeout: 120_000 }, () => {
  it("are all marked: a document of each kind, the recommend call and its answer", () => {
    expect([...guide.keys()].sort()).toEqual([...REGISTRATION_KINDS, "recommend", "recommendation"].sort());
    for (const kind of REGISTRATION_KINDS) expect(guide.get(kind).kind).toBe(kind);
  });

  it("pass the dry run with no finding, match the published schema, and are taken", async () => {
    const openapi = (await stack.api("GET", "/openapi.json", { token: null })).body;
    const ajv = new Ajv({ strict: false, allErrors: true });
    (createRequire(import.meta.url)("ajv-formats") as (a: Ajv) => Ajv)(ajv);
    // The document's own $refs (#/components/schemas/…) resolve against this root.
    const matchesSchema = ajv.compile({
      components: openapi.components,
      $ref: "#/components/schemas/RegistrationDocument",
    });
    const { key } = await stack.newTenant();
    for (const kind of REGISTRATION_KINDS) {
      const document = guide.get(kind);
      const dryRun = await stack.api("POST", "/v1/registrations/validate", { token: key, body: document });
      expect(dryRun.status, kind).toBe(200);
      expect(dryRun.body, kind).toEqual({ ok: true, findings: [] });
      expect(matchesSchema(document), `${kind}: ${JSON.stringify(matchesSchema.errors)}`).toBe(true);
      expect(matchesSchema({ ...document, priority: "high" }), `${kind} with an unknown field`).toBe(false);
    }
    // A tenant has one 10DLC registration at most: one tenant per 10DLC kind.
    for (const kind of REGISTRATION_KINDS) {
      const { tenant, key: tenantKey } = await stack.newTenant();
      const created = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
        token: tenantKey,
        body: guide.get(kind),
      });
      expect(created.status, `${kind}: ${JSON.stringify(created.body)}`).toBe(202);
      expect(created.body).toMatchObject({ kind, state: "submitted", document: guide.get(kind) });
    }
  });

  it("recommend what the page says", async () => {
    const { key } = await stack.newTenant();
    const answer = await stack.api("POST", "/v1/registrations/recommend", {
      token: key,
      body: guide.get("recommend"),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(guide.get("recommendation"));
  });
});
