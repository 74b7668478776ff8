/**
 * One table of every Subtext throughput figure beside the same run's ceilings and Kannel:
 * "× of" is Subtext's figure divided by the other (for latencies, p99 by p99).
 */
import type { Phase } from "./ceilings.js";
import type { KannelResult } from "./kannel.js";
import type { LoadResult } from "./loadgen.js";
import { type ScaleResult, cpuCell, label, lat, n, times } from "./scale-report.js";

type Cell = { text: string; value?: number };
const num = (v: number | undefined | null): Cell =>
  typeof v === "number" ? { text: n(v), value: v } : { text: "—" };
const latCell = (p: { load: LoadResult } | undefined): Cell =>
  p ? { text: lat(p), value: p.load.latency_ms.p99 } : { text: "—" };
const cpu = (p: Phase | undefined): Cell =>
  p ? { text: cpuCell(p), value: p.cpu_ms_per_ok } : { text: "—" };
const ms = (v: number | undefined | null): Cell =>
  typeof v === "number" ? { text: String(v), value: v } : { text: "—" };
const none: Cell = { text: "—" };

export function summaryTable(results: ScaleResult[], kannel: KannelResult | undefined): string {
  const k = kannel?.installed ? kannel : undefined;
  const kannelHead = k ? `Kannel ${k.version}` : "Kannel";
  const lines = [
    `| figure | configuration | Subtext | bare Fastify | × of bare Fastify | bare Fastify + 1 INSERT | × of bare INSERT | ${kannelHead} | × of Kannel |`,
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const row = (what: string, config: string, ours: Cell, bare: Cell, insert: Cell, peer: Cell) =>
    lines.push(
      `| ${what} | ${config} | ${ours.text} | ${bare.text} | ${times(ours.value, bare.value)} | ${insert.text} | ${times(ours.value, insert.value)} | ${peer.text} | ${times(ours.value, peer.value)} |`,
    );
  const ok = results.filter((r) => !r.na && r.ceilings) as Required<ScaleResult>[];
  const conns = ok[0]?.settings.connections ?? 64;
  const top = ok[0] ? String(Math.max(...ok[0].settings.rates)) : "500";
  for (const r of ok) {
    const c = r.ceilings;
    row(
      `accepted msg/s, single \`POST /v1/messages\`, ${conns} connections`,
      label(r),
      num(r.accepted.single.load.ok_per_second),
      num(c.bare.max.load.ok_per_second),
      num(c.insert.max.load.ok_per_second),
      num(k?.max.load.ok_per_second),
    );
  }
  for (const r of ok) {
    const c = r.ceilings;
    row(
      `… p50 / p99 ms at ${conns} connections`,
      label(r),
      latCell(r.accepted.single),
      latCell(c.bare.max),
      latCell(c.insert.max),
      latCell(k?.max),
    );
  }
  for (const r of ok) {
    const c = r.ceilings;
    row(
      "… CPU ms per accepted message: server + its PostgreSQL backends (+ PostgreSQL's shared processes)",
      label(r),
      cpu(r.accepted.single),
      cpu(c.bare.max),
      cpu(c.insert.max),
      none,
    );
  }
  for (const r of ok) {
    row(
      "accepted msg/s, batches of 1,000 (INSERT column: multi-row INSERT of 100 per commit, rows/s)",
      label(r),
      num(r.accepted.batch.per_second),
      none,
      num(r.ceilings.insert.multi_row_100_rows_per_second),
      none,
    );
  }
  for (const r of ok) {
    row(
      "end-to-end msg/s: accepted → Twilio → delivered callback → the ISV's webhook (Kannel: sendsms → fake SMSC)",
      `${label(r)}${r.end_to_end.webhooks_delivered < r.end_to_end.messages ? ` (**${n(r.end_to_end.webhooks_delivered)} of ${n(r.end_to_end.messages)} arrived**)` : ""}`,
      num(r.end_to_end.per_second),
      none,
      none,
      num(k?.max.delivered_per_second),
    );
  }
  for (const r of ok) {
    const e = r.end_to_end.cpu_ms_per_message;
    row(
      "… CPU ms per end-to-end message: product + its PostgreSQL backends (Kannel: bearerbox + smsbox)",
      label(r),
      e.product === null
        ? none
        : { text: `${e.product}${e.shared_pg ? ` (+${e.shared_pg})` : ""}`, value: e.product },
      none,
      none,
      ms(k?.max.cpu_ms_per_message.kannel),
    );
  }
  for (const r of ok) {
    row(
      "callback intake/s (signed Twilio status callbacks)",
      label(r),
      num(r.callback_intake.load.ok_per_second),
      num(r.ceilings.bare.max.load.ok_per_second),
      none,
      none,
    );
  }
  for (const r of ok) {
    row(
      `p50 / p99 ms at ${top}/s, acceptance alone`,
      label(r),
      latCell(r.fixed_load_accept),
      latCell(r.ceilings.bare.fixed[top]),
      latCell(r.ceilings.insert.fixed),
      latCell(k?.fixed),
    );
  }
  for (const r of ok) {
    const rate = String(r.fixed_load.load.rate);
    row(
      `p50 / p99 ms at ${rate}/s while the workers dispatch`,
      label(r),
      latCell(r.fixed_load),
      latCell(r.ceilings.bare.fixed[rate]),
      none,
      none,
    );
  }
  if (!k) lines.push("", kannel && !kannel.installed ? kannel.note : "Kannel: not measured in this run.");
  return lines.join("\n");
}
