// Pure address policy for the notification HTTP path (docs/reliability.md), applied to every address a
// hostname resolves to, and to IP literals, before connecting. It defends against SSRF towards
// cloud metadata (AWS IMDS 169.254.169.254 and fd00:ec2::254, EKS Pod Identity 169.254.170.23,
// GCP/Azure/Oracle 169.254.169.254, GCP fd20:ce::254, Azure WireServer 168.63.129.16, Alibaba
// 100.100.100.200, Oracle Cloud Classic 192.0.0.192) through a webhook URL. Metadata endpoints are
// 'forbidden': refused even for targets that may reach private addresses.
// IPv4 embedded in IPv6 (mapped ::ffff:a.b.c.d / ::ffff:a9fe:a9fe, compatible ::a.b.c.d, NAT64
// 64:ff9b::/96, 6to4 2002::/16) is judged as the IPv4 address it reaches. Local-use NAT64
// (64:ff9b:1::/48, RFC 8215) and Teredo (2001::/32) reach whatever the operator's translator
// reaches: private at best, forbidden when the embedded IPv4 is.
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'forbidden';

export interface AddressVerdict {
  class: AddressClass;
  /** Why, for forbidden/private/loopback: 'link-local or cloud metadata', 'multicast', ... */
  why?: string;
}

type V4 = [number, number, number, number];

function parseV4(s: string): V4 | undefined {
  const p = s.split('.');
  if (p.length !== 4 || !p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255)) return undefined;
  return p.map(Number) as V4;
}

