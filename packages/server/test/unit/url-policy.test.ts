/**
 * Where tenant URLs may point (events/url-policy.ts), as a table: the same URL under the
 * sandbox policy (private targets allowed), the live one, and the IVR one in sandbox mode
 * (own ports refused on every host). This deployment's API and emulator are on 3000 and 3001.
 */
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { flowUrlPolicy, urlFindings } from "../../src/channels/voice/tenant-urls.js";
import type { FlowDefinition } from "../../src/channels/voice/flow.js";
import { renderNode } from "../../src/channels/voice/twiml.js";
import { flowUrls } from "../../src/channels/voice/urls.js";
import { loadConfig } from "../../src/config/config.js";
import { type UrlPolicy, checkAddress, checkUrl, ownPorts } from "../../src/events/url-policy.js";

const OWN = [3000, 3001];
const POLICIES: Record<string, UrlPolicy> = {
  sandbox: { allowPrivate: true, ownPorts: OWN },
  live: { allowPrivate: false, ownPorts: OWN },
  ivr: { allowPrivate: true, ownPorts: OWN, ownPortsOnAnyHost: true },
};

describe("tenant URL policy", () => {
  it.each([
    // Local receivers are fine in sandbox mode, on other ports.
    ["sandbox", "http://127.0.0.1:4000/hook", null],
    ["sandbox", "http://localhost:4000/hook", null],
    ["sandbox", "http://[::1]:4000/hook", null],
    ["sandbox", "http://10.0.0.5/hook", null],
    ["sandbox", "https://hooks.example.com/x", null],
    ["sandbox", "https://hooks.example.com:3000/x", null],
    // The API and the emulator, in every spelling of this machine.
    ["sandbox", "http://127.0.0.1:3000/v1/tenants", "own_service"],
    ["sandbox", "http://127.0.0.1:3001/_emulator/reset", "own_service"],
    ["sandbox", "http://127.9.8.7:3000/", "own_service"],
    ["sandbox", "http://localhost:3000/", "own_service"],
    ["sandbox", "http://LOCALHOST.:3001/", "own_service"],
    ["sandbox", "http://api.localhost:3000/", "own_service"],
    ["sandbox", "http://0.0.0.0:3001/", "own_service"],
    ["sandbox", "http://[::1]:3000/", "own_service"],
    ["sandbox", "http://[::]:3001/", "own_service"],
    ["sandbox", "http://[0:0:0:0:0:0:0:1]:3000/", "own_service"],
    ["live", "http://127.0.0.1:3000/", "own_service"],
    // Numeric IPv4 spellings are normalised by the URL parser first.
    ["sandbox", "http://2130706433:3000/", "own_service"],
    ["sandbox", "http://0x7f.1:3001/", "own_service"],
    ["sandbox", "http://017700000001:3000/", "own_service"],
    ["sandbox", "http://0x7f000001:3001/", "own_service"],
    // Link-local and cloud metadata: never.
    ["sandbox", "http://169.254.169.254/latest/meta-data/", "link_local_address"],
    ["sandbox", "http://2852039166/latest/meta-data/", "link_local_address"],
    ["sandbox", "http://0xA9.0xFE.0xA9.0xFE/", "link_local_address"],
    ["sandbox", "http://[fe80::1]/", "link_local_address"],
    ["sandbox", "http://[fd00:ec2::254]/", "link_local_address"],
    ["sandbox", "http://100.100.100.200/", "link_local_address"],
    ["live", "http://169.254.169.254/", "link_local_address"],
    // IPv6 forms embedding IPv4 are refused outright, whatever the IPv4 inside.
    ["sandbox", "http://[::ffff:127.0.0.1]:3000/", "embedded_ipv4_address"],
    ["sandbox", "http://[::ffff:7f00:1]/", "embedded_ipv4_address"],
    ["sandbox", "http://[0:0:0:0:0:ffff:7f00:1]:4000/", "embedded_ipv4_address"],
    ["sandbox", "http://[::127.0.0.1]/", "embedded_ipv4_address"],
    ["sandbox", "http://[::ffff:0:127.0.0.1]/", "embedded_ipv4_address"],
    ["sandbox", "http://[64:ff9b::7f00:1]/", "embedded_ipv4_address"],
    ["sandbox", "http://[64:ff9b:1::a9fe:a9fe]/", "embedded_ipv4_address"],
    ["sandbox", "http://[2002:7f00:1::]/", "embedded_ipv4_address"],
    ["sandbox", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "embedded_ipv4_address"],
    ["sandbox", "http://[::ffff:8.8.8.8]/", "embedded_ipv4_address"],
    ["live", "http://[::ffff:8.8.8.8]/", "embedded_ipv4_address"],
    // Live mode: no private targets at all.
    ["live", "http://127.0.0.1:4000/hook", "private_address"],
    ["live", "http://localhost:4000/hook", "private_address"],
    ["live", "http://[::1]:4000/", "private_address"],
    ["live", "http://10.0.0.5/", "private_address"],
    ["live", "http://[fd12::1]/", "private_address"],
    ["live", "https://hooks.example.com/x", null],
    ["live", "http://[2606:4700:4700::1111]/", null],
    // IVR in sandbox mode: the emulator follows redirects itself, so own ports on any host.
    ["ivr", "https://twiml.example.com:3001/_emulator/reset", "own_service"],
    ["ivr", "https://twiml.example.com:3000/", "own_service"],
    ["ivr", "https://twiml.example.com/menu.xml", null],
    ["ivr", "http://127.0.0.1:4000/menu.xml", null],
    // Shape.
    ["sandbox", "ftp://example.com/x", "unsupported_scheme"],
    ["sandbox", "https://user:pw@example.com/x", "credentials_in_url"],
    ["sandbox", "not a url", "malformed_url"],
  ])("%s: %s → %s", (policy, url, code) => {
    expect(checkUrl(url, POLICIES[policy])?.code ?? null).toBe(code);
  });

  it.each([
    ["127.0.0.1", 3000, "own_service"],
    ["::1", 3001, "own_service"],
    ["127.0.0.1", 4000, null],
    ["::ffff:127.0.0.1", 4000, "embedded_ipv4_address"],
    ["::ffff:7f00:1", 4000, "embedded_ipv4_address"],
    ["169.254.169.254", 80, "link_local_address"],
    ["fe80::1%eth0", 80, "link_local_address"],
    ["93.184.216.34", 3000, null],
  ])("a name resolving to %s, reached on port %i → %s", (address, port, code) => {
    expect(checkAddress(address, port, POLICIES.sandbox)?.code ?? null).toBe(code);
  });

  const nic = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && !a.address.startsWith("fe80"));
  it.runIf(nic)("refuses the own ports on this machine's other interface addresses too", () => {
    const host = nic!.family === "IPv6" ? `[${nic!.address}]` : nic!.address;
    expect(checkUrl(`http://${host}:3000/`, POLICIES.sandbox)?.code).toBe("own_service");
    expect(checkUrl(`http://${host}:4000/`, POLICIES.sandbox)).toBeNull();
  });
});

