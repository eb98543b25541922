// The status page (`GET /` on the admin listener), rendered on the server as complete HTML from
// the resource views and the query: it works without JavaScript (the filters are a GET form), and
// /static/page.js then keeps it current from /api/resources, building the same markup with DOM
// calls (test/e2e/status-page.test.ts checks both agree). Pure. Every string that reaches the
// page from AWS (names, ids, statuses, messages, tags: any member of a collaboration writes them)
// goes through `esc`; the page has no inline script or style, so the Content-Security-Policy can
// forbid both.
import { KINDS, KIND_NAMES, STATUS_CLASSES, type StatusClass } from '../kinds/index.js';
import { formatDuration, formatTime } from '../targets/text.js';
import { countViews, queryString, type Counts, type ResourceFilter } from './resource-query.js';
import type { HistoryEntryView, ResourceView, UnseenResourceView } from './resource-view.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML, inside elements and quoted attributes alike. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** How each class reads on the page, in the order of STATUS_CLASSES (the script lists them in this order). */
export const CLASS_LABELS: Record<StatusClass, string> = {
  success: 'active',
  failure: 'failed',
  inProgress: 'in progress',
  other: 'other',
};

/** Rows a page shows at most; the caption says how many more match. The script asks the API for as many. */
export const PAGE_ROWS = 500;

const kindTitle = (kind: string): string => (KINDS as Record<string, { title: string } | undefined>)[kind]?.title ?? kind;
const time = (isoText: string) => `<time datetime="${esc(isoText)}">${esc(formatTime(Date.parse(isoText)))}</time>`;
const seconds = (s: number) => formatDuration(s * 1000);
const dash = '<span class="none">—</span>';

function chip(status: string, cls: StatusClass): string {
  return `<span class="chip chip-${cls}">${esc(status)}</span>`;
}

function slowMark(v: ResourceView): string {
  const s = v.slowerThanUsual;
  if (!s) return '';
  const title = `usually ${seconds(s.usualP50Seconds)} (p90 ${seconds(s.usualP90Seconds)}, ${s.samples} phases)`;
  return ` <span class="slow" title="${esc(title)}">slower than usual</span>`;
}

function tagList(tags: Record<string, string> | undefined): string {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return '';
  return `<ul class="tags" aria-label="tags">${entries.map(([k, v]) => `<li>${esc(k)}=${esc(v)}</li>`).join('')}</ul>`;
}

function failureText(v: ResourceView): string {
  const parts: string[] = [];
  if (v.failure) {
    const code = v.failure.statusCode !== undefined ? `<code>${esc(v.failure.statusCode)}</code> ` : '';
    parts.push(`<div class="why">${code}${esc(v.failure.message ?? '')}</div>`);
  }
  if (v.consecutiveFailures > 0 && v.lastError) {
    parts.push(`<div class="read-error">reads failing (${esc(v.lastError.outcome)}): ${esc(v.lastError.message)}</div>`);
  }
  return parts.length === 0 ? dash : parts.join('');
}

/** One row of the table (page.js `row()` builds the same). */
export function rowHtml(v: ResourceView, f: ResourceFilter): string {
  const t = v.lastTransition;
  return [
    `<tr data-id="${esc(v.id)}">`,
    `<td class="c-kind">${esc(kindTitle(v.kind))}</td>`,
    `<td class="c-name"><a href="/${esc(queryString(f, v.id))}" title="${esc(v.id)}">${esc(v.name)}</a>${tagList(v.tags)}</td>`,
    `<td class="c-status">${chip(v.status, v.statusClass)}${slowMark(v)}</td>`,
    `<td class="c-time"><time datetime="${esc(v.since)}" title="since ${esc(formatTime(Date.parse(v.since)))}">${esc(seconds(v.inStatusSeconds))}</time></td>`,
    `<td class="c-transition">${t ? `${esc(t.from)} → ${esc(t.to)}<br>${time(t.at)}` : dash}</td>`,
    `<td class="c-failure">${failureText(v)}</td>`,
    '</tr>',
  ].join('');
}

/** The table's caption (page.js `caption()` writes the same). */
export function captionText(shown: number, matched: number, total: number): string {
  const of = matched === total ? `${total} resources` : `${matched} of ${total} resources`;
  return shown < matched ? `${of}; the first ${shown} are shown: narrow the filters to see the others` : of;
}

