import { startEmulator } from "./emulator.js";

const USAGE = `subtext-emulator [--port N] [--host H] [--data-dir DIR] [--realistic]

A Twilio-compatible emulator. Point the official twilio SDK at it with
emulatorHttpClient(url) from the subtext-emulator package.`;

export async function main(argv: string[]) {
  const opts: { port: number; host: string; dataDir?: string; realistic: boolean } = {
    port: 4010,
    host: "127.0.0.1",
    realistic: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port") opts.port = Number(argv[++i]);
    else if (arg === "--host") opts.host = argv[++i];
    else if (arg === "--data-dir") opts.dataDir = argv[++i];
    else if (arg === "--realistic") opts.realistic = true;
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
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
