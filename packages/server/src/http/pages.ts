/** Route plumbing shared by the channel plugins (schemas, paging). */
export const security = [{ bearer: [] }];

export const tenantNote = "Tenant key, or the admin token with `Subtext-Tenant: ten_…`.";

export const listQuery = {
  cursor: { type: "string", maxLength: 64, description: "next_cursor of the previous page" },
  limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
} as const;

export const pageOf = (ref: string) => ({
  type: "object",
  required: ["data", "has_more", "next_cursor"],
  properties: {
    data: { type: "array", items: { $ref: `${ref}#` } },
    has_more: { type: "boolean" },
    next_cursor: { type: ["string", "null"] },
  },
});

export function page<R extends { id: string }, V>(rows: R[], hasMore: boolean, view: (r: R) => V) {
  return {
    data: rows.map(view),
    has_more: hasMore,
    next_cursor: hasMore && rows.length > 0 ? rows[rows.length - 1].id : null,
  };
}

export const byId = (prefix: string) => ({
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: {
    id: { type: "string", minLength: 1, maxLength: 64, examples: [`${prefix}01JC0000000000000000000000`] },
  },
});

export const e164 = { type: "string", minLength: 2, maxLength: 32, examples: ["+14155550123"] } as const;
export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
