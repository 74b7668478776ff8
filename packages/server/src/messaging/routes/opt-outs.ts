import type { FastifyRequest } from "fastify";
import { page } from "../../http/pages.js";
import { actingTenant, principalOf } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Defaulted, Nullable, type Static, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { CSV_HEADER, parseImport, toCsvLine } from "../optouts/csv.js";
import { ALL_SENDERS, type OptOutRow, auditOf, listOptOuts, optIn, optOut } from "../optouts/store.js";
import { parsePhone } from "@subtext/telecom/phone";

const scopeSchema = Type.String({
  pattern: "^(all|MG[0-9a-fA-F]{32}|\\+[1-9]\\d{1,14})$",
  description: "all (every sender), a messaging service sid, or a sender number",
});

const source = Type.Enum(["keyword", "api", "import", "twilio_21610"], { type: "string" });

const OptOutSchema = Type.Object({
  phone: Type.String(),
  scope: Type.String(),
  source,
  keyword: Type.Optional(Nullable(Type.String())),
  reason: Type.Optional(Nullable(Type.String())),
  created_at: Type.String({ format: "date-time" }),
});

const OptOutPageSchema = Type.Object({
  data: Type.Array(OptOutSchema),
  has_more: Type.Boolean(),
  next_cursor: Nullable(Type.String()),
});

const HistorySchema = Type.Object({
  data: Type.Array(
    Type.Object({
      action: Type.Enum(["opt_out", "opt_in"], { type: "string" }),
      scope: Type.String(),
      source,
      keyword: Nullable(Type.String()),
      reason: Nullable(Type.String()),
      actor: Type.String({
        description: "api_key:key_…, admin, handset or twilio",
        examples: ["api_key:key_01JC0000000000000000000000"],
      }),
      at: Type.String({ format: "date-time" }),
    }),
    { description: "Oldest first" },
  ),
});

const ImportResultSchema = Type.Object({
  imported: Type.Integer({ description: "Lines that added an entry" }),
  unchanged: Type.Integer({ description: "Lines whose entry was already there" }),
  rejected: Type.Integer({ description: "Lines refused (listed in errors)" }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() })),
});

const listQuery = Defaulted(
  Type.Object(
    {
      phone: Type.Optional(Type.String({ maxLength: 64 })),
      scope: Type.Optional(scopeSchema),
      cursor: Type.Optional(Type.String({ maxLength: 200 })),
      limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      format: Type.Enum(["json", "csv"], { type: "string", default: "json" }),
    },
    { additionalProperties: false },
  ),
);
type ListQuery = Static<typeof listQuery>;

const phoneParams = Type.Object({ phone: Type.String({ maxLength: 64 }) });

function view(r: OptOutRow) {
  return {
    phone: r.phone,
    scope: r.scope,
    source: r.source,
    keyword: r.keyword,
    reason: r.reason,
    created_at: r.created_at.toISOString(),
  };
}

function actor(req: FastifyRequest): string {
  const p = principalOf(req);
  return p.kind === "tenant" ? `api_key:${p.apiKeyId}` : "admin";
}

function e164(raw: string): string {
  const parsed = parsePhone(raw);
  if (!parsed.ok) {
    throw new SubtextError(parsed.code, 422, parsed.message, {
      details: [{ path: "/phone", code: parsed.code }],
    });
  }
  return parsed.phone.e164;
}

