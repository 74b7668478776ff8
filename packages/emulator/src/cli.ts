import { startEmulator } from "./emulator.js";

const USAGE = `subtext-emulator [--port N] [--host H] [--data-dir DIR] [--realistic] [--control-token T]

A Twilio-compatible emulator. Point the official twilio SDK at it with
emulatorHttpClient(url) from the subtext-emulator package.

--control-token (or SUBTEXT_EMULATOR_CONTROL_TOKEN): the control API (/_emulator/…, which
lists every account's auth token) then needs \`Authorization: Bearer <token>\`. Without it the
control API is open to anyone who can reach the port.`;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const opts: { port: number; host: string; dataDir?: string; realistic: boolean; controlToken?: string } = {
    port: 4010,
    host: "127.0.0.1",
    realistic: false,
    controlToken: env.SUBTEXT_EMULATOR_CONTROL_TOKEN || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port") opts.port = Number(argv[++i]);
    else if (arg === "--host") opts.host = argv[++i];
    else if (arg === "--data-dir") opts.dataDir = argv[++i];
    else if (arg === "--realistic") opts.realistic = true;
    else if (arg === "--control-token") opts.controlToken = argv[++i];
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return;
    } else {
      console.error(`unknown argument ${arg}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const emulator = await startEmulator(opts);
  console.log(`subtext-emulator listening on ${emulator.url}`);
  console.log(`parent account ${emulator.parent.sid} (auth token: GET ${emulator.url}/_emulator/accounts)`);
  if (opts.controlToken) console.log("control API: needs Authorization: Bearer <your --control-token>");
  else if (!LOOPBACK.test(opts.host)) {
    console.warn(
      `warning: the control API is open and listens on ${opts.host}: anyone who reaches it can read every auth token (set --control-token)`,
    );
  }
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
