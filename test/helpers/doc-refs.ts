// What a Markdown document says about the repository: the files and directories it names in
// backticks, its relative links and their #anchors, and the anchors its own headings make. Pure:
// text in, references out; test/unit/docs-paths.test.ts checks them against the checkout.

/** A reference to the repository found in a document, with the line it is on. */
export interface DocRef {
  line: number;
  /** `code`: a path in backticks; `link`: the target of a Markdown link or an HTML href. */
  form: 'code' | 'link';
  /** As written, for messages. */
  text: string;
  /** The path part (no anchor); '' for a link to an anchor of the same document. */
  path: string;
  /** The anchor part of a link, without '#'. */
  anchor?: string;
  /**
   * For a bare file name in backticks (`load.ts`): the other paths its line names (`src/config/`);
   * the name must be a file in one of them, or beside one of them.
   */
  near?: string[];
}

/**
 * Text a path in backticks cannot be: placeholders (`src/kinds/<kind>.ts`, `NN-what.yaml`),
 * globs (`ci/*.yaml`), interpolation (`${NAME}`), options and commands (`--write`, `npm test`).
 */
const NOT_A_PATH = /[<>*{}$\s'"`|,;=()[\]]|^-|\bN{2,}\b/;
/** Extensions of the files a bare name in backticks is taken for (`load.ts`, `values.yaml`). */
const FILE_NAME = /^[\w.-]+\.(ts|mjs|cjs|js|md|tpl|ya?ml|jsonc?|sh)$/;

/** The lines of a document, numbered from 1, each marked as inside a fenced code block or not. */
function lines(text: string): Array<{ line: number; text: string; fenced: boolean }> {
  const out: Array<{ line: number; text: string; fenced: boolean }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(```+|~~~+)/.exec(l);
    if (m) {
      if (!fence) fence = m[1]![0]!;
      else if (m[1]![0] === fence) fence = undefined;
      return;
    }
    out.push({ line: i + 1, text: l, fenced: fence !== undefined });
  });
  return out;
}

/** A path with a slash, relative to the repository (its first segment one of `topLevel`), or undefined. */
function slashedPath(s: string, topLevel: ReadonlySet<string>): string | undefined {
  const p = s.replace(/:\d+(-\d+)?$/, ''); // `src/x.ts:12`
  if (NOT_A_PATH.test(p) || !p.includes('/') || p.startsWith('/') || p.startsWith('..')) return undefined;
  // What an install or a build puts in the checkout is not part of it.
  if (/(^|\/)(node_modules|dist)(\/|$)/.test(p)) return undefined;
  return topLevel.has(p.split('/')[0]!) ? p.replace(/\/$/, '') : undefined;
}

/**
 * The references of one document. `topLevel` holds the names a repository path can start with
 * (the entries of the repository root, and of the document's own directory for a document that
 * names paths relative to itself): other slashed text in backticks (`monitoring.coreos.com/v1`,
 * `/metrics`) is no repository path.
 */
export function docRefs(text: string, topLevel: ReadonlySet<string>): DocRef[] {
  const refs: DocRef[] = [];
  for (const { line, text: l, fenced } of lines(text)) {
    // A command names paths among its words: `node --import tsx --test test/unit/x.test.ts`, and
    // so does a line of a fenced block (headings and links there are not Markdown).
    const words = (s: string) => s.split(/[\s=]+/).map((w) => w.replace(/^[(`'"]+|[)`'",;.:]+$/g, ''));
    if (fenced) {
      for (const w of words(l)) {
        const p = slashedPath(w, topLevel);
        if (p) refs.push({ line, form: 'code', text: w, path: p });
      }
      continue;
    }
    const codes = [...l.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
    const whole = codes.map((c) => slashedPath(c, topLevel)).filter((p) => p !== undefined);
    for (const c of codes) {
      const p = slashedPath(c, topLevel);
      if (p) refs.push({ line, form: 'code', text: c, path: p });
      else if (/\s/.test(c)) {
        for (const w of words(c)) {
          const q = slashedPath(w, topLevel);
          if (q) refs.push({ line, form: 'code', text: w, path: q });
        }
      } else if (FILE_NAME.test(c) && !NOT_A_PATH.test(c)) {
        // A bare name sits beside the paths its line names: `src/config/` (`load.ts`, `schema.ts`).
        refs.push({ line, form: 'code', text: c, path: c, near: [...new Set(whole)] });
      } else if (topLevel.has(c) && c.includes('.')) {
        refs.push({ line, form: 'code', text: c, path: c }); // `package.json`, `.dockerignore`
      }
    }
    // Markdown links and images `[text](target "title")`, reference definitions `[x]: target`, HTML href/src.
    const targets = [
      ...[...l.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...l.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]!),
      ...[...l.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const t of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(t)) continue; // https:, mailto:
      const hash = t.indexOf('#');
      const path = decodeURIComponent(hash >= 0 ? t.slice(0, hash) : t);
      const anchor = hash >= 0 ? decodeURIComponent(t.slice(hash + 1)) : undefined;
      refs.push({ line, form: 'link', text: t, path, ...(anchor !== undefined ? { anchor } : {}) });
    }
  }
  return refs;
}

/**
 * The anchors a document's headings make, as GitHub makes them (github-slugger): the heading's
 * text without Markdown, lower-cased, punctuation dropped, spaces as hyphens, a repeated slug
 * suffixed -1, -2. Explicit `<a id="...">` / `name="..."` anchors count too.
 */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { text: l, fenced } of lines(text)) {
    if (fenced) continue;
    for (const m of l.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (!h) continue;
    const plain = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/[`*]/g, '');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
