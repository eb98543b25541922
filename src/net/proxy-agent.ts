// One pool of kept-alive connections that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY
// (src/net/proxy-env.ts): a target NO_PROXY exempts (or with no proxy set) is reached directly;
// others through their proxy, https:// targets in CONNECT tunnels and http:// ones in absolute
// form (agents.ts). `http` and `https` are the agents to hand to node's request functions or to
// the AWS SDK's request handler: each picks the pooled agent of the request's target, once per
// host and port. Whether a target is secure is a property of the agent the request was given
// (node checks that it matches the URL's scheme), so nothing is inferred per request. The
// environment is read when a target is first seen: a changed variable needs a restart, as for
// any process.
import http from 'node:http';
import type { LookupFunction } from './tunnel.js';
import { DirectHttpAgent, DirectHttpsAgent, ForwardingAgent, TunnelAgent, agentOptions, type PoolOptions } from './agents.js';
import { proxyFor, type ProxyEnv } from './proxy-env.js';

export type { PoolOptions } from './agents.js';
export type { LookupFunction } from './tunnel.js';

export type Scheme = 'http:' | 'https:';

export interface ProxyAwareAgents {
  /** For http:// requests: the pooled agent of each request's target. */
  http: http.Agent;
  /** For https:// requests: the pooled agent of each request's target. */
  https: http.Agent;
  /** The pooled agent for `scheme` targets reached through `proxy` (undefined: directly). */
  via(proxy: URL | undefined, scheme: Scheme): http.Agent;
  /** The proxy a request to `url` would use (undefined: direct). */
  proxyFor(url: URL): URL | undefined;
  /** The pool's sizes and timeouts. */
  readonly pool: Readonly<PoolOptions>;
  /** Closes every pooled socket (idle ones are unref'd and never hold the process open anyway). */
  destroy(): void;
}

/** Bound of the per-target choice cache: targets are the few endpoints of a config. */
const MAX_TARGETS = 1_000;

// ClientRequest hands each request to its agent's addRequest (node's http client, not in
// @types/node); this agent passes it on to the pooled agent of the target.
type AddRequest = (req: http.ClientRequest, options: http.ClientRequestArgs) => void;

class SelectingAgent extends http.Agent {
  private readonly chosen = new Map<string, http.Agent>();

  constructor(
    scheme: Scheme,
    private readonly pick: (scheme: Scheme, host: string, port: number) => http.Agent,
  ) {
    // keepAlive here too: node takes the request's `Connection: keep-alive` from the agent the
    // request was given, not from the one that ends up holding the socket.
    super({ keepAlive: true });
    // node checks the request's scheme against the agent's and takes the default port from it.
    Object.assign(this, { protocol: scheme, defaultPort: scheme === 'https:' ? 443 : 80 });
  }

  addRequest(req: http.ClientRequest, options: http.ClientRequestArgs): void {
    const self = this as unknown as { protocol: Scheme; defaultPort: number };
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port) || self.defaultPort;
    const key = `${host} ${port}`;
    let agent = this.chosen.get(key);
    if (!agent) {
      if (this.chosen.size >= MAX_TARGETS) this.chosen.clear();
      this.chosen.set(key, (agent = this.pick(self.protocol, host, port)));
    }
    (agent as unknown as { addRequest: AddRequest }).addRequest(req, options);
  }
}

export function createProxyAwareAgents(pool: PoolOptions, env: ProxyEnv = process.env): ProxyAwareAgents {
  const direct = { 'http:': new DirectHttpAgent(agentOptions(pool)), 'https:': new DirectHttpsAgent(agentOptions(pool)) };
  const viaProxy = new Map<string, http.Agent>();
  const via = (proxy: URL | undefined, scheme: Scheme): http.Agent => {
    if (!proxy) return direct[scheme];
    const key = `${scheme} ${proxy.href}`;
    let a = viaProxy.get(key);
    if (!a) viaProxy.set(key, (a = scheme === 'https:' ? new TunnelAgent(proxy, pool) : new ForwardingAgent(proxy, pool)));
    return a;
  };
  const target = (scheme: Scheme, host: string, port: number): URL =>
    new URL(`${scheme}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`);
  const pick = (scheme: Scheme, host: string, port: number): http.Agent => via(proxyFor(target(scheme, host, port), env), scheme);
  return {
    http: new SelectingAgent('http:', pick),
    https: new SelectingAgent('https:', pick),
    via,
    proxyFor: (url) => proxyFor(url, env),
    pool,
    destroy() {
      for (const a of [direct['http:'], direct['https:'], ...viaProxy.values()]) a.destroy();
    },
  };
}

/** Pool options with the usual timeouts; `lookup` resolves direct targets, `proxyLookup` proxy hosts. */
export function poolOptions(
  sizes: { maxSockets: number; maxFreeSockets: number },
  resolve: { lookup?: LookupFunction; proxyLookup?: LookupFunction } = {},
): PoolOptions {
  return {
    ...sizes,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    tunnelTimeoutMs: TUNNEL_TIMEOUT_MS,
    ...(resolve.lookup ? { lookup: resolve.lookup } : {}),
    ...(resolve.proxyLookup ? { proxyLookup: resolve.proxyLookup } : {}),
  };
}

/**
 * How long a socket may sit idle in a pool: below the 60 s idle timeout of AWS load balancers
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout)
 * and of many proxies, so the client closes first; above the default 30 s sweep interval, so
 * consecutive sweeps share their connections. A server that announces a shorter
 * `Keep-Alive: timeout` is honoured by node (minus 1 s).
 */
export const IDLE_TIMEOUT_MS = 50_000;

/** Bound of opening a CONNECT tunnel; each request is bounded by its own timeout as well. */
export const TUNNEL_TIMEOUT_MS = 10_000;