export function optOutRoutes(services: Services): Routes {
  return async (app) => {
    app.addContentTypeParser(
      ["text/csv", "text/plain"],
      { parseAs: "string", bodyLimit: 16 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );

    const list = async (req: FastifyRequest, q: ListQuery, csv: boolean) => {
      const tenant = await actingTenant(req, services);
      if (csv) {
        // The whole list, page by page, without holding it all in memory twice.
        const lines = [CSV_HEADER];
        let cursor: { phone: string; scope: string } | undefined;
        for (;;) {
          const chunk = await listOptOuts(services.db, tenant.id, {
            phone: q.phone && e164(q.phone),
            scope: q.scope,
            cursor,
            limit: 5000,
          });
          lines.push(...chunk.rows.map(toCsvLine));
          if (!chunk.hasMore) break;
          const last = chunk.rows[chunk.rows.length - 1];
          cursor = { phone: last.phone, scope: last.scope };
        }
        return { csv: `${lines.join("\r\n")}\r\n` };
      }
      const [phone, scope] = q.cursor ? q.cursor.split("|") : [];
      const found = await listOptOuts(services.db, tenant.id, {
        phone: q.phone && e164(q.phone),
        scope: q.scope,
        cursor: q.cursor ? { phone, scope } : undefined,
        limit: q.limit,
      });
      return page(found.rows, found.hasMore, view, (last) => `${last.phone}|${last.scope}`);
    };
    app.get(
      "/v1/opt-outs",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "The suppression list (JSON, or CSV with format=csv)",
          security: [{ bearer: [] }],
          querystring: listQuery,
          response: responses({ 200: OptOutPageSchema }, [400, 401, 403, 422]),
        },
      },
      async (req, reply) => {
        const out = await list(req, req.query, req.query.format === "csv");
        if ("csv" in out) return reply.type("text/csv; charset=utf-8").send(out.csv);
        return out;
      },
    );

    app.get(
      "/v1/opt-outs.csv",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "The suppression list as CSV",
          security: [{ bearer: [] }],
          querystring: listQuery,
        },
      },
      async (req, reply) => {
        const out = (await list(req, req.query, true)) as { csv: string };
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="opt-outs.csv"')
          .send(out.csv);
      },
    );

    app.post(
      "/v1/opt-outs",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Add a number to the suppression list (201; 200 when it was already there)",
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              phone: Type.String({ maxLength: 64 }),
              scope: Type.Optional(scopeSchema),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: OptOutSchema, 201: OptOutSchema }, [400, 401, 403, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const phone = e164(req.body.phone);
        const result = await services.db.tx((tx) =>
          optOut(tx, {
            tenantId: tenant.id,
            phone,
            scope: req.body.scope ?? ALL_SENDERS,
            source: "api",
            reason: req.body.reason ?? null,
            actor: actor(req),
            at: services.clock.now(),
          }),
        );
        return reply.code(result.changed ? 201 : 200).send(view(result.row));
      },
    );

    app.delete(
      "/v1/opt-outs/:phone",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Remove a number from the suppression list (one scope, or all of them)",
          security: [{ bearer: [] }],
          params: phoneParams,
          querystring: Type.Object(
            {
              scope: Type.Optional(scopeSchema),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: responses(
            { 200: Type.Object({ removed: Type.Array(OptOutSchema) }) },
            [400, 401, 403, 404, 422],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const phone = e164(req.params.phone);
        const removed = await services.db.tx((tx) =>
          optIn(tx, {
            tenantId: tenant.id,
            phone,
            scope: req.query.scope ?? null,
            source: "api",
            reason: req.query.reason ?? null,
            actor: actor(req),
            at: services.clock.now(),
          }),
        );
        if (removed.length === 0) throw notFound("opt-out for", phone);
        return { removed: removed.map(view) };
      },
    );

    app.get(
      "/v1/opt-outs/:phone/history",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "The audit trail of a number: who opted it out or in, when, how and why",
          security: [{ bearer: [] }],
          params: phoneParams,
          response: responses({ 200: HistorySchema }, [400, 401, 403, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const rows = await auditOf(services.db, tenant.id, e164(req.params.phone));
        return {
          data: rows.map((r) => ({
            action: r.action,
            scope: r.scope,
            source: r.source,
            keyword: r.keyword,
            reason: r.reason,
            actor: r.actor,
            at: r.at.toISOString(),
          })),
        };
      },
    );

    app.post(
      "/v1/opt-outs/import",
      {
        bodyLimit: 16 * 1024 * 1024,
        schema: {
          tags: ["opt-outs"],
          summary: "Import opt-outs from CSV (text/csv): phone[,scope[,reason]] per line, optional header",
          security: [{ bearer: [] }],
          response: responses({ 200: ImportResultSchema }, [400, 401, 403, 415]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        if (typeof req.body !== "string") {
          throw new SubtextError("unsupported_media_type", 415, "Send the CSV with Content-Type: text/csv.");
        }
        const { lines, problems } = parseImport(req.body);
        const now = services.clock.now();
        let imported = 0;
        await services.db.tx(async (tx) => {
          for (const l of lines) {
            const r = await optOut(tx, {
              tenantId: tenant.id,
              phone: l.phone,
              scope: l.scope ?? ALL_SENDERS,
              source: "import",
              reason: l.reason,
              actor: actor(req),
              at: now,
            });
            if (r.changed) imported++;
          }
        });
        return { imported, unchanged: lines.length - imported, rejected: problems.length, errors: problems };
      },
    );
  };
}
