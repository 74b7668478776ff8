import { BlockList, isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { Services } from "../kernel/services.js";

/**
 * Where tenant URLs may point (SSRF guard). Webhooks make our servers send requests and show
 * the start of the answer in the delivery log; IVR `play`/`redirect` URLs are fetched by
 * Twilio, or in sandbox mode by the emulator on this machine. So, in every mode:
 *
 * - only http(s), without credentials in the URL;
 * - never link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata lives there) or the
 *   known cloud metadata addresses outside them;
 * - never an IPv6 form that embeds an IPv4 address (IPv4-compatible ::/96, IPv4-mapped
 *   ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
 *   6to4 2002::/16, Teredo 2001::/32): refused outright, whatever the IPv4 inside, so no
 *   spelling of a refused IPv4 address gets through; the plain IPv4 address works instead;
 * - never this deployment's own API or emulator port on this machine: any loopback address,
 *   the unspecified address (0.0.0.0, ::) or an address of one of its interfaces;
 * - other loopback, private and reserved addresses only when the operator allows them
 *   (SUBTEXT_ALLOW_PRIVATE_WEBHOOKS; default: yes in sandbox mode, for local receivers).
 *
 * Odd IPv4 spellings (2130706433, 0x7f.1, 017700000001) are normalised by the WHATWG URL
 * parser before these checks. Webhook URLs are checked when saved (literal addresses and
 * `localhost`) and again at connect time on the resolved addresses (see sender.ts), so a name
 * cannot be pointed at a refused address later.
 */
export type UrlProblemCode =
  | "malformed_url"
  | "unsupported_scheme"
  | "credentials_in_url"
  | "private_address"
  | "link_local_address"
  | "embedded_ipv4_address"
  | "own_service";

export interface UrlProblem {
  code: UrlProblemCode;
  message: string;
}

export interface UrlPolicy {
  /** Loopback, private and reserved targets (other than the ones always refused). */
  allowPrivate: boolean;
  /** Ports of this deployment's API and emulator: never reached on this machine. */
  ownPorts: readonly number[];
  /**
   * The URL is fetched by a client on this machine whose connections we cannot check (the
   * sandbox emulator following an IVR redirect): any name may resolve back here, so the own
   * ports are refused on every host.
   */
  ownPortsOnAnyHost?: boolean;
}

const blockList = (v4: [string, number][], v6: [string, number][]) => {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, "ipv4");
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, "ipv6");
  return list;
};

const EMBEDDED_IPV4 = blockList(
  [],
  [
    ["::", 96],
    ["::ffff:0:0", 96],
    ["::ffff:0:0:0", 96],
    ["64:ff9b::", 96],
    ["64:ff9b:1::", 48],
    ["2002::", 16],
    ["2001::", 32],
  ],
);

const LINK_LOCAL = blockList(
  [
    ["169.254.0.0", 16],
    ["100.100.100.200", 32], // Alibaba Cloud metadata
  ],
  [
    ["fe80::", 10],
    ["fd00:ec2::254", 128], // AWS metadata over IPv6
  ],
);

/** :: and ::1 are in ::/96 but embed nothing (a BlockList's IPv4 rules also match ::ffff:a.b.c.d). */
const IPV6_LOOPBACK_OR_UNSPECIFIED = blockList(
  [],
  [
    ["::1", 128],
    ["::", 128],
  ],
);

/** Addresses that reach this machine whatever its interfaces. */
const THIS_HOST = blockList(
  [
    ["127.0.0.0", 8],
    ["0.0.0.0", 8],
  ],
  [
    ["::1", 128],
    ["::", 128],
  ],
);

const NON_PUBLIC = blockList(
  [
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
  ],
  [
    ["::", 128],
    ["::1", 128],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
  ],
);

type Family = "ipv4" | "ipv6";

/** The address without brackets or zone, and its family; null when it is not an IP address. */
function parseIp(address: string): { ip: string; family: Family } | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  return family === 0 ? null : { ip: bare, family: family === 4 ? "ipv4" : "ipv6" };
}

/** Whether an IP address is loopback, private, link-local, reserved, multicast or embeds IPv4. */
export function isNonPublicAddress(address: string): boolean {
  const a = parseIp(address);
  if (!a) return false;
  return (a.family === "ipv6" && embedsIpv4(a.ip)) || NON_PUBLIC.check(a.ip, a.family);
}

