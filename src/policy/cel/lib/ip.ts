/** Kubernetes IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go). */
import type { CelLibrary } from '../library.js';
import { equalityOperators, namespace } from '../library.js';
import { CIDR, IPAddr } from './ip-addr.js';

function ip(s: string): IPAddr {
  const r = IPAddr.parse(s);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

function cidr(s: string): CIDR {
  const r = CIDR.parse(s);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** ip.isCanonical: the string is a valid IP already in canonical form (`2001:db8::1`, not `2001:DB8::1`). */
function isCanonical(_ns: object, s: string): boolean {
  return ip(s).toString() === s;
}

const ipNamespace = namespace('ip', 'KubewardIPNamespace');

export const ipLibrary: CelLibrary = {
  types: [['net.IP', IPAddr], ['net.CIDR', CIDR], ...(ipNamespace.types ?? [])],
  constants: ipNamespace.constants,
  operators: [...equalityOperators('net.IP'), ...equalityOperators('net.CIDR')],
  functions: [
    ['ip(string): net.IP', ip],
    ['isIP(string): bool', (s: string) => typeof IPAddr.parse(s) !== 'string'],
    ['KubewardIPNamespace.isCanonical(string): bool', isCanonical],
    ['string(net.IP): string', (a: IPAddr) => a.toString()],
    ['net.IP.family(): int', (a: IPAddr) => BigInt(a.family)],
    ['net.IP.isUnspecified(): bool', (a: IPAddr) => a.isUnspecified()],
    ['net.IP.isLoopback(): bool', (a: IPAddr) => a.isLoopback()],
    ['net.IP.isLinkLocalMulticast(): bool', (a: IPAddr) => a.isLinkLocalMulticast()],
    ['net.IP.isLinkLocalUnicast(): bool', (a: IPAddr) => a.isLinkLocalUnicast()],
    ['net.IP.isGlobalUnicast(): bool', (a: IPAddr) => a.isGlobalUnicast()],
    ['cidr(string): net.CIDR', cidr],
    ['isCIDR(string): bool', (s: string) => typeof CIDR.parse(s) !== 'string'],
    ['string(net.CIDR): string', (c: CIDR) => c.toString()],
    ['net.CIDR.containsIP(net.IP): bool', (c: CIDR, a: IPAddr) => c.containsIP(a)],
    ['net.CIDR.containsIP(string): bool', (c: CIDR, s: string) => c.containsIP(ip(s))],
    ['net.CIDR.containsCIDR(net.CIDR): bool', (c: CIDR, o: CIDR) => c.containsCIDR(o)],
    ['net.CIDR.containsCIDR(string): bool', (c: CIDR, s: string) => c.containsCIDR(cidr(s))],
    ['net.CIDR.ip(): net.IP', (c: CIDR) => c.ip],
    ['net.CIDR.masked(): net.CIDR', (c: CIDR) => c.masked()],
    ['net.CIDR.prefixLength(): int', (c: CIDR) => BigInt(c.prefixLength)],
  ],
};
