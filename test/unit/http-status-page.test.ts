// The status page as rendered on the server, from plain views: every string from AWS escaped in
// text and in attributes, no inline script or style (the Content-Security-Policy forbids both),
// the filters as the query gave them, the history with each phase against the usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_KINDS } from '../../src/kinds/index.js';
import { countViews } from '../../src/http/resource-query.js';
import { resourceDetailView, resourceView, type ResourceView } from '../../src/http/resource-view.js';
import { esc, PAGE_ROWS, renderErrorPage, renderStatusPage } from '../../src/http/status-page.js';
import { resource, T0 } from '../helpers/resources.js';

const [k1, k2] = ALL_KINDS as [(typeof ALL_KINDS)[number], (typeof ALL_KINDS)[number]];
const HOSTILE = `<img src=x onerror=alert(1)>"'&`;
const check = { runtime: undefined, source: 'discovery' } as const;
const NOW = T0 + 3_600_000;

function views(): ResourceView[] {
  return [
    resourceView(
      resource(k1, {
        id: `arn:aws:x"/><script>alert(2)</script>`,
        name: HOSTILE,
        status: 'CREATE_FAILED',
        statusSince: T0,
        statusDetails: { statusCode: '<CODE>', message: '<a href="javascript:alert(3)">click</a>' },
      }),
      check,
      { tags: { '<k>': '"v"' }, lastTransition: { from: 'CREATE_IN_PROGRESS', to: 'CREATE_FAILED', at: T0 } },
      NOW,
    ),
    resourceView(
      resource(k2, { id: 'arn:ok', name: 'lookalike-us', status: 'CREATE_IN_PROGRESS', statusSince: T0 }),
      check,
      {
        slowerThanUsual: { usualP50Seconds: 600, usualP90Seconds: 1200, samples: 9 },
      },
      NOW,
    ),
  ];
}

function page(filter = {}, rows = views()) {
  return renderStatusPage({
    version: '9.9.9',
    generatedAt: new Date(NOW).toISOString(),
    filter,
    list: { resources: rows, matched: rows.length, counts: countViews(rows), unseen: [] },
  });
}

/** Markup a page must never hold: an element or attribute that runs or styles anything inline. */
function assertNoInlineCode(html: string) {
  // Every `<` of text is escaped, so each `<name ...>` is a real tag; its quoted values are escaped too.
  const tags = [...html.matchAll(/<[a-z][a-z0-9]*\b[^>]*>/gi)].map((m) => m[0]);
  assert.ok(tags.length > 10, 'the page has tags to check');
  for (const tag of tags) {
    const names = tag.replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(names, /\son[a-z]+\s*=/i, `no event handler attribute: ${tag}`);
    assert.doesNotMatch(names, /\sstyle\s*=/i, `no style attribute: ${tag}`);
    assert.doesNotMatch(names, /^<(style|iframe|object|embed|img|base)\b/i, `no such element: ${tag}`);
    for (const m of tag.matchAll(/\s(href|src|action)="([^"]*)"/g)) assert.match(m[2]!, /^\//, `same-origin ${m[1]}: ${tag}`);
    if (/^<script\b/i.test(tag)) assert.equal(tag, '<script src="/static/page.js" defer>', 'only the one script, by src');
  }
  assert.ok((html.match(/<script\b/gi) ?? []).length <= 1);
}

