// The repository stands on its own: comments and docs cite files in it or public links, never a
// planning document or a tracker entry that a reader of the repository cannot open.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SCANNED = [
  'src',
  'test',
  'bench',
  'docs',
  'helm',
  'config',
  'scripts',
  '.ci',
  'README.md',
  'CONTRIBUTING.md',
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'biome.jsonc',
  '.dependency-cruiser.cjs',
  'knip.ts',
];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);
const TEXT = /\.(ts|mjs|cjs|js|jsonc?|md|ya?ml|tpl|txt|sh)$|^(Dockerfile|run|\.dockerignore|\.helmignore)$/;

/** What a citation of something outside the repository looks like. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bGUID[E]\b/, 'cites a guide that is not in the repository'],
  [/\bissues?\s+#?\d+/i, 'cites an issue number (link the public thread, or say what it established)'],
  [/\bfarm-(studio|bench)\b/, 'names an internal tool'],
];

function files(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { withFileTypes: true }).flatMap((e) => {
    if (SKIP_DIRS.has(e.name)) return [];
    const q = join(p, e.name);
    return e.isDirectory() ? files(q) : TEXT.test(e.name) ? [q] : [];
  });
}

function citations(text: string): Array<{ line: number; why: string }> {
  const found: Array<{ line: number; why: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const [re, why] of FORBIDDEN) if (re.test(l)) found.push({ line: i + 1, why });
  });
  return found;
}

describe('citations', () => {
  it('no file in the repository cites a document or tracker entry outside it', () => {
    const all = SCANNED.flatMap((p) => files(join(ROOT, p))).filter((f) => f !== SELF);
    assert.ok(all.length > 100, `scanned ${all.length} files`);
    const bad = all.flatMap((f) => citations(readFileSync(f, 'utf8')).map((c) => `${relative(ROOT, f)}:${c.line}: ${c.why}`));
    assert.deepEqual(bad, []);
  });

  it('recognises what it forbids and lets public references through', () => {
    // Spelled in two parts so that this file itself cites nothing.
    assert.equal(citations(`// The config contract (${'GUI'}DE §2).`).length, 1);
    assert.equal(citations(`// see ${'iss'}ue 3 §4`).length, 1);
    assert.equal(citations('// Issue #12: ...').length, 1);
    assert.equal(citations('// https://github.com/nodejs/node/issues/1234 explains it').length, 0);
    assert.equal(citations('// RFC 9110 §10.2.3; zod issues carry a path').length, 0);
  });
});
