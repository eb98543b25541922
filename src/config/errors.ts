// Config errors: one line per issue, `path: message`, and never a secret in either.

/** One problem found in a config file. */
export interface ConfigIssue {
  /** Field path such as `notifications.targets[1].url`, or the file itself (`file.yaml`, `file.yaml:3:8`). */
  path: string;
  message: string;
  /** 1-based line in the config file, when known (check-config prints it). */
  line?: number;
}

/** Thrown by loadConfig/parseConfig; `message` is one `path: message` line per issue. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

export type PathSegment = string | number;

/** An issue still carrying its raw path, so the loader can look up its line. */
export type LocatedIssue = ConfigIssue & { segments?: PathSegment[] };

/** `['notifications', 'targets', 1, 'url']` -> `notifications.targets[1].url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      // Odd keys (spaces, dots) are quoted so the path stays unambiguous.
      const part = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
      out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}

/**
 * Last line of defence: messages are built without values, but if a known secret (an
 * interpolated env value, a *File content, a url/secret value) still shows up, cut it out.
 * Short values are skipped: replacing "true" or "9464" would mangle honest messages.
 */
export function redactSecrets(issues: ConfigIssue[], secrets: Iterable<string>): ConfigIssue[] {
  const list = [...new Set(secrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
  if (list.length === 0) return issues;
  const scrub = (s: string) => list.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
  return issues.map((i) => ({ ...i, path: scrub(i.path), message: scrub(i.message) }));
}
