// The two ways to reach a proxy (RFC 9110 9.3.6 CONNECT, RFC 9112 3.2.2 absolute-form): a socket
// to the proxy itself (TLS to it for an https:// proxy), and a CONNECT tunnel through that socket
// to a target's host and port. The tunnel is a plain byte stream: TLS to the target runs inside
// it, end to end, so the proxy sees only the host name. Errors name the proxy by scheme, host and
// port only, never its user or password.
import net from 'node:net';
import tls from 'node:tls';
import { describeProxy } from './proxy-env.js';

/** Bound of the head of a CONNECT answer: a proxy that sends more is not speaking HTTP. */
const MAX_CONNECT_HEAD_BYTES = 16 * 1024;

export type LookupFunction = net.LookupFunction;

export interface ProxyConnectOptions {
  /** Name resolution of the proxy's host (default: the system's). */
  lookup?: LookupFunction;
}

export interface TunnelOptions extends ProxyConnectOptions {
  /** The whole handshake (TCP, TLS to an https:// proxy, the CONNECT answer) must fit in this. */
  timeoutMs: number;
}

export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  constructor(
    message: string,
    readonly code: 'EPROXYREFUSED' | 'EPROXYTIMEOUT' | 'EPROXYPROTOCOL',
    /** The proxy's status code, when it answered. */
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** `Proxy-Authorization` for a proxy URL with credentials (Basic, RFC 7617), or undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** A socket to the proxy itself: TCP, or TLS for an https:// proxy (verified for the proxy's name). */
export function connectToProxy(proxy: URL, opts: ProxyConnectOptions = {}): net.Socket {
  const host = bare(proxy.hostname);
  const port = proxy.port ? Number(proxy.port) : proxy.protocol === 'https:' ? 443 : 80;
  const lookup = opts.lookup ? { lookup: opts.lookup } : {};
  if (proxy.protocol === 'https:') return tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...lookup });
  return net.connect({ host, port, ...lookup });
}

/** `host:port` as a request target of CONNECT (`[::1]:443` for IPv6). */
export function authority(host: string, port: number): string {
  const h = bare(host);
  return `${net.isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

/**
 * A CONNECT tunnel through `proxy` to `host:port`: resolves with the socket once the proxy
 * answered 2xx, ready for the target's bytes (and TLS). Rejects with a ProxyTunnelError on a
 * refusal, a timeout or an answer that is not HTTP, or with the socket's own error.
 */
export function openTunnel(proxy: URL, host: string, port: number, opts: TunnelOptions): Promise<net.Socket> {
  const target = authority(host, port);
  const auth = proxyAuthorization(proxy);
  const where = describeProxy(proxy);
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = connectToProxy(proxy, opts);
    let head = Buffer.alloc(0);
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_CONNECT_HEAD_BYTES)
          fail(new ProxyTunnelError(`proxy ${where} sent an oversized CONNECT answer`, 'EPROXYPROTOCOL'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, Math.min(end, 64)).toString('latin1'));
      if (!status) return fail(new ProxyTunnelError(`proxy ${where} did not answer CONNECT with HTTP`, 'EPROXYPROTOCOL'));
      const code = Number(status[1]);
      if (code < 200 || code > 299)
        return fail(new ProxyTunnelError(`proxy ${where} refused CONNECT to ${target}: HTTP ${code}`, 'EPROXYREFUSED', code));
      done = true;
      cleanup();
      socket.setTimeout(0);
      // Bytes after the head already belong to the target (none with a well-behaved proxy).
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: Error): void => fail(err);
    const onClose = (): void =>
      fail(new ProxyTunnelError(`proxy ${where} closed the connection before answering CONNECT`, 'EPROXYPROTOCOL'));
    const onTimeout = (): void =>
      fail(new ProxyTunnelError(`proxy ${where} did not open a tunnel within ${opts.timeoutMs} ms`, 'EPROXYTIMEOUT'));
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('timeout', onTimeout);
    socket.setTimeout(opts.timeoutMs);
    // Written at once: net and tls sockets queue writes until connected (and the TLS handshake is done).
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}Proxy-Connection: keep-alive\r\n\r\n`,
    );
  });
}
