import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '@platform/errors';

/**
 * Where webhooks may be sent (SPEC M10). Checked twice: when an endpoint is registered or changed
 * (literal addresses and, best effort, the name's current DNS answer), and at every delivery after
 * resolving the name — the request then connects to the address that was checked, so a DNS answer
 * that changes between check and connect (rebinding) cannot reach a private address.
 */
export interface UrlPolicy {
  /** Production: https only, never loopback. */
  production: boolean;
  /** Development/test flag (WEBHOOK_ALLOW_LOOPBACK_URLS): loopback receivers, over http or https. */
  allowLoopback: boolean;
}

export type UrlRefusal =
  | 'INVALID_URL'
  | 'SCHEME_NOT_ALLOWED'
  | 'CREDENTIALS_IN_URL'
  | 'LOOPBACK_ADDRESS'
  | 'PRIVATE_ADDRESS'
  | 'METADATA_ADDRESS'
  | 'INTERNAL_HOSTNAME';

export type AddressClass = 'public' | 'loopback' | 'private' | 'metadata';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable: tests simulate DNS answers). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

const METADATA = new net.BlockList();
METADATA.addAddress('169.254.169.254', 'ipv4'); // AWS, GCP, Azure, OpenStack
METADATA.addAddress('169.254.170.2', 'ipv4'); // AWS ECS task metadata
METADATA.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud
METADATA.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Everything that is not the public internet (RFC 6890 special-purpose registries). */
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 space through a translator)
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID…)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

/** IPv4-mapped / -compatible IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address. */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:0{0,4}:){0,5}(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? null;
  if (match) return match[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = net.isIP(bare);
  if (version === 0) throw new Error(`not an IP address: ${address}`);
  const v4 = version === 6 ? embeddedIpv4(bare) : bare;
  const [value, type] = v4 && net.isIPv4(v4) ? [v4, 'ipv4' as const] : [bare, 'ipv6' as const];
  if (METADATA.check(value, type)) return 'metadata';
  if (LOOPBACK.check(value, type)) return 'loopback';
  if (NOT_PUBLIC.check(value, type)) return 'private';
  return 'public';
}

const METADATA_HOSTNAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

export function refuse(reason: UrlRefusal, message: string): AppError {
  return new AppError('WEBHOOK_URL_NOT_ALLOWED', message, { field: 'url', reason });
}

/** The refusal for an address of this class under the policy, or null when it may be reached. */
export function refusalForAddress(kind: AddressClass, policy: UrlPolicy): AppError | null {
  if (kind === 'metadata') return refuse('METADATA_ADDRESS', 'Webhook URLs cannot target a cloud metadata address');
  if (kind === 'private') return refuse('PRIVATE_ADDRESS', 'Webhook URLs cannot target a private, link-local or reserved address');
  if (kind === 'loopback' && (policy.production || !policy.allowLoopback)) {
    return refuse('LOOPBACK_ADDRESS', 'Webhook URLs cannot target a loopback address (allowed only in development with WEBHOOK_ALLOW_LOOPBACK_URLS)');
  }
  return null;
}

export interface ParsedWebhookUrl {
  url: URL;
  /** Lower-case host without brackets or trailing dot. */
  host: string;
  /** The host is an IP literal (no DNS involved). */
  literal: boolean;
}

/** Syntax and host checks that need no network: the scheme, credentials, literal addresses, internal names. */
export function parseWebhookUrl(raw: string, policy: UrlPolicy): ParsedWebhookUrl {
  let url: URL;
  try {
    if (raw.length > 2000) throw new Error('too long');
    url = new URL(raw.trim());
  } catch {
    throw refuse('INVALID_URL', 'url must be an absolute URL of at most 2000 characters');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('SCHEME_NOT_ALLOWED', 'Webhook URLs must use https');
  if (url.username || url.password) throw refuse('CREDENTIALS_IN_URL', 'Webhook URLs must not carry credentials; the signature authenticates deliveries');
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (!host) throw refuse('INVALID_URL', 'url has no host');
  const literal = net.isIP(host) !== 0;
  let kind: AddressClass | 'name' = 'name';
  if (literal) kind = classifyAddress(host);
  else if (host === 'localhost' || host.endsWith('.localhost')) kind = 'loopback';
  else if (METADATA_HOSTNAMES.has(host)) kind = 'metadata';
  else if (!host.includes('.') || host.endsWith('.internal') || host.endsWith('.local')) {
    throw refuse('INTERNAL_HOSTNAME', 'Webhook URLs need a public DNS name (no single-label, .internal or .local names)');
  }
  if (kind !== 'name') {
    const refusal = refusalForAddress(kind, policy);
    if (refusal) throw refusal;
  }
  // Plain http only to a loopback receiver in development; everything else is https.
  if (url.protocol === 'http:' && (policy.production || kind !== 'loopback')) {
    throw refuse('SCHEME_NOT_ALLOWED', 'Webhook URLs must use https');
  }
  return { url, host, literal };
}

/**
 * Resolves the URL's host and checks EVERY address it answers (an attacker's name may answer a
 * public and a private address). Returns the address to connect to.
 */
export async function resolveDeliverableAddress(parsed: ParsedWebhookUrl, policy: UrlPolicy, resolver: HostResolver): Promise<ResolvedAddress> {
  if (parsed.literal) return { address: parsed.host, family: net.isIPv6(parsed.host) ? 6 : 4 };
  const addresses = await resolver(parsed.host);
  if (addresses.length === 0) throw new Error(`${parsed.host} has no address`);
  for (const { address } of addresses) {
    const refusal = refusalForAddress(classifyAddress(address), policy);
    if (refusal) throw refusal;
  }
  return addresses[0];
}

/**
 * The registration check: syntax and literal addresses, then the name's current DNS answer when it
 * has one within a short time (a name that does not resolve yet is accepted; delivery re-checks).
 */
export async function assertRegistrableUrl(raw: string, policy: UrlPolicy, resolver: HostResolver = systemResolver): Promise<string> {
  const parsed = parseWebhookUrl(raw, policy);
  if (!parsed.literal && !(parsed.host === 'localhost' || parsed.host.endsWith('.localhost'))) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), 2_000);
    });
    const addresses = await Promise.race([resolver(parsed.host).catch(() => null), timeout]).finally(() => clearTimeout(timer));
    for (const { address } of addresses ?? []) {
      const refusal = refusalForAddress(classifyAddress(address), policy);
      if (refusal) throw refusal;
    }
  }
  return parsed.url.toString();
}