function embedsIpv4(ip: string): boolean {
  return !IPV6_LOOPBACK_OR_UNSPECIFIED.check(ip, "ipv6") && EMBEDDED_IPV4.check(ip, "ipv6");
}

/** Loopback, unspecified, or an address of one of this machine's interfaces. */
function isThisMachine(ip: string, family: Family): boolean {
  if (THIS_HOST.check(ip, family)) return true;
  const own = new BlockList();
  for (const nic of Object.values(networkInterfaces()))
    for (const a of nic ?? [])
      own.addAddress(a.address.replace(/%.*$/, ""), a.family === "IPv4" ? "ipv4" : "ipv6");
  return own.check(ip, family);
}

function isLocalName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

const ownService = (label: string, port: number): UrlProblem => ({
  code: "own_service",
  message: `${label} port ${port} is this deployment's own API or emulator, which tenant URLs may never reach.`,
});

/**
 * Checks one address a URL points or resolves to, with the port it would be reached on.
 * `label` names it in the message (the host name as typed, when there is one).
 */
export function checkAddress(
  address: string,
  port: number,
  policy: UrlPolicy,
  label = address,
): UrlProblem | null {
  const a = parseIp(address);
  if (!a) return null;
  if (a.family === "ipv6" && embedsIpv4(a.ip)) {
    return {
      code: "embedded_ipv4_address",
      message: `${label} is an IPv6 address that embeds an IPv4 address (mapped, compatible, translated, NAT64, 6to4 or Teredo); use a host name or the IPv4 address itself.`,
    };
  }
  if (LINK_LOCAL.check(a.ip, a.family)) {
    return {
      code: "link_local_address",
      message: `${label} is a link-local or cloud metadata address, which tenant URLs may never reach.`,
    };
  }
  if (policy.ownPorts.includes(port) && isThisMachine(a.ip, a.family)) return ownService(label, port);
  if (!policy.allowPrivate && NON_PUBLIC.check(a.ip, a.family)) {
    return {
      code: "private_address",
      message: `${label} is a loopback, private or reserved address; the URL must reach a public address.`,
    };
  }
  return null;
}

/** Checks a URL as typed by a tenant; null when it is acceptable. */
export function checkUrl(raw: string, policy: UrlPolicy): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: "malformed_url", message: "The URL is not an absolute URL." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      code: "unsupported_scheme",
      message: `Only http(s) URLs are accepted, not ${url.protocol.replace(/:$/, "")}.`,
    };
  }
  if (url.username || url.password) {
    return { code: "credentials_in_url", message: "The URL must not contain a user name or password." };
  }
  const port = portOf(url);
  // A local name is checked as the loopback address it stands for; other names at connect time.
  const address = isLocalName(url.hostname) ? "127.0.0.1" : url.hostname;
  const problem = checkAddress(address, port, policy, url.hostname);
  if (!problem && policy.ownPortsOnAnyHost && policy.ownPorts.includes(port))
    return ownService(url.hostname, port);
  return problem;
}

/**
 * The ports of this deployment's own services: the API's and the emulator's, as listening
 * (services.urls) and as configured (a worker process does not listen itself).
 */
export function ownPorts(services: Pick<Services, "config" | "urls">): number[] {
  const { config, urls } = services;
  const ports = new Set<number>();
  if (config.port) ports.add(config.port);
  if (config.mode === "sandbox" && config.emulatorPort) ports.add(config.emulatorPort);
  if (urls.api) ports.add(portOf(new URL(urls.api)));
  if (urls.emulator) ports.add(portOf(new URL(urls.emulator)));
  // A public URL on this machine (say, a local proxy in front of the API) is ours too.
  if (urls.public && pointsHere(new URL(urls.public))) ports.add(portOf(new URL(urls.public)));
  return [...ports];
}

function pointsHere(url: URL): boolean {
  if (isLocalName(url.hostname)) return true;
  const a = parseIp(url.hostname);
  return a !== null && isThisMachine(a.ip, a.family);
}

/** The policy for tenant webhook URLs. */
export function webhookUrlPolicy(services: Pick<Services, "config" | "urls">): UrlPolicy {
  return { allowPrivate: services.config.allowPrivateWebhooks, ownPorts: ownPorts(services) };
}
