const number = new Intl.NumberFormat("en-US");
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 4 });

export const fmtInt = (n: number | null | undefined) =>
  n === null || n === undefined ? "—" : number.format(n);

export const fmtPercent = (rate: number | null | undefined, digits = 1) =>
  rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(digits)}%`;

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export const fmtUsd = (amount: string | number | null | undefined) =>
  amount === null || amount === undefined ? "—" : usd.format(Number(amount));

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
}

/** "sole_proprietor" → "Sole proprietor". */
export function humanize(code: string | null | undefined): string {
  if (!code) return "—";
  const s = code.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const KIND_LABELS: Record<string, string> = {
  standard: "Standard",
  low_volume_standard: "Low-volume standard",
  sole_proprietor: "Sole proprietor",
  toll_free: "Toll-free",
};
