import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { page } from "../../http/pages.js";
import { actingTenant, principalOf } from "../../http/auth.js";
import { responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { CSV_HEADER, parseImport, toCsvLine } from "../optouts/csv.js";
import { ALL_SENDERS, type OptOutRow, auditOf, listOptOuts, optIn, optOut } from "../optouts/store.js";
import { parsePhone } from "@subtext/telecom/phone";

const scopeSchema = {
  type: "string",
  pattern: "^(all|MG[0-9a-fA-F]{32}|\\+[1-9]\\d{1,14})$",
  description: "all (every sender), a messaging service sid, or a sender number",
} as const;

const OptOutSchema = {
  type: "object",
  required: ["phone", "scope", "source", "created_at"],
  properties: {
    phone: { type: "string" },
    scope: { type: "string" },
    source: { type: "string", enum: ["keyword", "api", "import", "twilio_21610"] },
    keyword: { type: ["string", "null"] },
    reason: { type: ["string", "null"] },
    created_at: { type: "string", format: "date-time" },
  },
} as const;

const OptOutPageSchema = {
  type: "object",
  required: ["data", "has_more", "next_cursor"],
  properties: {
    data: { type: "array", items: OptOutSchema },
    has_more: { type: "boolean" },
    next_cursor: { type: ["string", "null"] },
  },
} as const;

const HistorySchema = {
  type: "object",
  required: ["data"],
  properties: {
    data: {
      type: "array",
      description: "Oldest first",
      items: {
        type: "object",
        required: ["action", "scope", "source", "keyword", "reason", "actor", "at"],
        properties: {
          action: { type: "string", enum: ["opt_out", "opt_in"] },
          scope: { type: "string" },
          source: OptOutSchema.properties.source,
          keyword: { type: ["string", "null"] },
          reason: { type: ["string", "null"] },
          actor: {
            type: "string",
            description: "api_key:key_…, admin, handset or twilio",
            examples: ["api_key:key_01JC0000000000000000000000"],
          },
          at: { type: "string", format: "date-time" },
        },
      },
    },
  },
} as const;

const ImportResultSchema = {
  type: "object",
  required: ["imported", "unchanged", "rejected", "errors"],
  properties: {
    imported: { type: "integer", description: "Lines that added an entry" },
    unchanged: { type: "integer", description: "Lines whose entry was already there" },
    rejected: { type: "integer", description: "Lines refused (listed in errors)" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["line", "code", "message"],
        properties: { line: { type: "integer" }, code: { type: "string" }, message: { type: "string" } },
      },
    },
  },
} as const;

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

type ListQuery = { phone?: string; scope?: string; cursor?: string; limit: number; format?: "json" | "csv" };

export function optOutRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(
      ["text/csv", "text/plain"],
      { parseAs: "string", bodyLimit: 16 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );

    const list = async (req: FastifyRequest<{ Querystring: ListQuery }>, csv: boolean) => {
      const tenant = await actingTenant(req, services);
      const q = req.query;
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
    const listQuery = {
      type: "object",
      additionalProperties: false,
      properties: {
        phone: { type: "string", maxLength: 64 },
        scope: scopeSchema,
        cursor: { type: "string", maxLength: 200 },
        limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
        format: { type: "string", enum: ["json", "csv"], default: "json" },
      },
    } as const;

    app.get<{ Querystring: ListQuery }>(
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
        const out = await list(req, req.query.format === "csv");
        if ("csv" in out) return reply.type("text/csv; charset=utf-8").send(out.csv);
        return out;
      },
    );

    app.get<{ Querystring: ListQuery }>(
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
        const out = (await list(req, true)) as { csv: string };
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="opt-outs.csv"')
          .send(out.csv);
      },
    );

    app.post<{ Body: { phone: string; scope?: string; reason?: string } }>(
      "/v1/opt-outs",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Add a number to the suppression list (201; 200 when it was already there)",
          security: [{ bearer: [] }],
          body: {
            type: "object",
            required: ["phone"],
            additionalProperties: false,
            properties: {
              phone: { type: "string", maxLength: 64 },
              scope: scopeSchema,
              reason: { type: "string", maxLength: 500 },
            },
          },
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

    app.delete<{ Params: { phone: string }; Querystring: { scope?: string; reason?: string } }>(
      "/v1/opt-outs/:phone",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Remove a number from the suppression list (one scope, or all of them)",
          security: [{ bearer: [] }],
          params: {
            type: "object",
            required: ["phone"],
            properties: { phone: { type: "string", maxLength: 64 } },
          },
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { scope: scopeSchema, reason: { type: "string", maxLength: 500 } },
          },
          response: responses(
            {
              200: {
                type: "object",
                required: ["removed"],
                properties: { removed: { type: "array", items: OptOutSchema } },
              },
            },
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

    app.get<{ Params: { phone: string } }>(
      "/v1/opt-outs/:phone/history",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "The audit trail of a number: who opted it out or in, when, how and why",
          security: [{ bearer: [] }],
          params: {
            type: "object",
            required: ["phone"],
            properties: { phone: { type: "string", maxLength: 64 } },
          },
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

    app.post<{ Body: string }>(
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
