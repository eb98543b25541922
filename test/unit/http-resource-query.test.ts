// The filters of the status page and /api/resources: parsed strictly (every mistake named), and
// what each selects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_KINDS, STATUS_CLASSES } from '../../src/kinds/index.js';
import { countViews, matches, MAX_Q, parseQuery, queryString, select } from '../../src/http/resource-query.js';
import { resourceView } from '../../src/http/resource-view.js';
import { resource, T0 } from '../helpers/resources.js';

const [k1, k2] = ALL_KINDS as [(typeof ALL_KINDS)[number], (typeof ALL_KINDS)[number]];
const view = (kind: typeof k1, over: Parameters<typeof resource>[1], tags?: Record<string, string>) =>
  resourceView(resource(kind, { statusSince: T0, ...over }), { runtime: undefined, source: 'discovery' }, tags ? { tags } : {}, T0);

test('parseQuery: filters, empty values as none, + as a space, percent-decoding', () => {
  const r = parseQuery(`q=fraud+model%20v7&kind=${k1.kind}&class=failure`, ['q', 'kind', 'class']);
  assert.deepEqual(r, { ok: true, value: { filter: { q: 'fraud model v7', kind: k1.kind, class: 'failure' } } });
  assert.deepEqual(
    parseQuery('q=&kind=&class=', ['q', 'kind', 'class']),
    { ok: true, value: { filter: {} } },
    'what an untouched GET form sends',
  );
  assert.deepEqual(parseQuery('', ['q']), { ok: true, value: { filter: {} } });
  assert.deepEqual(parseQuery('id=arn%3Aaws%3Ax%2Fy%23v', ['id']), { ok: true, value: { filter: {}, id: 'arn:aws:x/y#v' } });
  assert.deepEqual(parseQuery('limit=25', ['limit']), { ok: true, value: { filter: {}, limit: 25 } });
  for (const c of STATUS_CLASSES) assert.equal(parseQuery(`class=${c}`, ['class']).ok, true, c);
});

test('parseQuery: every mistake is an error that names it', () => {
  const cases: Array<[string, readonly ('q' | 'kind' | 'class' | 'id' | 'limit')[], RegExp]> = [
    ['status=ACTIVE', ['q', 'kind', 'class'], /unknown query parameter "status"; this path takes q, kind, class/],
    ['q=a', [], /unknown query parameter "q"/],
    ['q=a&q=b', ['q'], /q given twice/],
    ['q=%ZZ', ['q'], /malformed percent-encoding in the query: "q=%ZZ"/],
    ['q=%C3', ['q'], /malformed percent-encoding/],
    ['kind=job', ['kind'], /unknown kind "job"; kinds: audienceGenerationJob, /],
    ['class=red', ['class'], /unknown class "red"; classes: success, failure, inProgress, other/],
    [`q=${'x'.repeat(MAX_Q + 1)}`, ['q'], new RegExp(`q is longer than ${MAX_Q} characters`)],
    ['limit=0', ['limit'], /limit must be a whole number from 1 to 100000, not "0"/],
    ['limit=1.5', ['limit'], /limit must be a whole number/],
    ['limit=-3', ['limit'], /limit must be a whole number/],
    ['limit=99999999', ['limit'], /limit must be a whole number/],
  ];
  for (const [search, accepted, error] of cases) {
    const r = parseQuery(search, accepted);
    assert.equal(r.ok, false, search);
    if (!r.ok) assert.match(r.error, error, search);
  }
});

test('matches: kind, class and every word of q (any case) over kind, name, id, status, failure and tags', () => {
  const failed = view(
    k1,
    { name: 'Fraud-Model-v7', status: 'CREATE_FAILED', statusDetails: { statusCode: 'QUOTA_HIT', message: 'Too many jobs' } },
    { team: 'risk' },
  );
  const active = view(k2, { name: 'lookalike-us', status: 'ACTIVE' });
  assert.equal(matches(failed, { kind: k1.kind }), true);
  assert.equal(matches(failed, { kind: k2.kind }), false);
  assert.equal(matches(failed, { class: 'failure' }), true);
  assert.equal(matches(active, { class: 'failure' }), false);
  for (const q of ['fraud', 'MODEL v7', 'quota_hit', 'too many', 'team=risk', 'risk', failed.id.slice(-12), 'create_failed', k1.title])
    assert.equal(matches(failed, { q }), true, q);
  for (const q of ['fraud lookalike', 'team=growth', 'ACTIVE']) assert.equal(matches(failed, { q }), false, q);
  assert.equal(matches(failed, { q: 'fraud', kind: k1.kind, class: 'success' }), false, 'filters combine by AND');
});

test('select and countViews: the first `limit` in order, how many matched, counts before filtering', () => {
  const views = [
    view(k1, { id: 'a', status: 'ACTIVE' }),
    view(k1, { id: 'b', status: 'CREATE_FAILED' }),
    view(k2, { id: 'c', status: 'CREATE_FAILED' }),
    view(k2, { id: 'd', status: 'CREATE_IN_PROGRESS' }),
  ];
  const s = select(views, { class: 'failure' }, 1);
  assert.deepEqual(
    s.resources.map((v) => v.id),
    ['b'],
  );
  assert.equal(s.matched, 2);
  assert.equal(select(views, {}).resources.length, 4);
  assert.deepEqual(countViews(views), {
    total: 4,
    byClass: { success: 1, failure: 2, inProgress: 1, other: 0 },
    byKind: { [k1.kind]: 2, [k2.kind]: 2 },
  });
});

test('queryString: what parseQuery reads back', () => {
  const f = { q: 'a b&c=d#e', kind: k1.kind, class: 'inProgress' as const };
  const id = 'arn:aws:cleanrooms-ml:us-east-1:1:x/y#version=1';
  const qs = queryString(f, id);
  assert.equal(qs.startsWith('?id='), true);
  assert.deepEqual(parseQuery(qs.slice(1), ['q', 'kind', 'class', 'id']), { ok: true, value: { filter: f, id } });
  assert.equal(queryString({}), '');
});
