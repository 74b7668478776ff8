/**
 * The one list envelope of the API, `{ data, has_more, next_cursor }`, with its schema and the
 * query of a paged list; and small route schemas the modules share.
 */
import { Nullable, Ref, Type } from "../kernel/schema.js";

export const security = [{ bearer: [] }];

export const tenantNote = "Tenant key, or the admin token with `Subtext-Tenant: ten_…`.";

/** The properties of a paged list's query; spread them into a `Defaulted(Type.Object(…))`. */
export const listQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 64, description: "next_cursor of the previous page" })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};

export const pageOf = (ref: string) =>
  Type.Object({
    data: Type.Array(Ref(ref)),
    has_more: Type.Boolean(),
    next_cursor: Nullable(Type.String()),
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

export const byId = (prefix: string) =>
  Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 64, examples: [`${prefix}01JC0000000000000000000000`] }),
    },
    { additionalProperties: false },
  );

export const e164 = Type.String({ minLength: 2, maxLength: 32, examples: ["+14155550123"] });
export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
