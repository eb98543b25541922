// `<key>File: path` -> `<key>: <file contents>`, for the secret keys the schema has at that place:
// those marked with secretKey (src/config/shape.ts), a target's url and its type's secretKeys
// (Kubernetes mounts secrets as files; keeping them out of env and out of the config file).
// Only secret keys: a value read from a file is treated as a secret everywhere (never echoed),
// and a non-secret key such as `state.dir` is printed in logs and error messages, so
// `state.dirFile: /proc/self/environ` would print the environment. Non-secret values come from
// the config text or ${NAME}.
import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Document, type Pair, type Scalar } from 'yaml';
import type { z } from 'zod';
import { formatPath, type LocatedIssue, type PathSegment } from './errors.js';
import { walk } from './document.js';
import { fieldsAt, secretKeyNames } from './shape.js';

export type ReadSecretFile = (path: string) => string | Promise<string>;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOTREG: 'not a regular file',
};

// Only the error code is reported: a reader's message could, in principle, carry content.
const reason = (err: unknown) => REASONS[String((err as { code?: unknown })?.code)] ?? 'unreadable';

/** A secret is short; a bigger file is a wrong path (a log, /proc/self/environ...), not a secret. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** A file read for a `<key>File`, with the hash of what was read (to notice a rotation). */
export interface SecretFileRead {
  /** The path as opened (resolved against baseDir). */
  path: string;
  sha256: string;
}

export const hashSecret = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex');

/**
 * The production reader: a regular file only (a FIFO or /dev/zero would block or never end; the
 * open is non-blocking so a FIFO cannot hang it), at most MAX_SECRET_FILE_BYTES + 1 bytes read.
 */
export async function readSecretFile(path: string): Promise<string> {
  const fh = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    const buf = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let size = 0;
    while (size < buf.length) {
      const { bytesRead } = await fh.read(buf, size, buf.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buf.subarray(0, size).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** A file holds one secret; the trailing newline that `echo` and editors add is not part of it. */
const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');

/**
 * Resolves every `<key>File` in place. Paths are relative to `baseDir` when given. A list of
 * paths gives a list of values (e.g. two webhook secrets during key rotation).
 * Returns the issues, the contents read (for redaction) and the files read (to watch them).
 * Messages name the key and the file path, never a byte of the content.
 */
export async function resolveFileRefs(
  doc: Document,
  schema: z.ZodType,
  read: ReadSecretFile,
  baseDir?: string,
): Promise<{ issues: LocatedIssue[]; contents: string[]; files: SecretFileRead[] }> {
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
      const field = fields.get(base);
      if (!key.endsWith('File') || !base || (field !== 'leaf' && field !== 'secret')) continue;
      const at = [...path, key];
      const fail = (message: string) => issues.push({ path: formatPath(at), message, segments: at });
      if (field !== 'secret') {
        fail(`only secrets (${secretKeyNames(schema).join(', ')}) can be read from a file; set ${base} in the config or with \${NAME}`);
        continue;
      }
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
  const files: SecretFileRead[] = [];
  await Promise.all(
    jobs.map(async (job) => {
      const values: string[] = [];
      for (const raw of job.paths) {
        const file = baseDir && !isAbsolute(raw) ? resolve(baseDir, raw) : raw;
        let text: string;
        try {
          text = await read(file);
        } catch (err) {
          issues.push({ path: formatPath(job.at), message: `cannot read ${file}: ${reason(err)}`, segments: job.at });
          return;
        }
        // Redacted even when refused: an error elsewhere must not be able to quote it either.
        contents.push(text);
        if (Buffer.byteLength(text, 'utf8') > MAX_SECRET_FILE_BYTES) {
          issues.push({
            path: formatPath(job.at),
            message: `${file} is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB: not a secret file (check the path)`,
            segments: job.at,
          });
          return;
        }
        files.push({ path: file, sha256: hashSecret(text) });
        values.push(trimNewline(text));
      }
      contents.push(...values);
      // Renaming the key node (rather than replacing the pair) keeps its source line for messages.
      job.pair.key.value = job.base;
      job.pair.value = doc.createNode(job.list ? values : values[0]);
    }),
  );
  return { issues, contents, files };
}
