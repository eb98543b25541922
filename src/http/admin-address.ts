// Where the admin listener is and who may name it. Pure: used by the HTTP server (Host check) and
// by the CLI (`outbox list|retry` reach a running monitor through it).

/** The admin listener's config (`server.admin`). */
export interface AdminListen {
  enabled: boolean;
  host: string;
  port: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * True when a Host header names this listener: localhost, 127.0.0.1, [::1] or its configured
 * host. Anything else is a DNS-rebinding page (Host: evil.example) or a request meant for another
 * service. The port is not compared: `kubectl port-forward 19465:9465` sends the local one.
 */
export function adminHostAllowed(hostHeader: string | undefined, configuredHost: string): boolean {
  if (hostHeader === undefined) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(hostHeader.trim());
  if (!m) return false;
  const name = m[1]!.toLowerCase();
  const configured = configuredHost.includes(':') ? `[${configuredHost.toLowerCase()}]` : configuredHost.toLowerCase();
  return LOOPBACK_NAMES.has(name) || (name === configured && configured !== '0.0.0.0' && configured !== '[::]');
}

/** The URL a local client (the CLI, in the same pod) uses for the admin API; undefined when disabled. */
export function adminBaseUrl(admin: AdminListen): string | undefined {
  if (!admin.enabled) return undefined;
  const h = admin.host === '0.0.0.0' || admin.host === '::' ? '127.0.0.1' : admin.host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${admin.port}`;
}