/** 16 bytes, or undefined if not an IPv6 literal. Zone ids (%eth0) are dropped. */
function parseV6(input: string): number[] | undefined {
  let s = input.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return undefined;
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes its two hex groups, then one parser handles all.
  const lastColon = s.lastIndexOf(':');
  const dotted = s.slice(lastColon + 1);
  if (dotted.includes('.')) {
    const v4 = parseV4(dotted);
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  const parse = (h: string): number[] => (h === '' ? [] : h.split(':').map((x) => parseInt(x, 16)));
  const head = parse(halves[0] ?? '');
  const rest = halves.length > 1 ? parse(halves[1] ?? '') : [];
  const groups = halves.length > 1 ? [...head, ...Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
}

function classifyV4([a, b, c, d]: V4): AddressVerdict {
  if (a === 169 && b === 254) return { class: 'forbidden', why: 'link-local or cloud metadata (169.254.0.0/16)' };
  if (a === 100 && b === 100 && c === 100 && d === 200) return { class: 'forbidden', why: 'cloud metadata (100.100.100.200)' };
  // https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
  if (a === 168 && b === 63 && c === 129 && d === 16) return { class: 'forbidden', why: 'Azure WireServer (168.63.129.16)' };
  if (a === 192 && b === 0 && c === 0 && d === 192) return { class: 'forbidden', why: 'cloud metadata (192.0.0.192)' };
  if (a === 0) return { class: 'forbidden', why: 'unspecified (0.0.0.0/8)' };
  if (a >= 224 && a <= 239) return { class: 'forbidden', why: 'multicast (224.0.0.0/4)' };
  if (a >= 240) return { class: 'forbidden', why: 'reserved or broadcast (240.0.0.0/4)' };
  if (a === 127) return { class: 'loopback', why: 'loopback (127.0.0.0/8)' };
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return { class: 'private', why: 'private (RFC 1918)' };
  if (a === 100 && b >= 64 && b <= 127) return { class: 'private', why: 'shared address space (100.64.0.0/10)' };
  if (a === 198 && (b === 18 || b === 19)) return { class: 'private', why: 'benchmarking (198.18.0.0/15)' };
  if (a === 192 && b === 0 && c === 0) return { class: 'private', why: 'IETF protocol assignments (192.0.0.0/24)' };
  return { class: 'public' };
}

function classifyV6(b: number[]): AddressVerdict {
  const word = (i: number) => ((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0);
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4At = (i: number): V4 => [b[i] ?? 0, b[i + 1] ?? 0, b[i + 2] ?? 0, b[i + 3] ?? 0];
  if (zeros(0, 15) && b[15] === 1) return { class: 'loopback', why: 'loopback (::1)' };
  if (zeros(0, 16)) return { class: 'forbidden', why: 'unspecified (::)' };
  // ::ffff:0:0/96 mapped, ::/96 compatible, 64:ff9b::/96 NAT64: the IPv4 address decides.
  if (zeros(0, 10) && word(5) === 0xffff) return classifyV4(v4At(12));
  if (zeros(0, 12)) return classifyV4(v4At(12));
  if (word(0) === 0x64 && word(1) === 0xff9b && zeros(4, 12)) return classifyV4(v4At(12));
  if (word(0) === 0x2002) return classifyV4(v4At(2));
  if (word(0) === 0x64 && word(1) === 0xff9b && word(2) === 1) {
    // The operator picks the prefix length inside the /48, so every RFC 6052 layout is checked
    // (/48, /56, /64: the IPv4 octets skip byte 8; /96: the last four bytes).
    const layouts: V4[] = [[b[6]!, b[7]!, b[9]!, b[10]!], [b[7]!, b[9]!, b[10]!, b[11]!], [b[9]!, b[10]!, b[11]!, b[12]!], v4At(12)];
    return embedded(layouts, 'local-use NAT64 (64:ff9b:1::/48)');
  }
  if (word(0) === 0x2001 && word(1) === 0) {
    // Teredo: the client's IPv4 is the last 32 bits, inverted (RFC 4380 §4).
    return embedded([v4At(12).map((x) => x ^ 0xff) as V4], 'Teredo (2001::/32)');
  }
  if (word(0) === 0xfd00 && word(1) === 0x0ec2) return { class: 'forbidden', why: 'AWS metadata (fd00:ec2::/32)' };
  // https://cloud.google.com/compute/docs/metadata/querying-metadata (metadata.google.internal over IPv6).
  if (word(0) === 0xfd20 && word(1) === 0x00ce && zeros(4, 14) && word(7) === 0x0254)
    return { class: 'forbidden', why: 'GCP metadata (fd20:ce::254)' };
  if ((word(0) & 0xffc0) === 0xfe80) return { class: 'forbidden', why: 'link-local (fe80::/10)' };
  if ((b[0] ?? 0) === 0xff) return { class: 'forbidden', why: 'multicast (ff00::/8)' };
  if (((b[0] ?? 0) & 0xfe) === 0xfc) return { class: 'private', why: 'unique local (fc00::/7)' };
  if ((word(0) & 0xffc0) === 0xfec0) return { class: 'private', why: 'site-local (fec0::/10)' };
  return { class: 'public' };
}

/**
 * Forbidden when any candidate IPv4 is a unicast forbidden one (metadata, link-local); otherwise
 * private (a translator of unknown reach). Candidates in 0/8 or 224/3 are ignored: zero padding of
 * the other layouts lands there, and no translator forwards to them.
 */
function embedded(candidates: readonly V4[], why: string): AddressVerdict {
  for (const v4 of candidates) {
    const v = classifyV4(v4);
    if (v.class === 'forbidden' && v4[0] !== 0 && v4[0] < 224) return { class: 'forbidden', why: `${v.why} via ${why}` };
  }
  return { class: 'private', why };
}

/** Classifies an IP literal (IPv4, IPv6, bracketed IPv6); undefined when it is not an IP. */
export function classifyAddress(ip: string): AddressVerdict | undefined {
  const v4 = parseV4(ip);
  if (v4) return classifyV4(v4);
  const v6 = parseV6(ip);
  return v6 ? classifyV6(v6) : undefined;
}

/**
 * The verdict for connecting: null when allowed, otherwise the refusal reason.
 * Loopback and private ranges need `allowPrivate` (targets with allowHttp: true get it implicitly:
 * plain http only makes sense towards a sidecar or a test receiver). Forbidden ranges are refused always.
 */
export function checkAddress(ip: string, opts: { allowPrivate: boolean }): string | null {
  const v = classifyAddress(ip);
  if (v === undefined) return `not an IP address`;
  if (v.class === 'forbidden') return `address refused: ${v.why}`;
  if ((v.class === 'private' || v.class === 'loopback') && !opts.allowPrivate)
    return `address refused: ${v.why} (not allowed for this target)`;
  return null;
}
