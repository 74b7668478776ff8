/**
 * Where a CPU profile's time goes: self time by package or source file, and the heaviest
 * functions, as shares of the recorded time (idle included, so latency-bound shows as idle).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith("node:")) return "node (internals)";
  const src = /packages\/(.*)$/.exec(url);
  return src ? src[1] : url;
}

export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    const place = where(f.url, f.functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + t);
    const fn = `${f.functionName || "(anonymous)"} — ${place}:${f.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  const table = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return [
    `${(total / 1e6).toFixed(1)} s recorded`,
    "self time by package or file:",
    table(byPlace),
    "heaviest functions (self time):",
    table(byFunction),
  ].join("\n");
}
