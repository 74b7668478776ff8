import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../config/config.js";
import { VERSION } from "../kernel/version.js";
import {
  adminTokenReset,
  keysCreate,
  migrateCommand,
  rotateMasterKeyCommand,
  tenantsCreate,
  tenantsList,
} from "./admin.js";
import { demoCommand } from "./demo.js";
import { sandboxAdvance, sandboxClock } from "./sandbox.js";
import { emulatorCommand, startCommand } from "./start.js";

/** `subtext …`: the operator's commands. Configuration comes from the environment (README). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("subtext")
    .description("Subtext: messaging control plane for ISVs on Twilio")
    .version(VERSION)
    .showHelpAfterError();

  program
    .command("start")
    .description("apply migrations, serve the API and run the workers (and, in sandbox mode, the emulator)")
    .addOption(
      new Option("--role <role>", "what this process does").choices(["all", "api", "worker"]).default("all"),
    )
    .action(startCommand);

  program.command("migrate").description("apply pending database migrations and exit").action(migrateCommand);

  const tenants = program.command("tenants").description("manage tenants");
  tenants
    .command("create <name>")
    .description("create a tenant with its Twilio subaccount and key")
    .addOption(
      new Option("--environment <env>", "tenant environment")
        .choices(["production", "staging", "development"])
        .default("production"),
    )
    .option("--json", "print JSON")
    .action(tenantsCreate);
  tenants.command("list").description("list tenants").option("--json", "print JSON").action(tenantsList);

  program
    .command("keys")
    .description("manage tenant API keys")
    .command("create <tenant-id>")
    .description("create an API key for a tenant (printed once)")
    .option("--name <name>", "a label for the key")
    .action(keysCreate);

  program
    .command("rotate-master-key")
    .description("re-encrypt every stored secret under a new master key")
    .action(rotateMasterKeyCommand);

  program
    .command("admin-token")
    .description("manage the generated admin token")
    .command("reset")
    .description("replace the generated admin token and print the new one")
    .action(adminTokenReset);

  const sandbox = program
    .command("sandbox")
    .description("the sandbox's shared clock (Subtext's and the emulator's)");
  const emulatorUrl = () =>
    new Option("--emulator <url>", "the emulator's URL (default: SUBTEXT_EMULATOR_HOST/_PORT)");
  sandbox
    .command("advance <duration>")
    .description("move sandbox time forward: seconds, or 90s, 15m, 2h, 3d, 1w, 1d12h")
    .addOption(emulatorUrl())
    .action(sandboxAdvance);
  sandbox.command("clock").description("show sandbox time").addOption(emulatorUrl()).action(sandboxClock);

  program
    .command("demo")
    .description(
      "sandbox only: against a running `subtext start`, create a tenant, register it, send a message and answer it, printing each step's curl",
    )
    .option("--url <url>", "Subtext's API URL (default: from HOST and PORT, as `subtext start` listens)")
    .option("--admin-token <token>", "the admin token `subtext start` printed (default: SUBTEXT_ADMIN_TOKEN)")
    .action(demoCommand);

  program
    .command("emulator")
    .description("run the Twilio emulator alone")
    .option("--port <port>", "port", parsePort, 4010)
    .option("--host <host>", "host", "127.0.0.1")
    .option("--data-dir <dir>", "persist its state here (in memory when absent)")
    .option(
      "--control-token <token>",
      "require it (Bearer) on the control API /_emulator/… (default: SUBTEXT_EMULATOR_CONTROL_TOKEN; none = open)",
      parseControlToken,
    )
    .action(emulatorCommand);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    process.exitCode = 1;
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`error: ${(err as Error).message}`);
  }
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number");
  return n;
}

function parseControlToken(value: string): string {
  if (!/^[\x21-\x7e]{24,}$/.test(value)) {
    throw new InvalidArgumentError("must be at least 24 printable characters, no spaces");
  }
  return value;
}
