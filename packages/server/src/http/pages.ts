/**
 * The one list envelope of the API, `{ data, has_more, next_cursor }`, with its schema and the
 * query of a paged list; and small route schemas the modules share.
 */
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

/** A page of `rows`: the cursor of the next page is the last row's (its id unless `cursorOf` says). */
export function page<R, V>(
  rows: R[],
  hasMore: boolean,
  view: (r: R) => V,
  cursorOf: (r: R) => string = (r) => (r as { id: string }).id,
) {
  return {
    data: rows.map(view),
    has_more: hasMore,
    next_cursor: hasMore && rows.length > 0 ? cursorOf(rows[rows.length - 1]) : null,
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
