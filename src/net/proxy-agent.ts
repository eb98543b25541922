// http.Agents that honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-env.ts) per request:
// a target that NO_PROXY exempts (or with no proxy set) gets a plain keep-alive agent; others go
// through the proxy, https:// targets in a CONNECT tunnel (https-proxy-agent: TLS runs end to end,
// the proxy sees only the host name) and http:// targets as absolute-form requests
// (http-proxy-agent). Both come from the widely used `proxy-agent` family; the choice among them
// is the only logic here. The environment is read once, when the agents are made: a changed
// variable needs a restart, as for any process.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { Agent as AgentBase, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { HttpProxyAgent } from 'http-proxy-agent';
import { lookupCallback } from './lookup.js';
import { proxyFor, type ProxyEnv } from './proxy-env.js';

export interface AgentPoolOptions {
  keepAlive: boolean;
  maxSockets?: number;
  maxFreeSockets?: number;
}

export interface ProxyAwareAgents {
  http: http.Agent;
  https: http.Agent;
  /** The proxy a request to `url` would use (undefined: direct). */
  proxyFor(url: URL): URL | undefined;
}

class SelectingAgent extends AgentBase {
  constructor(private readonly pick: (opts: AgentConnectOpts) => http.Agent) {
    super();
  }

  override connect(_req: http.ClientRequest, opts: AgentConnectOpts): http.Agent | Duplex {
    return this.pick(opts);
  }
}

export function createProxyAwareAgents(pool: AgentPoolOptions, env: ProxyEnv = process.env): ProxyAwareAgents {
  // Idle keep-alive sockets are unref'd by node's Agent, so they never hold the process open.
  // Bounded lookups (src/net/lookup.ts) for the target (direct) or the proxy's host.
  const sizes = {
    keepAlive: pool.keepAlive,
    lookup: lookupCallback as never,
    ...(pool.maxSockets ? { maxSockets: pool.maxSockets } : {}),
    ...(pool.maxFreeSockets ? { maxFreeSockets: pool.maxFreeSockets } : {}),
  };
  const direct = { http: new http.Agent(sizes), https: new https.Agent(sizes) };
  const viaProxy = new Map<string, http.Agent>();
  const pick = (secure: boolean) => (opts: AgentConnectOpts) => {
    const host = opts.host ?? 'localhost';
    const target = new URL(`${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${opts.port}`);
    const proxy = proxyFor(target, env);
    if (!proxy) return secure ? direct.https : direct.http;
    const key = `${secure ? 's' : 'p'} ${proxy.href}`;
    let a = viaProxy.get(key);
    if (!a) viaProxy.set(key, (a = secure ? new HttpsProxyAgent(proxy, sizes) : new HttpProxyAgent(proxy, sizes)));
    return a;
  };
  return {
    http: new SelectingAgent(pick(false)),
    https: new SelectingAgent(pick(true)),
    proxyFor: (url) => proxyFor(url, env),
  };
}
