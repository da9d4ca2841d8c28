/**
 * IP addresses and prefixes with Go net/netip semantics, as the Kubernetes ip/cidr libraries use them:
 * strict dotted-quad IPv4 (no leading zeros), IPv6 in any RFC 4291 text form, no zones, and IPv4-mapped IPv6
 * refused (Kubernetes rejects them to avoid ambiguity). Canonical text follows RFC 5952.
 */
import { isIPv6 } from 'node:net';

export class IPAddr {
  private constructor(readonly bytes: Uint8Array) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  /** Parses `s`; returns an error message instead of throwing, for isIP()-style callers. */
  static parse(s: string): IPAddr | string {
    if (s.includes('%')) return 'IP Address with zone value is not allowed';
    const v4 = parseIPv4(s);
    if (v4) return new IPAddr(v4);
    const v6 = parseIPv6(s);
    if (!v6)
      return `IP Address ${JSON.stringify(s.slice(0, 64))} parse error during conversion from string: ParseAddr: unable to parse IP`;
    if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) {
      return 'IPv4-mapped IPv6 address is not allowed';
    }
    return new IPAddr(v6);
  }

  static fromBytes(bytes: Uint8Array): IPAddr {
    return new IPAddr(bytes);
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    const b = this.bytes;
    return this.family === 4 ? b[0] === 127 : b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
  }

  isMulticast(): boolean {
    const first = this.bytes[0] ?? 0;
    return this.family === 4 ? (first & 0xf0) === 0xe0 : first === 0xff;
  }

  isLinkLocalMulticast(): boolean {
    const b = this.bytes;
    return this.family === 4
      ? b[0] === 224 && b[1] === 0 && b[2] === 0
      : b[0] === 0xff && ((b[1] ?? 0) & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    const b = this.bytes;
    return this.family === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
  }

  /** Go's IsGlobalUnicast: anything routable that is not loopback, link-local, multicast or broadcast. */
  isGlobalUnicast(): boolean {
    if (this.family === 4 && this.bytes.every((b) => b === 255)) return false;
    return !this.isUnspecified() && !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  celEquals(other: unknown): boolean {
    return other instanceof IPAddr && Buffer.from(this.bytes).equals(other.bytes);
  }

  toString(): string {
    return this.family === 4 ? this.bytes.join('.') : formatIPv6(this.bytes);
  }
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (s.length > 45 || !isIPv6(s)) return undefined;
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    text = `${text.slice(0, lastColon + 1)}0`; // placeholder group, dropped below
  }
  const [head = '', rest] = text.split('::');
  const groups = (g: string): number[] => (g === '' ? [] : g.split(':').map((h) => Number.parseInt(h, 16)));
  let left = groups(head);
  let right = rest === undefined ? [] : groups(rest);
  if (tail.length > 0) {
    if (rest === undefined) left = left.slice(0, -1);
    else right = right.slice(0, -1);
  }
  right = [...right, ...tail];
  const fill = 8 - left.length - right.length;
  const all = [...left, ...new Array<number>(rest === undefined ? 0 : fill).fill(0), ...right];
  if (all.length !== 8) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups compressed, first wins. */
function formatIPv6(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => ((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export class CIDR {
  private constructor(
    readonly ip: IPAddr,
    readonly prefixLength: number,
  ) {}

  static parse(s: string): CIDR | string {
    const slash = s.indexOf('/');
    if (slash < 0)
      return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s.slice(0, 64))}): no '/'`;
    const ip = IPAddr.parse(s.slice(0, slash));
    if (typeof ip === 'string') return ip;
    const bits = s.slice(slash + 1);
    const max = ip.family === 4 ? 32 : 128;
    if (!/^(?:0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > max) {
      return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s.slice(0, 64))}): bad bits after slash: ${JSON.stringify(bits.slice(0, 8))}`;
    }
    return new CIDR(ip, Number(bits));
  }

  masked(): CIDR {
    const bytes = new Uint8Array(this.ip.bytes);
    for (let i = 0; i < bytes.length; i++) {
      const keep = Math.max(0, Math.min(8, this.prefixLength - i * 8));
      bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
    }
    return new CIDR(IPAddr.fromBytes(bytes), this.prefixLength);
  }

  containsIP(ip: IPAddr): boolean {
    if (ip.family !== this.ip.family) return false;
    return new CIDR(ip, this.prefixLength).masked().ip.celEquals(this.masked().ip);
  }

  containsCIDR(other: CIDR): boolean {
    return other.prefixLength >= this.prefixLength && this.containsIP(other.ip);
  }

  celEquals(other: unknown): boolean {
    return other instanceof CIDR && other.prefixLength === this.prefixLength && this.ip.celEquals(other.ip);
  }

  toString(): string {
    return `${this.ip.toString()}/${this.prefixLength}`;
  }
}
