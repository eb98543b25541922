// The one duration parser (config keys and simulator scenarios).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/config/duration.js';

test('durations: units summed, decimals, a sign; anything else is not a duration', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration(' 7d '), 7 * 86_400_000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('-2h'), -7_200_000);
  for (const bad of ['', '10', 'ten minutes', '5 m', '1y', '--1s', 'm5']) assert.equal(parseDuration(bad), undefined, bad);
});
