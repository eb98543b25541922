// The pooled agents every outbound HTTP(S) request goes through, built on node:http/https Agent
// alone: keep-alive, a bound on sockets per origin, idle sockets closed before a server would
// close them (an idle socket the server closed first fails the next request sent on it). Three
// ways to a target:
// - direct: node's own Agent;
// - https:// through a proxy: a CONNECT tunnel (tunnel.ts) per socket, TLS to the target inside
//   it, the tunnel kept alive and reused like any socket;
// - http:// through a proxy: requests in absolute form (`GET http://host:port/path`) on a kept-alive
//   connection to the proxy.
// Node asks an agent for a socket through createConnection (its callback form lets the tunnel be
// opened asynchronously) and pools sockets under getName(options); both are documented Agent
// extension points (https://nodejs.org/api/http.html#agentcreateconnectionoptions-callback).
// A request may also carry `poolKey`: its sockets are then reused only by requests with the same
// key (notifications key them by the addresses their guard checked, src/notify/send.ts).
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { authority, connectToProxy, openTunnel, proxyAuthorization, type LookupFunction } from './tunnel.js';

export interface PoolOptions {
  /** Sockets per origin, in use and idle. Requests beyond it wait for a free socket. */
  maxSockets: number;
  /** Idle sockets kept per origin. */
  maxFreeSockets: number;
  /** An idle socket is closed after this long (sooner when the server's `Keep-Alive: timeout` hint says so). */
  idleTimeoutMs: number;
  /** Bound of opening a CONNECT tunnel (TCP, TLS to an https:// proxy, the proxy's answer). */
  tunnelTimeoutMs: number;
  /** Resolution of direct targets; absent: the request's own `lookup`, else the system's. */
  lookup?: LookupFunction;
  /** Resolution of proxy hosts; absent: the system's. */
  proxyLookup?: LookupFunction;
}

/** Request options an agent of this module reads beyond node's own. */
export interface PooledRequestOptions {
  /** Sockets are shared only among requests with the same key. */
  poolKey?: string;
}

type ConnectOptions = http.ClientRequestArgs & https.RequestOptions & PooledRequestOptions;
type Callback = (err: Error | null, stream: Duplex) => void;

/** The node Agent options of a pool. */
export function agentOptions(pool: PoolOptions): https.AgentOptions {
  return {
    keepAlive: true,
    maxSockets: pool.maxSockets,
    maxFreeSockets: pool.maxFreeSockets,
    // Node applies `timeout` to every socket it creates and, once a socket is idle in the pool,
    // closes it when the timeout fires (it lowers it to the server's Keep-Alive hint minus 1 s).
    timeout: pool.idleTimeoutMs,
    // The most recently used socket first: the others age out instead of all staying warm.
    scheduling: 'lifo',
    ...(pool.lookup ? { lookup: pool.lookup } : {}),
  };
}

const keyed = (name: string, options: PooledRequestOptions | undefined): string => (options?.poolKey ? `${name}|${options.poolKey}` : name);

/** Direct http:// connections. */
export class DirectHttpAgent extends http.Agent {
  override getName(options?: ConnectOptions): string {
    return keyed(super.getName(options), options);
  }
}

/** Direct https:// connections. */
export class DirectHttpsAgent extends https.Agent {
  override getName(options?: ConnectOptions): string {
    return keyed(super.getName(options), options);
  }
}

// https.Agent's own createConnection: TLS (with its session cache) over the socket given in `socket`.
const tlsConnect = https.Agent.prototype.createConnection as (this: https.Agent, options: ConnectOptions) => Duplex;

/** https:// targets through `proxy`: one CONNECT tunnel per pooled socket, TLS to the target inside. */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly pool: PoolOptions,
  ) {
    super(agentOptions(pool));
  }

  override getName(options?: ConnectOptions): string {
    return keyed(super.getName(options), options);
  }

  override createConnection(options: ConnectOptions, cb?: Callback): Duplex | null | undefined {
    const host = options.host ?? 'localhost';
    const port = Number(options.port) || 443;
    openTunnel(this.proxy, host, port, {
      timeoutMs: this.pool.tunnelTimeoutMs,
      ...(this.pool.proxyLookup ? { lookup: this.pool.proxyLookup } : {}),
    }).then(
      (socket) => {
        let secure: Duplex;
        try {
          // servername (SNI and the certificate check) is the target's: node set it from the Host header.
          secure = tlsConnect.call(this, { ...options, socket });
        } catch (err) {
          socket.destroy();
          return cb?.(err as Error, undefined as never);
        }
        cb?.(null, secure);
      },
      (err: Error) => cb?.(err, undefined as never),
    );
    return undefined;
  }
}

// node's Agent.addRequest: how ClientRequest hands a request to its agent (not in @types/node).
type AddRequest = (this: http.Agent, req: http.ClientRequest, options: ConnectOptions) => void;
const addRequest = (http.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest;

/** http:// targets through `proxy`: requests in absolute form on kept-alive connections to the proxy. */
export class ForwardingAgent extends http.Agent {
  private readonly auth: string | undefined;

  constructor(
    private readonly proxy: URL,
    private readonly pool: PoolOptions,
  ) {
    super(agentOptions(pool));
    this.auth = proxyAuthorization(proxy);
  }

  override getName(options?: ConnectOptions): string {
    return keyed(super.getName(options), options);
  }

  addRequest(req: http.ClientRequest, options: ConnectOptions): void {
    // The request line is written when the request ends, after this: the path can still change.
    // A caller may have set the absolute form itself (notifications name the checked address).
    if (!/^http:\/\//i.test(req.path)) req.path = `http://${authority(options.host ?? 'localhost', Number(options.port) || 80)}${req.path}`;
    if (this.auth && !req.hasHeader('proxy-authorization')) req.setHeader('proxy-authorization', this.auth);
    addRequest.call(this, req, options);
  }

  override createConnection(): Duplex {
    return connectToProxy(this.proxy, this.pool.proxyLookup ? { lookup: this.pool.proxyLookup } : {});
  }
}