export interface PageInput {
  version: string;
  /** When the views were made (ISO). */
  generatedAt: string;
  filter: ResourceFilter;
  /** The list view: the rows to show, how many matched, the counts before filtering. */
  list?: { resources: readonly ResourceView[]; matched: number; counts: Counts; unseen: readonly UnseenResourceView[] };
  /** The history view of one resource. */
  detail?: ResourceView;
}

/** What the script needs to write what the server writes: each kind's title and each class's label. */
const SCRIPT_DATA = `data-kinds="${esc(JSON.stringify(Object.fromEntries(KIND_NAMES.map((k) => [k, KINDS[k].title]))))}" data-classes="${esc(JSON.stringify(CLASS_LABELS))}"`;

/** The document's start up to its <body>: the same for every page; `script` loads the page's one script. */
function documentHead(title: string, script: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/page.css">
${script ? '<script src="/static/page.js" defer></script>\n' : ''}</head>
`;
}

function shell(input: PageInput, title: string, body: string, data: string): string {
  return `${documentHead(title, true)}<body ${data} ${SCRIPT_DATA}>
<header class="top">
<h1><a href="/">cleanroomsml-monitor</a></h1>
<p class="meta"><span>${esc(input.version)}</span> · <span id="updated">updated ${time(input.generatedAt)}</span> <span id="refresh" role="status" aria-live="polite"></span></p>
</header>
<main>
${body}
</main>
<footer><p>JSON: <a href="/api/resources">/api/resources</a> · <a href="/api/outbox">/api/outbox</a></p></footer>
</body>
</html>
`;
}

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
}

function filters(f: ResourceFilter, c: Counts): string {
  const kinds = KIND_NAMES.map((k) => option(k, `${KINDS[k].title} (${c.byKind[k] ?? 0})`, f.kind === k)).join('');
  const classes = STATUS_CLASSES.map((k) => option(k, `${CLASS_LABELS[k]} (${c.byClass[k]})`, f.class === k)).join('');
  return `<form id="filters" class="filters" method="get" action="/" role="search" aria-label="Filter resources">
<label for="f-q">Search</label>
<input id="f-q" name="q" type="search" value="${esc(f.q ?? '')}" maxlength="200" placeholder="name, id, status, message, tag" autocomplete="off">
<label for="f-kind">Kind</label>
<select id="f-kind" name="kind">${option('', `all kinds (${c.total})`, f.kind === undefined)}${kinds}</select>
<label for="f-class">Status</label>
<select id="f-class" name="class">${option('', 'all statuses', f.class === undefined)}${classes}</select>
<button type="submit">Apply</button>
<a href="/">Clear</a>
</form>`;
}

/** The counts line (page.js `summary()` builds the same). */
export function summaryHtml(c: Counts): string {
  const parts = STATUS_CLASSES.filter((k) => c.byClass[k] > 0).map(
    (k) => `<a class="chip chip-${k}" href="/?class=${k}">${c.byClass[k]} ${esc(CLASS_LABELS[k])}</a>`,
  );
  return parts.length === 0 ? 'No resource is watched yet.' : parts.join(' ');
}

function unseenHtml(unseen: readonly UnseenResourceView[]): string {
  const items = unseen.map((u) => {
    const err = u.lastError ? ` <span class="read-error">${esc(u.lastError.outcome)}: ${esc(u.lastError.message)}</span>` : '';
    return `<li><span class="kind">${esc(kindTitle(u.kind ?? ''))}</span> <code>${esc(u.id)}</code>${err}</li>`;
  });
  return `<section id="unseen" aria-labelledby="unseen-h"${unseen.length === 0 ? ' hidden' : ''}>
<h2 id="unseen-h">Watched, not read yet</h2>
<ul id="unseen-list">${items.join('')}</ul>
</section>`;
}

function listBody(input: PageInput, list: NonNullable<PageInput['list']>): string {
  const rows =
    list.resources.length === 0
      ? `<tr class="empty"><td colspan="6">${list.counts.total === 0 ? 'No resource is watched yet.' : 'No resource matches these filters.'}</td></tr>`
      : list.resources.map((v) => rowHtml(v, input.filter)).join('\n');
  return `${filters(input.filter, list.counts)}
<p id="summary" class="summary">${summaryHtml(list.counts)}</p>
<table id="resources" class="resources">
<caption id="caption">${esc(captionText(list.resources.length, list.matched, list.counts.total))}</caption>
<thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">In status</th><th scope="col">Last transition</th><th scope="col">Failure</th></tr></thead>
<tbody id="rows">
${rows}
</tbody>
</table>
${unseenHtml(list.unseen)}`;
}

/** How long a phase took, against the usual (page.js `phaseDuration()` writes the same). */
function phaseDuration(e: HistoryEntryView, current: boolean, inStatusSeconds: number): string {
  const d = current ? inStatusSeconds : e.durationSeconds;
  if (d === undefined) return '<span class="took none">duration not measured</span>';
  const text = current ? `for ${seconds(d)} so far` : `took ${seconds(d)}`;
  if (!e.usual) return `<span class="took">${esc(text)}</span>`;
  const u = e.usual;
  const usual = `usually ${seconds(u.p50Seconds)}, p90 ${seconds(u.p90Seconds)}`;
  const max = Math.max(d, u.p90Seconds * 2);
  return `<span class="took">${esc(text)} (${esc(usual)})</span> <meter min="0" max="${max}" low="${u.p50Seconds}" high="${u.p90Seconds}" optimum="0" value="${d}" title="${esc(`${seconds(d)} against ${usual}`)}"></meter>`;
}

/** The history, oldest first (page.js `timeline()` builds the same). */
export function timelineHtml(v: ResourceView): string {
  const history = v.history ?? [];
  return history
    .map((e, i) => {
      const current = i === history.length - 1;
      const seen = e.seenAt !== undefined ? `, seen ${time(e.seenAt)}` : '';
      const why =
        e.statusCode !== undefined || e.message !== undefined
          ? `<div class="why">${e.statusCode !== undefined ? `<code>${esc(e.statusCode)}</code> ` : ''}${esc(e.message ?? '')}</div>`
          : '';
      return `<li class="phase">${chip(e.status, e.statusClass)} <span class="when">from ${time(e.startedAt)}${seen}</span> ${phaseDuration(e, current, v.inStatusSeconds)}${why}</li>`;
    })
    .join('\n');
}

/** The facts of one resource (page.js `facts()` builds the same). */
export function factsHtml(v: ResourceView): string {
  const row = (term: string, value: string) => `<dt>${esc(term)}</dt><dd>${value}</dd>`;
  const rows = [
    row('Kind', esc(kindTitle(v.kind))),
    row('Id', `<code>${esc(v.id)}</code>`),
    row('Status', `${chip(v.status, v.statusClass)}${slowMark(v)} for ${esc(seconds(v.inStatusSeconds))}, since ${time(v.since)}`),
    row('Created', time(v.createTime)),
    row('Updated', time(v.updateTime)),
    row(
      'Last transition',
      v.lastTransition ? `${esc(v.lastTransition.from)} → ${esc(v.lastTransition.to)} ${time(v.lastTransition.at)}` : dash,
    ),
    row('Last checked', v.lastCheckedAt ? `${time(v.lastCheckedAt)}${v.lastCheckedVia ? ` (${esc(v.lastCheckedVia)})` : ''}` : dash),
    row('Failure', failureText(v)),
  ];
  if (v.tags) rows.push(row('Tags', tagList(v.tags)));
  return rows.join('');
}

function detailBody(input: PageInput, v: ResourceView): string {
  return `<p><a id="back" href="/${esc(queryString(input.filter))}">← all resources</a></p>
<article id="detail" aria-labelledby="detail-name">
<h2 id="detail-name">${esc(v.name)}</h2>
<dl id="facts" class="facts">${factsHtml(v)}</dl>
<h3 id="timeline-h">History</h3>
<ol id="timeline" class="timeline" aria-labelledby="timeline-h">
${timelineHtml(v)}
</ol>
</article>`;
}

/** The whole page: the list, or (with `detail`) one resource and its history. */
export function renderStatusPage(input: PageInput): string {
  if (input.detail) {
    const v = input.detail;
    return shell(input, `${v.name}: cleanroomsml-monitor`, detailBody(input, v), `data-view="detail" data-id="${esc(v.id)}"`);
  }
  const list = input.list ?? { resources: [], matched: 0, counts: countViews([]), unseen: [] };
  return shell(
    input,
    `cleanroomsml-monitor: ${list.counts.total} resources`,
    listBody(input, list),
    `data-view="list" data-limit="${PAGE_ROWS}"`,
  );
}

/** A short page for a request the page cannot answer (a bad filter, an unknown id). */
export function renderErrorPage(status: number, message: string): string {
  return `${documentHead(`${status}: cleanroomsml-monitor`, false)}<body data-view="error">
<header class="top"><h1><a href="/">cleanroomsml-monitor</a></h1></header>
<main>
<p class="error" role="alert">${esc(message)}</p>
<p><a href="/">← all resources</a></p>
</main>
</body>
</html>
`;
}
