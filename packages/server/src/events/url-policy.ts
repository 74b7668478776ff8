import { BlockList, isIP } from "node:net";

/**
 * Where webhooks may go. Outbound webhooks let a tenant make our servers send requests, so
 * (SSRF) only http(s) URLs are accepted, and — unless the operator allows it — never to
 * loopback, private, link-local (cloud metadata at 169.254.169.254) or other non-public
 * addresses. The check runs when the URL is saved (literal addresses and `localhost`) and
 * again at connect time on the resolved addresses (see sender.ts), so DNS cannot be used
 * to point a public name at an internal address later.
 */
export interface UrlProblem {
  code: "malformed_url" | "unsupported_scheme" | "credentials_in_url" | "private_address";
  message: string;
}

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

/** Whether an IP address is loopback, private, link-local, reserved or multicast. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 4) return NON_PUBLIC.check(bare, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return NON_PUBLIC.check(mapped[1], "ipv4");
    return NON_PUBLIC.check(bare, "ipv6");
  }
  return false;
}

function isLocalName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

/** Checks a webhook URL as typed by a tenant; null when it is acceptable. */
export function checkWebhookUrl(raw: string, options: { allowPrivate: boolean }): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: "malformed_url", message: "The URL is not an absolute URL." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      code: "unsupported_scheme",
      message: `Webhooks go to http(s) URLs only, not ${url.protocol.replace(/:$/, "")}.`,
    };
  }
  if (url.username || url.password) {
    return { code: "credentials_in_url", message: "The URL must not contain a user name or password." };
  }
  if (!options.allowPrivate && (isNonPublicAddress(url.hostname) || isLocalName(url.hostname))) {
    return {
      code: "private_address",
      message: `${url.hostname} is a loopback, private or reserved address; webhooks must reach a public address.`,
    };
  }
  return null;
}
