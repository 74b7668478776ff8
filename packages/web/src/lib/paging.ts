import { type DependencyList, useState } from "react";
import { get, qs } from "./api";
import { type Async, useAsync, useInterval } from "./hooks";

/** One page of a list route: the API's envelope for every cursor-paged list. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Pages<T> {
  list: Async<Page<T> | null>;
  /** The rows of the page shown; undefined until it has loaded. */
  rows: T[] | undefined;
  /** The cursor of the page shown; undefined on the first page. */
  cursor: string | undefined;
  /** Back to the first page, reloaded (after a change that adds rows at the top). */
  first: () => void;
  newer: (() => void) | null;
  older: (() => void) | null;
}

/**
 * A cursor-paged list route: `path` with `query` (null: nothing to load yet). The pages walked
 * are a stack of cursors, so "newer" goes back exactly; a different query starts at the first
 * page again. With `follow` the first page reloads every 3 s (statuses move on by themselves).
 */
export function usePages<T = any>(
  path: string | null,
  query: Query,
  o: { limit: number; follow?: boolean; deps?: DependencyList },
): Pages<T> {
  const key = path === null ? "" : `${path}${qs(query)}`;
  const [walk, setWalk] = useState<{ key: string; cursors: string[] }>({ key, cursors: [] });
  const cursors = walk.key === key ? walk.cursors : [];
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) =>
      path === null
        ? Promise.resolve(null)
        : get<Page<T>>(`${path}${qs({ ...query, cursor, limit: o.limit })}`, { signal }),
    [key, cursor, ...(o.deps ?? [])],
  );
  useInterval(list.reload, 3000, Boolean(o.follow) && path !== null && !cursor);
  const next = list.data?.has_more ? list.data.next_cursor : null;
  return {
    list,
    rows: list.data?.data,
    cursor,
    first: () => {
      setWalk({ key, cursors: [] });
      list.reload();
    },
    newer: cursors.length ? () => setWalk({ key, cursors: cursors.slice(0, -1) }) : null,
    older: next ? () => setWalk({ key, cursors: [...cursors, next] }) : null,
  };
}
