// The status page's one script. The server renders the whole page (src/http/status-page.ts); this
// keeps it current without a reload: it reads /api/resources (or /api/resources/{id} on a
// resource's page) every 10 s, backing off on errors, and rebuilds the rows with DOM calls into
// the same markup the server writes. Filters apply as they change and stay in the URL
// (history.replaceState), so a link still shows what its sender saw; the API applies them, so
// what a filter means is decided on the server only. Text from AWS is only ever set as text
// (textContent, text nodes, setAttribute), never parsed as HTML. A classic deferred script, not a
// module: a module's request carries an Origin header, which the admin listener refuses.

const body = document.body;
const view = body.dataset.view;

const POLL_MS = 10_000;
const MAX_BACKOFF_MS = 120_000;
const TYPING_MS = 250;
const kindTitles = JSON.parse(body.dataset.kinds || '{}');
const classLabels = JSON.parse(body.dataset.classes || '{}');
const classes = Object.keys(classLabels);

// ---- formatting: the same as src/targets/text.ts -------------------------------------------

/** 45 s, 12 min, 1 h 23 min, 2 d 3 h. */
function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
const seconds = (s) => formatDuration(s * 1000);
const formatTime = (isoText) => `${new Date(Date.parse(isoText)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const kindTitle = (kind) => kindTitles[kind] ?? kind ?? '';

// ---- DOM building ---------------------------------------------------------------------------

/** An element with attributes (set in the order given) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== '') e.append(c);
  return e;
}
const time = (isoText) => el('time', { datetime: isoText }, formatTime(isoText));
const dash = () => el('span', { class: 'none' }, '—');

function queryString(f, id) {
  const p = [];
  if (id !== undefined) p.push(`id=${encodeURIComponent(id)}`);
  if (f.q) p.push(`q=${encodeURIComponent(f.q)}`);
  if (f.kind) p.push(`kind=${f.kind}`);
  if (f.class) p.push(`class=${f.class}`);
  return p.length === 0 ? '' : `?${p.join('&')}`;
}

const chip = (status, cls) => el('span', { class: `chip chip-${cls}` }, status);

function slowMark(v) {
  const s = v.slowerThanUsual;
  if (!s) return [];
  const title = `usually ${seconds(s.usualP50Seconds)} (p90 ${seconds(s.usualP90Seconds)}, ${s.samples} phases)`;
  return [' ', el('span', { class: 'slow', title }, 'slower than usual')];
}

function tagList(tags) {
  const entries = Object.entries(tags || {});
  if (entries.length === 0) return undefined;
  return el('ul', { class: 'tags', 'aria-label': 'tags' }, ...entries.map(([k, val]) => el('li', {}, `${k}=${val}`)));
}

function failureCell(v) {
  const parts = [];
  if (v.failure) {
    const code = v.failure.statusCode !== undefined ? [el('code', {}, v.failure.statusCode), ' '] : [];
    parts.push(el('div', { class: 'why' }, ...code, v.failure.message ?? ''));
  }
  if (v.consecutiveFailures > 0 && v.lastError) {
    parts.push(el('div', { class: 'read-error' }, `reads failing (${v.lastError.outcome}): ${v.lastError.message}`));
  }
  return parts.length === 0 ? [dash()] : parts;
}

/** One row: the same markup as rowHtml() in src/http/status-page.ts. */
function row(v, f) {
  const t = v.lastTransition;
  return el(
    'tr',
    { 'data-id': v.id },
    el('td', { class: 'c-kind' }, kindTitle(v.kind)),
    el('td', { class: 'c-name' }, el('a', { href: `/${queryString(f, v.id)}`, title: v.id }, v.name), tagList(v.tags)),
    el('td', { class: 'c-status' }, chip(v.status, v.statusClass), ...slowMark(v)),
    el('td', { class: 'c-time' }, el('time', { datetime: v.since, title: `since ${formatTime(v.since)}` }, seconds(v.inStatusSeconds))),
    el('td', { class: 'c-transition' }, ...(t ? [`${t.from} → ${t.to}`, el('br'), time(t.at)] : [dash()])),
    el('td', { class: 'c-failure' }, ...failureCell(v)),
  );
}

function captionText(shown, matched, total) {
  const of = matched === total ? `${total} resources` : `${matched} of ${total} resources`;
  return shown < matched ? `${of}; the first ${shown} are shown: narrow the filters to see the others` : of;
}

function summary(c) {
  const links = classes
    .filter((k) => c.byClass[k] > 0)
    .map((k) => el('a', { class: `chip chip-${k}`, href: `/?class=${k}` }, `${c.byClass[k]} ${classLabels[k]}`));
  return links.length === 0 ? ['No resource is watched yet.'] : links.flatMap((a, i) => (i === 0 ? [a] : [' ', a]));
}

function phaseDuration(e, current, inStatusSeconds) {
  const d = current ? inStatusSeconds : e.durationSeconds;
  if (d === undefined) return [el('span', { class: 'took none' }, 'duration not measured')];
  const text = current ? `for ${seconds(d)} so far` : `took ${seconds(d)}`;
  if (!e.usual) return [el('span', { class: 'took' }, text)];
  const u = e.usual;
  const usual = `usually ${seconds(u.p50Seconds)}, p90 ${seconds(u.p90Seconds)}`;
  const meter = el('meter', {
    min: 0,
    max: Math.max(d, u.p90Seconds * 2),
    low: u.p50Seconds,
    high: u.p90Seconds,
    optimum: 0,
    value: d,
    title: `${seconds(d)} against ${usual}`,
  });
  return [el('span', { class: 'took' }, `${text} (${usual})`), ' ', meter];
}

function timeline(v) {
  const history = v.history || [];
  return history.map((e, i) => {
    const current = i === history.length - 1;
    const seen = e.seenAt !== undefined ? [', seen ', time(e.seenAt)] : [];
    const why =
      e.statusCode !== undefined || e.message !== undefined
        ? el('div', { class: 'why' }, ...(e.statusCode !== undefined ? [el('code', {}, e.statusCode), ' '] : []), e.message ?? '')
        : undefined;
    return el(
      'li',
      { class: 'phase' },
      chip(e.status, e.statusClass),
      ' ',
      el('span', { class: 'when' }, 'from ', time(e.startedAt), ...seen),
      ' ',
      ...phaseDuration(e, current, v.inStatusSeconds),
      why,
    );
  });
}

function facts(v) {
  const pair = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  const checked = v.lastCheckedAt ? [time(v.lastCheckedAt), v.lastCheckedVia ? ` (${v.lastCheckedVia})` : ''] : [dash()];
  return [
    ...pair('Kind', kindTitle(v.kind)),
    ...pair('Id', el('code', {}, v.id)),
    ...pair('Status', chip(v.status, v.statusClass), ...slowMark(v), ` for ${seconds(v.inStatusSeconds)}, since `, time(v.since)),
    ...pair('Created', time(v.createTime)),
    ...pair('Updated', time(v.updateTime)),
    ...pair(
      'Last transition',
      ...(v.lastTransition ? [`${v.lastTransition.from} → ${v.lastTransition.to} `, time(v.lastTransition.at)] : [dash()]),
    ),
    ...pair('Last checked', ...checked),
    ...pair('Failure', ...failureCell(v)),
    ...(v.tags ? pair('Tags', tagList(v.tags)) : []),
  ];
}

function unseenItems(unseen) {
  return unseen.map((u) =>
    el(
      'li',
      {},
      el('span', { class: 'kind' }, kindTitle(u.kind ?? '')),
      ' ',
      el('code', {}, u.id),
      ...(u.lastError ? [' ', el('span', { class: 'read-error' }, `${u.lastError.outcome}: ${u.lastError.message}`)] : []),
    ),
  );
}

// ---- the two views ----------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const form = $('filters');

function currentFilter() {
  if (!form) return {};
  const data = new FormData(form);
  const f = {};
  for (const k of ['q', 'kind', 'class']) {
    const v = String(data.get(k) ?? '').trim();
    if (v) f[k] = v;
  }
  return f;
}

function renderList(data) {
  const f = currentFilter();
  const rows = $('rows');
  const resources = data.resources;
  if (resources.length === 0) {
    const text = data.counts.total === 0 ? 'No resource is watched yet.' : 'No resource matches these filters.';
    rows.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: 6 }, text)));
  } else {
    rows.replaceChildren(...resources.map((v) => row(v, f)));
  }
  $('caption').textContent = captionText(resources.length, data.matched, data.counts.total);
  $('summary').replaceChildren(...summary(data.counts));
  for (const o of $('f-kind').options)
    o.textContent = o.value ? `${kindTitle(o.value)} (${data.counts.byKind[o.value] ?? 0})` : `all kinds (${data.counts.total})`;
  for (const o of $('f-class').options) if (o.value) o.textContent = `${classLabels[o.value]} (${data.counts.byClass[o.value] ?? 0})`;
  $('unseen-list').replaceChildren(...unseenItems(data.unseen));
  $('unseen').hidden = data.unseen.length === 0;
  document.title = `cleanroomsml-monitor: ${data.counts.total} resources`;
}

function renderDetail(v) {
  $('detail-name').textContent = v.name;
  $('facts').replaceChildren(...facts(v));
  $('timeline').replaceChildren(...timeline(v));
  document.title = `${v.name}: cleanroomsml-monitor`;
}

function apiUrl() {
  if (view === 'detail') return `/api/resources/${encodeURIComponent(body.dataset.id)}`;
  const qs = queryString(currentFilter());
  return `/api/resources${qs ? `${qs}&` : '?'}limit=${body.dataset.limit}`;
}

// ---- refreshing -------------------------------------------------------------------------------

let timer;
let inflight;
let failures = 0;
const status = $('refresh');

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(refresh, ms);
}

async function reason(res) {
  try {
    const j = await res.json();
    return j && typeof j.error === 'string' ? `: ${j.error}` : '';
  } catch {
    return '';
  }
}

async function refresh() {
  clearTimeout(timer);
  if (document.hidden) return; // visibilitychange refreshes when the page is looked at again
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  try {
    const res = await fetch(apiUrl(), { headers: { accept: 'application/json' }, cache: 'no-store', signal: ctl.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}${await reason(res)}`);
    const data = await res.json();
    if (view === 'detail') renderDetail(data);
    else renderList(data);
    $('updated').replaceChildren('updated ', time(data.generatedAt ?? new Date().toISOString()));
    failures = 0;
    status.textContent = '';
    status.className = '';
    schedule(POLL_MS);
  } catch (err) {
    if (ctl.signal.aborted) return; // a newer request took over
    failures++;
    const delay = Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    status.textContent = `refresh failed (${err.message}); retrying in ${Math.round(delay / 1000)} s`;
    status.className = 'stale';
    schedule(delay);
  } finally {
    if (inflight === ctl) inflight = undefined;
  }
}

/** Filters applied as they change, refreshes on schedule and when the page is looked at again. */
function start() {
  if (form) {
    let typing;
    const apply = () => {
      const qs = queryString(currentFilter());
      history.replaceState(null, '', `/${qs}`);
      refresh();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      apply();
    });
    form.addEventListener('change', apply);
    $('f-q').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(apply, TYPING_MS);
    });
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refresh();
  });
  schedule(POLL_MS);
}

// Only the list and a resource's page refresh (an error page has nothing to keep current).
if (view === 'list' || view === 'detail') start();
