/**
 * `npm run bench`: runs the benchmarks and prints their tables (figures go to BENCHMARKS.md
 * with the command that produced them). Add a line per benchmark.
 */
import { cpus, loadavg } from "node:os";
import { benchStorage, storageTable } from "./storage.js";

console.log(
  `# Subtext benchmarks — ${new Date().toISOString()}, ${cpus().length}× ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}\n`,
);

console.log("## Storage (rows/s, ~300-byte rows)\n");
console.log(storageTable(await benchStorage()));
