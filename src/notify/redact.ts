// Webhook URLs are credentials: Slack's carry the token in the path
// (https://api.slack.com/messaging/webhooks: "Keep it secret, keep it safe"). Anything that leaves
// the process (logs, reasons, dead letters, metrics) shows scheme + host only.

/** `https://hooks.slack.com/services/T/B/X` -> `https://hooks.slack.com` (port kept, userinfo/path/query dropped). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '[invalid url]';
  }
}

/** Removes every occurrence of the URL's secret-bearing parts (path, query, userinfo) from a text. */
export function scrubUrl(text: string, url: string): string {
  let out = text;
  try {
    const u = new URL(url);
    const secrets = [url, u.pathname.length > 1 ? u.pathname : '', u.search, u.username, u.password].filter((s) => s.length >= 4);
    for (const s of secrets.sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
  } catch {
    out = out.split(url).join('[redacted]');
  }
  return out;
}
