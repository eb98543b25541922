// Routing by AWS tags, pure: a target with a selector takes what its tags match (a value, a list:
// any of them, '*': the key with any value; every key must match), a target without one is not
// concerned, a fallback takes only what no selector target took, and the filters before tags
// (kinds, statuses...) still apply by AND. Event ids do not depend on tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type RoutableTarget } from '../../src/notify/route.js';
import { matchesTagSelector } from '../../src/config/tag-selector.js';
import { takeByTags } from '../../src/notify/tag-route.js';
import { T0, change } from '../helpers/notify-fixtures.js';

const opts = { notifyOnFirstSeenTerminal: false, now: T0 };
const TARGETS: RoutableTarget[] = [
  { name: 'growth', tags: { team: 'growth' } },
  { name: 'risk', tags: { team: ['risk', 'fraud'] } },
  { name: 'finance', tags: { 'cost-center': '*' } },
  { name: 'catch-all', fallback: true },
  { name: 'audit' },
];
const tagged = (tags: Record<string, string> | undefined) => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE');
  return { ...t, snapshot: { ...t.snapshot, ...(tags ? { tags } : {}) } };
};
const who = (tags: Record<string, string> | undefined, targets = TARGETS) => route([tagged(tags)], targets, opts).map((e) => e.target);

test('each team gets its own; a list is any of its values; * any value of a present key', () => {
  assert.deepEqual(who({ team: 'growth' }), ['growth', 'audit']);
  assert.deepEqual(who({ team: 'fraud' }), ['risk', 'audit']);
  assert.deepEqual(who({ team: 'risk', 'cost-center': '' }), ['risk', 'finance', 'audit'], "'*' matches an empty value too");
  assert.deepEqual(who({ team: 'Growth' }), ['catch-all', 'audit'], 'values compare exactly, as AWS keeps them');
});

test('fallback: what no selector target took, including resources whose tags are not known', () => {
  assert.deepEqual(who({ team: 'data' }), ['catch-all', 'audit']);
  assert.deepEqual(who({}), ['catch-all', 'audit']);
  assert.deepEqual(who(undefined), ['catch-all', 'audit']);
  // A selector target that matches the tags but not the status does not take it from the fallback.
  const targets: RoutableTarget[] = [
    { name: 'growth', tags: { team: 'growth' }, statuses: ['CREATE_FAILED'] },
    { name: 'catch-all', fallback: true },
  ];
  assert.deepEqual(who({ team: 'growth' }, targets), ['catch-all']);
});

test('tags AND the other filters; the event id is the same whoever takes it', () => {
  const targets: RoutableTarget[] = [
    { name: 'risk', tags: { team: 'risk' }, kinds: ['trainedModel'] },
    { name: 'catch-all', fallback: true },
  ];
  assert.deepEqual(who({ team: 'risk' }, targets), ['catch-all'], 'an audience generation job is not a trained model');
  const [a] = route([tagged({ team: 'growth' })], [{ name: 'x' }], opts);
  const [b] = route([tagged({ team: 'risk' })], [{ name: 'x' }], opts);
  assert.equal(a!.id, b!.id);
});

test('selectors: every key must match; a key absent fails, own keys only', () => {
  assert.equal(matchesTagSelector({ team: 'a', env: ['prod', 'stage'] }, { team: 'a', env: 'stage' }), true);
  assert.equal(matchesTagSelector({ team: 'a', env: ['prod'] }, { team: 'a' }), false);
  assert.equal(matchesTagSelector({ toString: '*' }, {}), false);
  assert.equal(matchesTagSelector({ team: '*' }, undefined), false);
  assert.deepEqual(takeByTags([{ fallback: true }], { team: 'x' }), [{ fallback: true }]);
});
