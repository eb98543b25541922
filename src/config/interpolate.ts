// ${NAME} substitution in string values (never keys), after YAML parsing: a value can never
// change the document's structure, and errors can name the field path.
import { isScalar, Scalar, type Document } from 'yaml';
import { formatPath, type LocatedIssue } from './errors.js';
import { walk } from './document.js';

const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

type Result = { ok: true; value: string; used: string[]; refs: number } | { ok: false; message: string };

/**
 * Expands `${NAME}` and `${NAME:-default}` (default when unset or empty, as in sh); `$${` is a
 * literal `${`. A default cannot itself contain `}` or a reference.
 */
export function expand(text: string, env: NodeJS.ProcessEnv): Result {
  let out = '';
  const used: string[] = [];
  let refs = 0;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      const m = end < 0 ? null : REF.exec(text.slice(i + 2, end));
      // The reference text is not echoed: a mistyped one may well be a pasted secret.
      if (!m) return { ok: false, message: 'malformed ${...}: write ${NAME} or ${NAME:-default}, or $${ for a literal ${' };
      const [, name, fallback] = m as unknown as [string, string, string | undefined];
      // Own keys only: `${constructor}` must be "not set", not Object's constructor turned into text.
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      if (value !== undefined && value !== '') out += value;
      else if (fallback !== undefined) out += fallback;
      else return { ok: false, message: `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'}` };
      if (value) used.push(value);
      refs += 1;
      i = end + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return { ok: true, value: out, used, refs };
}

/**
 * Interpolates every string scalar in place. An unquoted scalar that becomes a whole number or
 * true/false gets that type (`port: ${PORT:-9464}` works); quote it to keep a string.
 * Returns the issues and the env values used (for redaction).
 */
export function interpolate(doc: Document, env: NodeJS.ProcessEnv): { issues: LocatedIssue[]; used: string[] } {
  const issues: LocatedIssue[] = [];
  const used: string[] = [];
  walk(doc.contents, [], (node, path) => {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return;
    const r = expand(node.value, env);
    if (!r.ok) {
      issues.push({ path: formatPath(path), message: r.message, segments: path });
      return;
    }
    used.push(...r.used);
    node.value = r.value;
    if (node.type === Scalar.PLAIN && r.refs > 0) {
      if (/^-?\d{1,15}$/.test(r.value)) node.value = Number(r.value);
      else if (r.value === 'true' || r.value === 'false') node.value = r.value === 'true';
    }
  });
  return { issues, used };
}
