import { AsyncLocalStorage } from 'node:async_hooks';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** An outbound fetch refused by the address policy, before any connection was made. */
export class OutboundRefused extends Error {
  constructor(readonly host: string) {
    super(`Outbound request to ${host} refused: not a public address`);
  }
}

/**
 * Public unicast only. Loopback, private, link-local, carrier-grade NAT, multicast, unspecified,
 * documentation and reserved ranges are refused, and so are IPv6 forms that embed an IPv4
 * address (mapped, NAT64, 6to4, Teredo) unless the embedded address is itself public.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return address.range() === 'unicast';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Options openid-client passes to http.request for one outbound URL. */
export interface OutboundHttpOptions {
  lookup?: (hostname: string, options: LookupOptions, callback: LookupCallback) => void;
  timeout: number;
}

const TIMEOUT_MS = 5000;

/**
 * Where the server may fetch on a superuser's behalf (SPEC §5a). Checked at connection time by
 * the socket's own DNS lookup, so the addresses checked are the ones connected to (no rebinding
 * between check and use), for every request including any the client library would redirect to.
 */
export class OutboundPolicy {
  private readonly allowed: Set<string>;

  constructor(allowedHosts: readonly string[]) {
    this.allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  }

  /** `host` or `host:port` listed in SSO_ALLOWED_ISSUER_HOSTS: any address goes (intranet, tests). */
  isListed(url: URL): boolean {
    return this.allowed.has(url.host.toLowerCase()) || this.allowed.has(url.hostname.toLowerCase());
  }

  /** Throws OutboundRefused for an unlisted literal address that is not public. */
  httpOptionsFor(url: URL): OutboundHttpOptions {
    if (this.isListed(url)) return { timeout: TIMEOUT_MS };
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0) {
      if (!isPublicAddress(literal)) throw new OutboundRefused(url.host);
      return { timeout: TIMEOUT_MS };
    }
    return { timeout: TIMEOUT_MS, lookup: publicOnlyLookup };
  }
}

/** dns.lookup that fails unless every address the name resolves to is public. */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (addresses.length === 0 || addresses.some(({ address }) => !isPublicAddress(address))) {
      return callback(new OutboundRefused(hostname), []);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * The policy of the call in progress: openid-client's discovery is a static method with one
 * process-wide options hook, while each application (and test) has its own allowlist.
 */
export const outboundPolicyContext = new AsyncLocalStorage<OutboundPolicy>();
const DEFAULT_POLICY = new OutboundPolicy([]);

export const currentOutboundPolicy = (): OutboundPolicy =>
  outboundPolicyContext.getStore() ?? DEFAULT_POLICY;
