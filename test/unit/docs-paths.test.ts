// Docs stay true to the tree: every repository path that README.md, CONTRIBUTING.md, docs/ and the
// chart's README name in backticks exists, every relative link leads to a file that exists, and
// every #anchor to a heading that does.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type DocRef, docRefs, headingAnchors } from '../helpers/doc-refs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Not part of the checkout: installed, built, or git's own. */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

/**
 * Names the docs give in backticks that are not repository files: the files the daemon writes in
 * its state directory, and the key the chart's ConfigMap gives the config file.
 */
const NOT_IN_THE_REPOSITORY = new Set(['state.json', 'shard-layout.json', 'config.yaml']);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP_DIRS.has(e.name)) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

const ALL = walk(ROOT);
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...ALL.filter((f) => f.startsWith(join(ROOT, 'docs/')) && f.endsWith('.md')).map((f) => relative(ROOT, f)),
  'helm/cleanroomsml-monitor/README.md',
];
const ROOT_ENTRIES = new Set(readdirSync(ROOT).filter((n) => !SKIP_DIRS.has(n)));

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** What is wrong with one reference of `doc`, or undefined when it holds. */
function problem(doc: string, ref: DocRef, anchorsOf: (file: string) => Set<string>): string | undefined {
  const docDir = dirname(join(ROOT, doc));
  if (ref.form === 'link') {
    const target = ref.path === '' ? join(ROOT, doc) : join(docDir, ref.path);
    if (!existsSync(target)) return `links to ${ref.path}, which does not exist`;
    if (ref.anchor === undefined || ref.anchor === '') return undefined;
    const md = isDir(target) ? join(target, 'README.md') : target;
    if (!md.endsWith('.md') || !existsSync(md)) return undefined; // a line anchor of a source file: GitHub's own
    return anchorsOf(md).has(ref.anchor) ? undefined : `links to #${ref.anchor}, which no heading of ${relative(ROOT, md)} makes`;
  }
  if (ref.near !== undefined) {
    if (NOT_IN_THE_REPOSITORY.has(ref.path)) return undefined;
    const named = (f: string) => basename(f) === ref.path;
    if (ref.near.length === 0) return ALL.some(named) ? undefined : `names ${ref.path}, which no file of the repository is called`;
    // Each path of the line stands for its directory (a file stands for the one it is in).
    const within = ref.near.map((d) => (isDir(join(ROOT, d)) ? join(ROOT, d) : dirname(join(ROOT, d))));
    return ALL.some((f) => named(f) && within.some((d) => f.startsWith(`${d}/`)))
      ? undefined
      : `names ${ref.path} beside ${ref.near.join(', ')}, where no file is called that (give its path)`;
  }
  const first = ref.path.split('/')[0]!;
  const base = ROOT_ENTRIES.has(first) ? ROOT : docDir;
  return existsSync(join(base, ref.path)) ? undefined : `names ${ref.path}, which does not exist`;
}

describe('paths named in the docs', () => {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (file: string) => {
    let a = anchorCache.get(file);
    if (!a) anchorCache.set(file, (a = headingAnchors(readFileSync(file, 'utf8'))));
    return a;
  };
  const found = DOCS.map((doc) => {
    const own = new Set(readdirSync(dirname(join(ROOT, doc))));
    return { doc, refs: docRefs(readFileSync(join(ROOT, doc), 'utf8'), new Set([...ROOT_ENTRIES, ...own])) };
  });

  it('every path, link and anchor the docs name exists', () => {
    const bad = found.flatMap(({ doc, refs }) =>
      refs.flatMap((r) => {
        const p = problem(doc, r, anchorsOf);
        return p ? [`${doc}:${r.line}: \`${r.text}\` ${p}`] : [];
      }),
    );
    assert.deepEqual(bad, []);
  });

  it('finds enough of them to mean something (so the check above can fail)', () => {
    const all = found.flatMap((f) => f.refs);
    const count = (pred: (r: DocRef) => boolean) => all.filter(pred).length;
    assert.ok(DOCS.length >= 15, `${DOCS.length} documents`);
    assert.ok(count((r) => r.form === 'code' && r.near === undefined) >= 120, `${count((r) => r.form === 'code')} paths in backticks`);
    assert.ok(count((r) => r.near !== undefined && r.near.length > 0) >= 20, 'bare file names beside their directory');
    assert.ok(count((r) => r.form === 'link') >= 40, `${count((r) => r.form === 'link')} relative links`);
    assert.ok(count((r) => r.anchor !== undefined && r.anchor !== '') >= 10, 'links with an anchor');
  });
});

