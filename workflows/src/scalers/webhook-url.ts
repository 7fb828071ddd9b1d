import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook scaler may send decisions (SSRF). A target's URL is whatever a caller of the control
 * API (or of Temporal) wrote, and the worker runs next to things a caller must not reach: the cloud
 * metadata service, the Kubernetes API, databases on the pod network. So: http and https only; never
 * link-local, metadata, unspecified, multicast or broadcast addresses; loopback and private addresses only
 * inside the networks the operator allowed. Checked on the URL at target creation and on every address
 * the name resolves to at call time (a name can resolve elsewhere later). node:net's BlockList does the
 * CIDR matching; the lists below are the product's own rule.
 */
const NEVER: [string, number][] = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host on Linux
  ['169.254.0.0', 16], // link-local, incl. 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
  ['100.100.100.200', 32], // Alibaba Cloud metadata
  ['192.0.0.192', 32], // Oracle Cloud metadata
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
];
const NEVER6: [string, number][] = [
  ['::', 128], // unspecified
  ['fe80::', 10], // link-local
  ['fd00:ec2::254', 128], // AWS metadata over IPv6
  ['ff00::', 8], // multicast
];
const PRIVATE: [string, number][] = [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10], // carrier-grade NAT, used by some pod networks
  ['198.18.0.0', 15],
];
const PRIVATE6: [string, number][] = [
  ['::1', 128],
  ['fc00::', 7], // unique local
];

/** Names of metadata services that resolve only inside a cloud: refused by name, before any lookup. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

function blockList(v4: [string, number][], v6: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}
const never = blockList(NEVER, NEVER6);
const privateNets = blockList(PRIVATE, PRIVATE6);

/** `a.b.c.d/n` or `v6/n`. */
export function isCidr(s: string): boolean {
  const [net, prefix, ...rest] = s.split('/');
  const v = isIP(net ?? '');
  const n = Number(prefix);
  return rest.length === 0 && v !== 0 && /^\d{1,3}$/.test(prefix ?? '') && n <= (v === 4 ? 32 : 128);
}

/** `::ffff:a.b.c.d` is the IPv4 address for every rule here. */
function normalise(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class WebhookUrlPolicy {
  private readonly allowed = new BlockList();

  /** `allowedNetworks`: CIDRs of loopback or private networks webhooks may reach (never link-local ones). */
  constructor(readonly allowedNetworks: readonly string[]) {
    for (const cidr of allowedNetworks) {
      const [net, prefix] = cidr.split('/');
      this.allowed.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Why a URL may not be a webhook, judged without DNS; null when it may. */
  urlProblem(raw: string): string | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return `scheme "${url.protocol.slice(0, -1)}" is not allowed: http or https only`;
    const host = hostOf(url);
    if (METADATA_NAMES.has(host)) return `"${host}" is a cloud metadata service`;
    return isIP(host) ? this.addressProblem(host) : null;
  }

  /** Why an address (literal or resolved) may not be called; null when it may. */
  addressProblem(raw: string): string | null {
    const { address, type } = normalise(raw);
    if (never.check(address, type)) return `${raw} is a link-local, metadata, unspecified or multicast address`;
    if (privateNets.check(address, type) && !this.allowed.check(address, type)) {
      return `${raw} is a loopback or private address outside SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS (${this.allowedNetworks.join(', ') || 'none'})`;
    }
    return null;
  }
}

/** The URL's host as the resolver sees it: no IPv6 brackets, no trailing dot, lower case. */
export const hostOf = (url: URL): string =>
  url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
