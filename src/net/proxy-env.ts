// Pure: which proxy (if any) a request to `target` goes through, from HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY as curl reads them:
// - the scheme of the TARGET picks the variable: https_proxy for https://, http_proxy for http://;
// - the lower-case variable wins when both spellings are set (curl's order; Go and Python read
//   upper case first, but a pod rarely has both, and one documented rule beats guessing). Unlike
//   curl, upper-case HTTP_PROXY is honoured: curl ignores it only for CGI scripts ("httpoxy"),
//   which this daemon is not;
// - NO_PROXY is a comma- or space-separated list: `*` (no proxy at all), a domain (`example.com`,
//   `.example.com` or `*.example.com`: that host and every subdomain), `host:port` (that port
//   only), an IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`) matched against IP-literal
//   hosts (names are not resolved to be matched, as in curl);
// - nothing is bypassed implicitly, loopback included (curl does the same; Go does not proxy
//   localhost): write `NO_PROXY=localhost,127.0.0.1` for local sidecars;
// - a proxy URL without a scheme is http:// (curl's default); only http:// and https:// proxies
//   are supported (ALL_PROXY / socks are not read).
import { BlockList, isIP } from 'node:net';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
}

function read(env: ProxyEnv, name: string): string | undefined {
  const lower = env[name.toLowerCase()];
  if (lower !== undefined && lower.trim() !== '') return lower.trim();
  const upper = env[name.toUpperCase()];
  return upper !== undefined && upper.trim() !== '' ? upper.trim() : undefined;
}

/** The proxy URL from a variable's value. Errors name the variable, never its value (it may hold a password). */
export function parseProxyUrl(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ProxyConfigError(`${variable} is not a valid proxy URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ProxyConfigError(`${variable}: only http:// and https:// proxies are supported`);
  if (!url.hostname) throw new ProxyConfigError(`${variable} names no proxy host`);
  return url;
}

const bareHost = (h: string) =>
  h
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');

/** True when NO_PROXY says `host:port` must be reached directly. */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const h = bareHost(host);
  const hostIp = isIP(h);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // CIDR: only against IP-literal hosts.
    const slash = entry.indexOf('/');
    if (slash > 0) {
      const net = bareHost(entry.slice(0, slash));
      const bits = Number(entry.slice(slash + 1));
      const fam = isIP(net);
      if (hostIp && fam === hostIp && Number.isInteger(bits) && bits >= 0 && bits <= (fam === 4 ? 32 : 128)) {
        const bl = new BlockList();
        bl.addSubnet(net, bits, fam === 4 ? 'ipv4' : 'ipv6');
        if (bl.check(h, fam === 4 ? 'ipv4' : 'ipv6')) return true;
      }
      continue;
    }
    // An optional port: `host:443`, `[::1]:8080`; a bare IPv6 address has colons and no port.
    let entryPort: number | undefined;
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (v6) {
      entry = v6[1]!;
      if (v6[2] !== undefined) entryPort = Number(v6[2]);
    } else if (isIP(entry) !== 6) {
      const m = /^(.*):(\d+)$/.exec(entry);
      if (m) {
        entry = m[1]!;
        entryPort = Number(m[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = bareHost(entry.replace(/^\*?\./, ''));
    if (entry === '') continue;
    if (h === entry) return true;
    if (!hostIp && isIP(entry) === 0 && h.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy for a request to `target`, or undefined for a direct connection. Throws ProxyConfigError on a bad proxy URL. */
export function proxyFor(target: URL, env: ProxyEnv): URL | undefined {
  const variable = target.protocol === 'https:' ? 'https_proxy' : target.protocol === 'http:' ? 'http_proxy' : undefined;
  if (variable === undefined) return undefined;
  const value = read(env, variable);
  if (value === undefined) return undefined;
  const port = target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
  if (bypassesProxy(target.hostname, port, read(env, 'no_proxy'))) return undefined;
  const which = env[variable] !== undefined && env[variable]!.trim() !== '' ? variable : variable.toUpperCase();
  return parseProxyUrl(value, which);
}

/** A proxy URL for logs: scheme, host and port only (never the user or password). */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * The proxy settings in force, for the start-up log line: proxies without their credentials,
 * NO_PROXY as given. Throws ProxyConfigError for a bad proxy URL, so a typo stops the start
 * instead of failing every call.
 */
export function proxySummary(env: ProxyEnv): { httpsProxy?: string; httpProxy?: string; noProxy?: string } {
  const out: { httpsProxy?: string; httpProxy?: string; noProxy?: string } = {};
  const https = read(env, 'https_proxy');
  const http = read(env, 'http_proxy');
  const which = (v: string) => (env[v] !== undefined && env[v]!.trim() !== '' ? v : v.toUpperCase());
  if (https !== undefined) out.httpsProxy = describeProxy(parseProxyUrl(https, which('https_proxy')));
  if (http !== undefined) out.httpProxy = describeProxy(parseProxyUrl(http, which('http_proxy')));
  const noProxy = read(env, 'no_proxy');
  if (noProxy !== undefined && (https !== undefined || http !== undefined)) out.noProxy = noProxy;
  return out;
}
