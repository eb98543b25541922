// YAML text -> a yaml Document whose root is a mapping, with errors that name file:line:col.
// The Document (not plain JS) is kept so later steps know scalar styles and source lines.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigIssue, type PathSegment } from './errors.js';

export interface ParsedDocument {
  doc: Document;
  lines: LineCounter;
}

// What to do about each yaml error code; yaml's own text says what is wrong, this says how to fix it.
const HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping; remove or merge the repeated key',
  BAD_INDENT: 'indent every key of one mapping (or item of one list) by the same number of spaces',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: 'close the quote or bracket',
  BLOCK_AS_IMPLICIT_KEY: 'quote values that contain ": "',
  MULTIPLE_DOCS: 'keep a single document (remove the second ---)',
  UNEXPECTED_TOKEN: 'check quoting and indentation here; quote values that start with a special character',
  BAD_SCALAR_START: 'quote this value',
};

/** Parses `text`; throws ConfigError for syntax errors, an empty file or a non-mapping root. */
export function parseYaml(text: string, source: string): ParsedDocument {
  const lines = new LineCounter();
  // prettyErrors: false keeps yaml from appending the offending source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: ConfigIssue[] = doc.errors.slice(0, 5).map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      // Messages such as "Invalid escape sequence \x" quote a few source characters: keep only fixed text.
      let what = e.code === 'BAD_DQ_ESCAPE' ? 'invalid escape sequence in a double-quoted string' : e.message.split(': ')[0];
      // Naming the repeated key saves a search; keys are identifiers, not secrets.
      const key = /^[\w.-]{1,40}(?=\s*:)/.exec(text.slice(e.pos[0]))?.[0];
      if (e.code === 'DUPLICATE_KEY' && key) what = `duplicate key ${key}`;
      const hint = (Object.hasOwn(HINTS, e.code) ? HINTS[e.code] : undefined) ?? 'fix the YAML syntax at this position';
      return { path: `${source}:${line}:${col}`, message: `YAML syntax error: ${what}; ${hint}`, line };
    });
    throw new ConfigError(issues);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    throw new ConfigError([
      { path: source, message: 'the file is empty; it must be a YAML mapping with at least jobs: or discovery: (see config/example.yaml)' },
    ]);
  }
  if (!isMap(root)) {
    const got = isSeq(root) ? 'a list' : 'a single value';
    const line = root.range ? lines.linePos(root.range[0]).line : undefined;
    throw new ConfigError([
      { path: source, message: `the top level must be a mapping of keys (aws:, jobs:, ...), not ${got}`, ...(line ? { line } : {}) },
    ]);
  }
  return { doc, lines };
}

/** Calls `fn` for every node with its field path (mapping keys, list indices). Aliases are skipped. */
export function walk(
  node: unknown,
  path: PathSegment[],
  fn: (node: Node, path: PathSegment[], parent: Node | undefined) => void,
  parent?: Node,
): void {
  if (isMap(node)) {
    fn(node, path, parent);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      walk(pair.value, [...path, key], fn, node);
    }
  } else if (isSeq(node)) {
    fn(node, path, parent);
    node.items.forEach((item, i) => {
      walk(item, [...path, i], fn, node);
    });
  } else if (isScalar(node)) {
    fn(node, path, parent);
  }
}

/**
 * The 1-based line of the field at `path` (the key's line for mapping entries), or of the
 * deepest existing part of it. A key renamed from `<key>File` keeps its original line.
 */
export function lineOf({ doc, lines }: ParsedDocument, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