describe('docRefs and headingAnchors', () => {
  const top = new Set(['src', 'docs', 'package.json', 'helm']);

  it('takes paths in backticks whose first segment is in the repository, and leaves other text alone', () => {
    const refs = docRefs(
      [
        'See `src/poll/plan.ts` and `docs/` and `package.json`; `src/x.ts:12` too.',
        'Not paths: `monitoring.coreos.com/v1`, `/metrics`, `src/kinds/<kind>.ts`, `npm test`, `ci/*.yaml`, `--write`, `src/node_modules/x`.',
        'A command names some: `node --import tsx --test src/a.test.ts` (`NNNN-title.md` is a pattern).',
        '```sh',
        'node --import tsx src/in-a-block.ts --out=docs/x.md dist/cli.js',
        '```',
      ].join('\n'),
      top,
    );
    assert.deepEqual(
      refs.map((r) => [r.line, r.path]),
      [
        [1, 'src/poll/plan.ts'],
        [1, 'docs'],
        [1, 'package.json'],
        [1, 'src/x.ts'],
        [3, 'src/a.test.ts'],
        [5, 'src/in-a-block.ts'],
        [5, 'docs/x.md'],
      ],
    );
  });

  it('places a bare file name beside the directories its line names', () => {
    const [dir, a, b] = docRefs('| config | ... | `src/config/` (`load.ts`, `check.ts`) |', top);
    assert.equal(dir!.path, 'src/config');
    assert.deepEqual([a!.path, a!.near], ['load.ts', ['src/config']]);
    assert.deepEqual([b!.path, b!.near], ['check.ts', ['src/config']]);
    assert.deepEqual(docRefs('the `state.json` checkpoint', top)[0]!.near, []);
  });

  it('takes relative links with their anchors, and leaves URLs alone', () => {
    const refs = docRefs('[a](decisions/0001-x.md) [b](#layers) [c](deploy.md#5-rolling-back) [d](https://x.io/a.md) [e](mailto:x@y)', top);
    assert.deepEqual(
      refs.map((r) => [r.path, r.anchor]),
      [
        ['decisions/0001-x.md', undefined],
        ['', 'layers'],
        ['deploy.md', '5-rolling-back'],
      ],
    );
  });

  it('makes the anchors GitHub makes', () => {
    const a = headingAnchors(
      [
        '## 5. Rolling back',
        '### Metrics at 10,000 jobs and peak RSS: both met',
        '## `npm test` (lint included)',
        '## Layers and what may import what',
        '## Layers and what may import what',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(
      [...a],
      [
        '5-rolling-back',
        'metrics-at-10000-jobs-and-peak-rss-both-met',
        'npm-test-lint-included',
        'layers-and-what-may-import-what',
        'layers-and-what-may-import-what-1',
      ],
    );
  });

  it('reports a missing file, a bare name in the wrong directory and a missing anchor', () => {
    const doc = 'docs/x.md';
    const none = () => new Set<string>();
    const refs = docRefs(
      '`src/nowhere.ts` beside `src/config/` (`check.ts`); [gone](gone.md) [anchor](architecture.md#no-such-heading)',
      new Set([...ROOT_ENTRIES, 'architecture.md']),
    );
    assert.deepEqual(
      refs.map((r) => problem(doc, r, none)),
      [
        'names src/nowhere.ts, which does not exist',
        undefined,
        'names check.ts beside src/nowhere.ts, src/config, where no file is called that (give its path)',
        'links to gone.md, which does not exist',
        'links to #no-such-heading, which no heading of docs/architecture.md makes',
      ],
    );
  });
});
