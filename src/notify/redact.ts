// Webhook URLs are credentials: Slack's carry the token in the path
// (https://api.slack.com/messaging/webhooks: "Keep it secret, keep it safe"), others in a query
// value or a later path segment. Anything that leaves the process (logs, reasons, dead letters,
// metrics) shows scheme + host only, and text that came back from a receiver is scrubbed of every
// part of what we sent: a receiver may well answer `no such hook: <last path segment>` or
// `unknown token <query value>`, and that answer ends up in logs, the journal and /api/outbox.

/** `https://hooks.slack.com/services/T/B/X` -> `https://hooks.slack.com` (port kept, userinfo/path/query dropped). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '[invalid url]';
  }
}

/**
 * Request headers whose values are public facts (the event id is in every log line anyway):
 * scrubbing them would only mangle messages.
 */
const PUBLIC_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'accept', 'webhook-id', 'webhook-timestamp']);

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Every string a receiver could echo back that must not be printed: the whole URL, its path and
 * each path segment, its query and each query value, its userinfo (raw and percent-decoded),
 * the signing secrets (with and without `whsec_`) and every header value we sent but the public ones.
 */
export function secretMaterial(from: { url: string; headers?: Readonly<Record<string, string>>; secrets?: readonly string[] }): string[] {
  const out: string[] = [from.url];
  try {
    const u = new URL(from.url);
    out.push(u.pathname, u.search, u.username, u.password, decode(u.username), decode(u.password));
    for (const seg of u.pathname.split('/')) out.push(seg, decode(seg));
    for (const part of u.search.replace(/^\?/, '').split('&')) {
      const value = part.slice(part.indexOf('=') + 1);
      out.push(value, decode(value.replace(/\+/g, ' ')));
    }
  } catch {
    // Not a URL: the whole string (above) is all there is to scrub.
  }
  for (const s of from.secrets ?? []) out.push(s, s.replace(/^whsec_/, ''));
  for (const [name, value] of Object.entries(from.headers ?? {})) {
    if (PUBLIC_HEADERS.has(name.toLowerCase())) continue;
    out.push(value, ...value.split(/[\s,]+/));
  }
  return [...new Set(out)];
}

const MIN_SHORT = 4; // shorter values are no secret
const WINDOW = 8; // values this long are cut wherever they occur; a run sharing this many characters with one is an echo
const RUN = /[A-Za-z0-9_\-+/=.~%]+/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes `material` from `text`, case-insensitively (receivers often lower-case what they echo):
 * values of 8+ characters wherever they occur, and every word-like run that shares 8 consecutive
 * characters with one (a truncated, padded or re-encoded echo); shorter values (4-7 characters,
 * such as `hooks` or `T0AB`) only where they are a whole word, so `hooks.example.com` stays readable.
 */
export function scrubText(text: string, material: readonly string[]): string {
  const long = material.filter((s) => s.length >= WINDOW).sort((a, b) => b.length - a.length);
  const short = new Set(material.filter((s) => s.length >= MIN_SHORT && s.length < WINDOW).map((s) => s.toLowerCase()));
  let out = text;
  for (const v of long) out = out.replace(new RegExp(escapeRegExp(v), 'gi'), '[redacted]');
  const windows = new Set<string>();
  for (const v of long) {
    // Whole URLs are replaced above; their windows would also catch the (public) host name.
    if (v.includes('://')) continue;
    const lower = v.toLowerCase();
    for (let i = 0; i + WINDOW <= lower.length; i++) windows.add(lower.slice(i, i + WINDOW));
  }
  return out.replace(RUN, (run) => {
    const lower = run.toLowerCase();
    if (short.has(lower) || short.has(lower.replace(/^[.=~%-]+|[.=~%-]+$/g, ''))) return '[redacted]';
    if (run === 'redacted' || run.length < WINDOW) return run;
    for (let i = 0; i + WINDOW <= lower.length; i++) if (windows.has(lower.slice(i, i + WINDOW))) return '[redacted]';
    return run;
  });
}

/** Removes every occurrence of the URL's secret-bearing parts (path, segments, query values, userinfo) from a text. */
export function scrubUrl(text: string, url: string): string {
  return scrubText(text, secretMaterial({ url }));
}
