// Loaded into a Subtext process by bench/profile.ts (NODE_OPTIONS=--require …): records a CPU
// profile between SIGUSR2 (start) and SIGTERM/SIGINT (stop), written to $SUBTEXT_PROFILE_DIR.
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.SUBTEXT_PROFILE_DIR;
const session = new inspector.Session();
session.connect();
let state = "idle";
process.on("SIGUSR2", () => {
  if (state !== "idle") return;
  state = "recording";
  session.post("Profiler.enable", () =>
    session.post("Profiler.setSamplingInterval", { interval: 250 }, () => session.post("Profiler.start")),
  );
});
function stop() {
  if (state !== "recording") return;
  state = "done";
  session.post("Profiler.stop", (err, result) => {
    if (err || !dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = process.env.SUBTEXT_PROFILE_NAME || String(process.pid);
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(result.profile));
  });
}
process.prependListener("SIGTERM", stop);
process.prependListener("SIGINT", stop);
