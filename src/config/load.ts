// Config loading: YAML -> ${ENV} -> *File secrets -> zod -> deeply frozen Config.
// Each step reports every problem it finds before stopping, so one run lists them all.
import { readFile as fsReadFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, redactSecrets, type ConfigIssue, type LocatedIssue } from './errors.js';
import { lineOf, parseYaml, type ParsedDocument } from './document.js';
import { interpolate } from './interpolate.js';
import { readSecretFile, resolveFileRefs, type ReadSecretFile, type SecretFileRead } from './fileRefs.js';
import { errorMap, toConfigIssues } from './issues.js';
import { configSchema, type Config } from './schema.js';
import { configWarnings } from './warnings.js';
import { TARGET_SECRET_KEYS } from '../targets/index.js';

export interface ParseConfigOptions {
  env: NodeJS.ProcessEnv;
  /** Reads a `<key>File` secret. Async because loadConfig reads real files. */
  readSecretFile: ReadSecretFile;
  /** Name used in file-level messages (`config.yaml:3:7: ...`). Default `config`. */
  source?: string;
  /** Directory that relative `<key>File` paths start from. Default: passed to readSecretFile as written. */
  baseDir?: string;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => Promise<string>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const SECRET_KEYS = new Set(TARGET_SECRET_KEYS);

/** Values that must never appear in messages: those of a secret key of any target type (url, secret...), whatever their origin. */
function secretValues(data: unknown, out: string[] = []): string[] {
  if (Array.isArray(data)) {
    for (const d of data) secretValues(d, out);
  } else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (SECRET_KEYS.has(k) && typeof v === 'string') out.push(v);
      else if (SECRET_KEYS.has(k) && Array.isArray(v)) out.push(...v.filter((s): s is string => typeof s === 'string'));
      else secretValues(v, out);
    }
  }
  return out;
}

function fail(parsed: ParsedDocument, issues: LocatedIssue[], secrets: string[]): never {
  const located = locate(parsed, issues);
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ConfigError(redactSecrets(located, secrets));
}

// The `<key>File` files each config was built from, for the rotation watcher (src/config/watch-files.ts).
const secretFiles = new WeakMap<object, readonly SecretFileRead[]>();
// What each config deserves a warning about (src/config/warnings.ts), with the lines they are on.
const warningsOf = new WeakMap<object, readonly ConfigIssue[]>();

/** The warnings of a config read by parseConfig or loadConfig (check-config prints them, `run` logs them). */
export function configWarningsOf(config: Config): readonly ConfigIssue[] {
  return warningsOf.get(config) ?? [];
}

function locate(parsed: ParsedDocument, issues: readonly LocatedIssue[]): ConfigIssue[] {
  return issues.map(({ segments, ...issue }) => {
    const line = issue.line ?? (segments ? lineOf(parsed, segments) : undefined);
    return line === undefined ? issue : { ...issue, line };
  });
}

/** The files a config's `<key>File` secrets were read from, with the hash of what was read. */
export function secretFilesOf(config: Config): readonly SecretFileRead[] {
  return secretFiles.get(config) ?? [];
}

/** Parses and validates config text. Throws ConfigError listing every problem found. */
export async function parseConfig(text: string, opts: ParseConfigOptions): Promise<Config> {
  const parsed = parseYaml(text, opts.source ?? 'config');
  const secrets: string[] = [];

  const env = interpolate(parsed.doc, opts.env);
  secrets.push(...env.used);
  if (env.issues.length) fail(parsed, env.issues, secrets);

  const files = await resolveFileRefs(parsed.doc, configSchema, opts.readSecretFile, opts.baseDir);
  secrets.push(...files.contents);
  if (files.issues.length) fail(parsed, files.issues, secrets);

  let data: unknown;
  try {
    // A small alias budget: config files have no need for many, and it stops "billion laughs".
    data = parsed.doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    const what = err instanceof Error ? err.message.split(': ')[0] : 'invalid alias';
    fail(
      parsed,
      [{ path: opts.source ?? 'config', message: `YAML alias problem: ${what}; define the &anchor before using *alias` }],
      secrets,
    );
  }
  secrets.push(...secretValues(data));

  const result = configSchema.safeParse(data, { error: errorMap });
  if (!result.success) fail(parsed, toConfigIssues(configSchema, result.error.issues, data), secrets);
  const config = deepFreeze(result.data);
  secretFiles.set(config, files.files);
  warningsOf.set(config, locate(parsed, configWarnings(config)));
  return config;
}

/** Reads, parses and validates the config file at `path`; `<key>File` paths are relative to its directory. */
export async function loadConfig(path: string, opts: LoadConfigOptions = {}): Promise<Config> {
  const readFile = opts.readFile ?? ((p: string) => fsReadFile(p, 'utf8'));
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    const code = String((err as { code?: unknown })?.code);
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : 'unreadable';
    throw new ConfigError([{ path, message: `cannot read the config file: ${why}` }]);
  }
  return parseConfig(text, {
    env: opts.env ?? process.env,
    readSecretFile: opts.readFile ?? readSecretFile,
    source: path,
    baseDir: dirname(resolve(path)),
  });
}
