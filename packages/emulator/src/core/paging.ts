import { TwilioError } from "./errors.js";
import type { Params } from "./form.js";

/** Twilio's paging: PageSize 1–1000 (default 50), Page (0-based), PageToken (opaque, ours: offset). */
function window(params: Params) {
  const pageSize = params.int("PageSize", 50)!;
  if (pageSize < 1 || pageSize > 1000)
    throw new TwilioError(20001, 400, "PageSize must be between 1 and 1000");
  const page = params.int("Page", 0)!;
  const token = params.str("PageToken");
  const offset = token?.startsWith("PT") ? Number.parseInt(token.slice(2), 10) || 0 : page * pageSize;
  return { pageSize, page, offset };
}

function query(params: Params, extra: Record<string, string | number>): string {
  const q = new URLSearchParams();
  for (const [k, values] of params.entries()) {
    if (k === "PageSize" || k === "Page" || k === "PageToken") continue;
    for (const v of values) q.append(k, v);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q.toString();
}

/** The 2010 API shape: the list at top level beside relative `*_page_uri` fields. */
export function page2010<T>(items: T[], key: string, path: string, params: Params) {
  const { pageSize, page, offset } = window(params);
  const slice = items.slice(offset, offset + pageSize);
  const hasNext = offset + pageSize < items.length;
  return {
    [key]: slice,
    first_page_uri: `${path}?${query(params, { PageSize: pageSize, Page: 0 })}`,
    next_page_uri: hasNext
      ? `${path}?${query(params, { PageSize: pageSize, Page: page + 1, PageToken: `PT${offset + pageSize}` })}`
      : null,
    previous_page_uri:
      page > 0
        ? `${path}?${query(params, { PageSize: pageSize, Page: page - 1, PageToken: `PT${Math.max(0, offset - pageSize)}` })}`
        : null,
    uri: `${path}?${query(params, { PageSize: pageSize, Page: page })}`,
    page,
    page_size: pageSize,
    start: offset,
    end: offset + Math.max(slice.length - 1, 0),
  };
}

/** The v1/v2 shape: the list under `key` and absolute URLs in `meta`. */
export function pageV1<T>(items: T[], key: string, url: string, params: Params) {
  const { pageSize, page, offset } = window(params);
  const slice = items.slice(offset, offset + pageSize);
  const hasNext = offset + pageSize < items.length;
  return {
    [key]: slice,
    meta: {
      page,
      page_size: pageSize,
      first_page_url: `${url}?${query(params, { PageSize: pageSize, Page: 0 })}`,
      previous_page_url:
        page > 0
          ? `${url}?${query(params, { PageSize: pageSize, Page: page - 1, PageToken: `PT${Math.max(0, offset - pageSize)}` })}`
          : null,
      next_page_url: hasNext
        ? `${url}?${query(params, { PageSize: pageSize, Page: page + 1, PageToken: `PT${offset + pageSize}` })}`
        : null,
      url: `${url}?${query(params, { PageSize: pageSize, Page: page })}`,
      key,
    },
  };
}