test('esc: the five characters that matter in HTML text and quoted attributes', () => {
  assert.equal(esc(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('the list: AWS text is escaped everywhere; no inline script, style or handler; nothing external', () => {
  const html = page();
  assertNoInlineCode(html);
  assert.ok(html.includes(esc(HOSTILE)), 'the hostile name is there, as text');
  assert.ok(!html.includes('<img'), 'never as an element');
  assert.ok(html.includes('&lt;a href=&quot;javascript:alert(3)&quot;&gt;click&lt;/a&gt;'), 'a link in a message stays text');
  assert.ok(html.includes('&lt;CODE&gt;'));
  assert.ok(html.includes('&lt;k&gt;=&quot;v&quot;'));
  assert.ok(html.includes(`title="arn:aws:x&quot;/&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`), 'ids in attributes too');
  assert.ok(html.includes(`data-id="arn:aws:x&quot;/&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`));
});

test('the list: rows, chips by class, time in status, the slower-than-usual mark, last transition, failure', () => {
  const html = page();
  assert.match(html, /<span class="chip chip-failure">CREATE_FAILED<\/span>/);
  assert.match(
    html,
    /<span class="chip chip-inProgress">CREATE_IN_PROGRESS<\/span> <span class="slow" title="usually 10 min \(p90 20 min, 9 phases\)">slower than usual<\/span>/,
  );
  assert.match(html, /<td class="c-time"><time datetime="[^"]+" title="since [^"]+">1 h<\/time><\/td>/);
  assert.match(html, /CREATE_IN_PROGRESS → CREATE_FAILED<br><time datetime="/);
  assert.match(html, /<table id="resources"[\s\S]*<caption id="caption">2 resources<\/caption>[\s\S]*<th scope="col">Kind<\/th>/);
  assert.match(
    html,
    /<p id="summary" class="summary"><a class="chip chip-failure" href="\/\?class=failure">1 failed<\/a> <a class="chip chip-inProgress" href="\/\?class=inProgress">1 in progress<\/a><\/p>/,
  );
  assert.match(html, /<body data-view="list" data-limit="500" data-kinds="\{&quot;/);
  assert.match(html, /<link rel="stylesheet" href="\/static\/page\.css">/);
});

test('the filters: a labelled GET form holding the query; links keep it', () => {
  const html = page({ q: 'a "b"', kind: k2.kind, class: 'inProgress' });
  assert.match(html, /<form id="filters" class="filters" method="get" action="\/" role="search"/);
  for (const id of ['f-q', 'f-kind', 'f-class']) assert.match(html, new RegExp(`<label for="${id}">`), `label for ${id}`);
  assert.match(html, /<input id="f-q" name="q" type="search" value="a &quot;b&quot;"/);
  assert.match(html, new RegExp(`<option value="${k2.kind}" selected>`));
  assert.match(html, /<option value="inProgress" selected>in progress \(1\)<\/option>/);
  assert.match(html, new RegExp(`href="/\\?id=arn%3Aok&amp;q=a%20%22b%22&amp;kind=${k2.kind}&amp;class=inProgress"`));
});

test('the caption says when rows are cut, and an empty list says why', () => {
  const rows = views();
  const html = renderStatusPage({
    version: '1',
    generatedAt: new Date(NOW).toISOString(),
    filter: {},
    list: { resources: rows.slice(0, 1), matched: PAGE_ROWS + 7, counts: { ...countViews(rows), total: PAGE_ROWS + 9 }, unseen: [] },
  });
  assert.match(html, /<caption id="caption">507 of 509 resources; the first 1 are shown: narrow the filters to see the others<\/caption>/);
  assert.match(page({}, []), /No resource is watched yet\./);
  const none = renderStatusPage({
    version: '1',
    generatedAt: new Date(NOW).toISOString(),
    filter: { q: 'zzz' },
    list: { resources: [], matched: 0, counts: countViews(rows), unseen: [] },
  });
  assert.match(none, /No resource matches these filters\./);
});

test('the history view: each phase from its start, its duration against the usual, the current one so far', () => {
  const s = resource(k1, { name: HOSTILE, status: 'ACTIVE', statusSince: T0 + 600_000, updateTime: T0 + 600_000 });
  const v = resourceDetailView(
    s,
    check,
    {
      history: [
        { status: 'CREATE_PENDING', startedAt: T0, seenAt: T0 + 2000, durationSeconds: 60 },
        {
          status: 'CREATE_IN_PROGRESS',
          startedAt: T0 + 60_000,
          durationSeconds: 540,
          usual: { p50Seconds: 300, p90Seconds: 480 },
          message: '<i>slow</i>',
        },
      ],
    },
    NOW,
  );
  const html = renderStatusPage({ version: '1', generatedAt: new Date(NOW).toISOString(), filter: { kind: k1.kind }, detail: v });
  assertNoInlineCode(html);
  assert.match(html, /<body data-view="detail" data-id="[^"]+"/);
  assert.match(html, /<h2 id="detail-name">&lt;img src=x onerror=alert\(1\)&gt;&quot;&#39;&amp;<\/h2>/);
  assert.match(html, new RegExp(`<a id="back" href="/\\?kind=${k1.kind}">`));
  const phases = [...html.matchAll(/<li class="phase">([\s\S]*?)<\/li>/g)].map((m) => m[1]!);
  assert.equal(phases.length, 3, 'oldest first, the current status last');
  assert.match(phases[0]!, /CREATE_PENDING<\/span> <span class="when">from <time[^>]*>[^<]+<\/time>, seen <time/);
  assert.match(phases[0]!, /<span class="took">took 1 min<\/span>/);
  assert.match(
    phases[1]!,
    /<span class="took">took 9 min \(usually 5 min, p90 8 min\)<\/span> <meter min="0" max="960" low="300" high="480" optimum="0" value="540"/,
  );
  assert.match(phases[1]!, /<div class="why">&lt;i&gt;slow&lt;\/i&gt;<\/div>/);
  assert.match(phases[2]!, /ACTIVE<\/span>[\s\S]*<span class="took">for 50 min so far<\/span>/);
});

test('the error page escapes the message it repeats', () => {
  const html = renderErrorPage(404, `no watched resource has the id "${HOSTILE}"`);
  assertNoInlineCode(html);
  assert.ok(html.includes(esc(HOSTILE)));
  assert.match(html, /<p class="error" role="alert">/);
});
