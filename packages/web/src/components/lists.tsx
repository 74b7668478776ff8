import type { InputHTMLAttributes, ReactNode } from "react";
import type { Pages } from "../lib/paging";
import { Empty, ErrorBanner } from "./ui";

/** The filters above a list. */
export function FilterBar({ children }: { children: ReactNode }) {
  return <div className="toolbar">{children}</div>;
}

/** A filter picking one of `options`, or all of them (""). */
export function SelectFilter({
  label,
  value,
  onChange,
  options,
  all = "All",
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly string[];
  all?: string;
}) {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A typed filter (search, date…). */
export function InputFilter({
  label,
  onChange,
  ...input
}: { label: string; value: string; onChange: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "onChange" | "value"
>) {
  return (
    <label>
      {label} <input {...input} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** A column heading: its label, or right-aligned for numbers. `false` leaves the column out. */
export type Column = string | { label: string; num: true } | false;

/** A numeric column's heading. */
export const NUM = (label: string): Column => ({ label, num: true });

export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) =>
          c === false ? null : typeof c === "string" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: headings are fixed per table
            <th key={i} scope="col">
              {c || null}
            </th>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: headings are fixed per table
            <th key={i} scope="col" className="num">
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/**
 * Rows of a list with its error (the load's), and `empty` once it has loaded and nothing
 * matched.
 */
export function ResultTable<T>({
  columns,
  rows,
  row,
  error,
  empty,
  foot,
}: {
  columns: Column[];
  rows: T[] | undefined;
  row: (item: T) => ReactNode;
  error?: unknown;
  empty?: ReactNode;
  foot?: ReactNode;
}) {
  return (
    <>
      {error !== undefined && <ErrorBanner error={error} />}
      <div className="table-wrap">
        <table className="table">
          <TableHead columns={columns} />
          <tbody>{rows?.map(row)}</tbody>
          {foot}
        </table>
        {empty && rows?.length === 0 && <Empty>{empty}</Empty>}
      </div>
    </>
  );
}

/** Newer/older buttons over a cursor-paged list. */
export function Pager({
  pages,
  labels = ["Newer", "Older"],
}: {
  pages: Pages<unknown>;
  labels?: [string, string];
}) {
  return (
    <div className="pager">
      <button type="button" disabled={!pages.newer} onClick={() => pages.newer?.()}>
        {labels[0]}
      </button>
      <button type="button" disabled={!pages.older} onClick={() => pages.older?.()}>
        {labels[1]}
      </button>
    </div>
  );
}