describe("this deployment's own ports", () => {
  const config = (env: Record<string, string>) => loadConfig({ SUBTEXT_DATA_DIR: "/tmp/x", ...env });
  const urls = { api: undefined, public: undefined, emulator: undefined };

  it("are the configured API and emulator ports, and the ones actually listening", () => {
    expect(ownPorts({ config: config({ PORT: "3000" }), urls }).sort()).toEqual([3000, 3001]);
    const listening = {
      api: "http://127.0.0.1:41234",
      public: "http://127.0.0.1:41234",
      emulator: "http://127.0.0.1:41235",
    };
    expect(ownPorts({ config: config({ PORT: "0" }), urls: listening }).sort()).toEqual([41234, 41235]);
    const proxied = { ...listening, public: "http://localhost:8080" };
    expect(ownPorts({ config: config({ PORT: "0" }), urls: proxied })).toContain(8080);
    const published = { ...listening, public: "https://subtext.example.com" };
    expect(ownPorts({ config: config({ PORT: "0" }), urls: published })).not.toContain(443);
  });

  it("do not include PORT+1 in live mode, where no emulator runs", () => {
    const live = config({
      PORT: "3000",
      TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "0123456789abcdef0123",
    });
    expect(ownPorts({ config: live, urls })).toEqual([3000]);
  });
});

describe("IVR flows use the same policy", () => {
  const services = {
    config: loadConfig({ SUBTEXT_DATA_DIR: "/tmp/x", PORT: "3000" }),
    urls: {
      api: "http://127.0.0.1:3000",
      public: "http://127.0.0.1:3000",
      emulator: "http://127.0.0.1:3001",
    },
  };
  const flow: FlowDefinition = {
    start: "menu",
    nodes: {
      menu: {
        type: "gather",
        prompt: [{ say: "Hello." }, { play: "http://169.254.169.254/latest/meta-data/x.mp3" }],
        choices: [{ digits: "1", next: "music" }],
        invalid_prompt: [{ play: "http://[::ffff:7f00:1]:4000/a.mp3" }],
      },
      music: { type: "play", url: "http://localhost:3000/v1/tenants", next: "away" },
      away: { type: "redirect", url: "http://127.0.0.1:3001/_emulator/reset" },
      fine: { type: "play", url: "http://127.0.0.1:4000/hold.mp3" },
    },
  };

  it("finds every refused play and redirect URL, with its path", () => {
    expect(urlFindings(flow, flowUrlPolicy(services)).map((f) => [f.path, f.code, f.severity])).toEqual([
      ["/nodes/menu/prompt/1/play", "link_local_address", "error"],
      ["/nodes/menu/invalid_prompt/0/play", "embedded_ipv4_address", "error"],
      ["/nodes/music/url", "own_service", "error"],
      ["/nodes/away/url", "own_service", "error"],
    ]);
  });

  it("never renders a refused URL of a flow saved under older rules", () => {
    const urls = flowUrls(services, "ten_1", "ivr_1");
    const menu = renderNode(flow, "menu", urls, { attempt: 1, reason: "invalid" });
    expect(menu).not.toContain("169.254");
    expect(menu).not.toContain("7f00");
    const away = renderNode(flow, "music", urls);
    expect(away).not.toContain("<Play");
    expect(away).not.toContain("_emulator");
    expect(away).toContain("cannot continue");
    expect(renderNode(flow, "fine", urls)).toContain("<Play>http://127.0.0.1:4000/hold.mp3</Play>");
  });
});
