// `<key>File: path` -> `<key>: <file contents>`, for any key the schema has at that place
// (Kubernetes mounts secrets as files; keeping them out of env and out of the config file).
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Document, type Pair, type Scalar } from 'yaml';
import type { z } from 'zod';
import { formatPath, type LocatedIssue, type PathSegment } from './errors.js';
import { walk } from './document.js';
import { fieldsAt } from './shape.js';

export type ReadSecretFile = (path: string) => string | Promise<string>;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
};

// Only the error code is reported: a reader's message could, in principle, carry content.
const reason = (err: unknown) => REASONS[String((err as { code?: unknown })?.code)] ?? 'unreadable';

/** A file holds one secret; the trailing newline that `echo` and editors add is not part of it. */
const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');

/**
 * Resolves every `<key>File` in place. Paths are relative to `baseDir` when given. A list of
 * paths gives a list of values (e.g. two webhook secrets during key rotation).
 * Returns the issues and the contents read (for redaction).
 */
export async function resolveFileRefs(
  doc: Document,
  schema: z.ZodType,
  read: ReadSecretFile,
  baseDir?: string,
): Promise<{ issues: LocatedIssue[]; contents: string[] }> {
  const jobs: { pair: Pair<Scalar, unknown>; base: string; paths: string[]; list: boolean; at: PathSegment[] }[] = [];
  const issues: LocatedIssue[] = [];
  walk(doc.contents, [], (node, path) => {
    if (!isMap(node)) return;
    const fields = fieldsAt(schema, path);
    if (!fields) return;
    const keys = new Set(node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')));
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const base = key.slice(0, -'File'.length);
      if (!key.endsWith('File') || !base || fields.get(base) !== 'leaf') continue;
      const at = [...path, key];
      const fail = (message: string) => issues.push({ path: formatPath(at), message, segments: at });
      if (keys.has(base)) {
        fail(`set ${base} or ${key}, not both`);
        continue;
      }
      const v = pair.value;
      const list = isSeq(v);
      const items = list ? v.items : [v];
      const paths = items.map((i) => (isScalar(i) && typeof i.value === 'string' && i.value !== '' ? i.value : undefined));
      if (items.length === 0 || paths.some((p) => p === undefined)) {
        fail('must be a file path (or a list of file paths)');
        continue;
      }
      jobs.push({ pair: pair as Pair<Scalar, unknown>, base, paths: paths as string[], list, at });
    }
  });
  const contents: string[] = [];
  await Promise.all(
    jobs.map(async (job) => {
      const values: string[] = [];
      for (const raw of job.paths) {
        const file = baseDir && !isAbsolute(raw) ? resolve(baseDir, raw) : raw;
        try {
          values.push(trimNewline(await read(file)));
        } catch (err) {
          issues.push({ path: formatPath(job.at), message: `cannot read ${file}: ${reason(err)}`, segments: job.at });
          return;
        }
      }
      contents.push(...values);
      // Renaming the key node (rather than replacing the pair) keeps its source line for messages.
      job.pair.key.value = job.base;
      job.pair.value = doc.createNode(job.list ? values : values[0]);
    }),
  );
  return { issues, contents };
}
