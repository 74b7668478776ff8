import { startEmulator } from "subtext-emulator";
import { loadConfig } from "../config/config.js";
import { openRuntime } from "../app/runtime.js";
import { type Role, startServer } from "../app/server.js";
import { VERSION } from "../kernel/version.js";

export async function startCommand(opts: { role: Role }): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl && opts.role !== "all") {
    throw new Error(
      `--role ${opts.role} needs DATABASE_URL: the embedded database serves one process, so run \`subtext start\` (role all) or use PostgreSQL`,
    );
  }
  if (opts.role === "worker" && !config.publicUrl) {
    throw new Error(
      "--role worker needs SUBTEXT_PUBLIC_URL (the API's public base URL): workers put it in every status callback they give Twilio",
    );
  }
  // Only the all-in-one process owns the sandbox emulator; split roles find it running.
  const runtime = await openRuntime({
    config,
    emulator: opts.role === "all" ? "discover-or-start" : "discover",
    issueAdminToken: true,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(runtime, opts.role);
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const { services } = runtime;
  const storage = config.databaseUrl
    ? "PostgreSQL (DATABASE_URL)"
    : `embedded database (PGlite) in ${config.dataDir}`;
  const lines = [
    `Subtext ${VERSION} — ${config.mode} mode${config.mode === "sandbox" ? " (Twilio emulator)" : ""}, ${storage}, role ${opts.role}`,
  ];
  if (server.url) {
    lines.push(`  API:        ${server.url}`, `  Docs:       ${server.url}/docs`);
  }
  if (services.urls.emulator) {
    const token = services.emulatorControlToken;
    lines.push(`  Emulator:   ${services.urls.emulator}${token ? `  (control token: ${token})` : ""}`);
  }
  if (runtime.newAdminToken) {
    lines.push(`  Admin token (shown once — store it now): ${runtime.newAdminToken}`);
  } else if (!config.adminToken) {
    lines.push("  Admin token: the one printed on first start (lost? `subtext admin-token reset`)");
  }
  console.log(lines.join("\n"));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.log.info({ event: "process.stopping", signal }, "stopping");
    await server.close();
    await runtime.close();
    process.exit(0);
  };
  // `on`, not `once`: a second Ctrl-C (npm forwards one too) must not kill a clean shutdown.
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

export async function emulatorCommand(opts: {
  port: number;
  host: string;
  dataDir?: string;
  controlToken?: string;
}): Promise<void> {
  // Open control API unless a token is given (flag, else SUBTEXT_EMULATOR_CONTROL_TOKEN).
  const controlToken = opts.controlToken ?? loadConfig().emulatorControlToken;
  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    dataDir: opts.dataDir,
    controlToken,
  });
  console.log(`Twilio emulator listening on ${emulator.url}`);
  console.log(
    `  parent account: ${emulator.parent.sid} (credentials: GET ${emulator.url}/_emulator/accounts)`,
  );
  console.log(
    controlToken
      ? "  control API: needs Authorization: Bearer <control token>"
      : "  control API: open to anyone who reaches this port (--control-token closes it)",
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}
