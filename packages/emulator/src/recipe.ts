import twilio from "twilio";

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0];

/**
 * The recipe that points the unmodified official `twilio` SDK at the emulator:
 *
 *   const client = twilio(accountSid, authToken, { httpClient: emulatorHttpClient(url) });
 *
 * Every request to https://<product>.twilio.com/<path> goes to <url>/<product>/<path> instead
 * (api, messaging, trusthub, verify, content, lookups, iam). Paging URLs the emulator returns use
 * Twilio's own hosts, so the SDK follows them through here as well.
 */
export class EmulatorRequestClient extends twilio.RequestClient {
  private readonly origin: string;

  constructor(url: string, opts: { timeout?: number } = {}) {
    super({ keepAlive: true, timeout: opts.timeout ?? 30_000 });
    this.origin = new URL(url).origin;
  }

  override request<TData>(opts: RequestOptions) {
    const target = new URL(opts.uri);
    if (target.hostname.endsWith(".twilio.com")) {
      const product = target.hostname.slice(0, -".twilio.com".length).split(".")[0];
      opts = { ...opts, uri: `${this.origin}/${product}${target.pathname}${target.search}` };
    }
    return super.request<TData>(opts as any);
  }
}

export function emulatorHttpClient(url: string, opts: { timeout?: number } = {}): EmulatorRequestClient {
  return new EmulatorRequestClient(url, opts);
}
