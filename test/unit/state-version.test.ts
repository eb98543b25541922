// Which state versions this release reads, and the refusal of a later one: plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpoint, StateCorruptError } from '../../src/state/shape.js';
import { refuseNewerVersion, STATE_VERSION, StateVersionError } from '../../src/state/version.js';
import { VERSION } from '../../src/version.js';

const empty = (version: unknown, extra = '') =>
  `{"version":${JSON.stringify(version)},"seq":0${extra},"resources":[],"outbox":[],"deadLetters":[]}`;

test('versions 1 and 2 are read; this release writes 2', () => {
  assert.equal(STATE_VERSION, 2);
  assert.equal(parseCheckpoint(empty(2), { count: 0 }).version, 2);
  // Version 1 had `jobs`, read as resources.
  assert.equal(parseCheckpoint(empty(1, ',"jobs":[]'), { count: 0 }).version, 2);
});

test('a later version is refused with both versions named, not taken for corruption', () => {
  for (const v of [3, 17]) {
    assert.throws(
      () => parseCheckpoint(empty(v, ',"unknownToThisRelease":{}'), { count: 0 }),
      (err: unknown) =>
        err instanceof StateVersionError &&
        !(err instanceof StateCorruptError) &&
        err.found === v &&
        err.message ===
          `state.json was written by state version ${v}; this release (${VERSION}) reads versions 1-2. Nothing in the state dir was changed. ` +
            'Run a release that reads it, or, to roll back, restore the copy of the state dir taken before the upgrade ' +
            '(or start with an empty one and accept that its pending notifications are not sent); see "Rolling back" in docs/deploy.md',
    );
  }
  assert.throws(
    () => refuseNewerVersion(3, 'journal.ndjson line 7'),
    /^StateVersionError: journal\.ndjson line 7 was written by state version 3; /,
  );
});

test('what is not a later version is left to the shape checks', () => {
  for (const v of [undefined, 1, 2, '3', null, 2.5, Number.POSITIVE_INFINITY]) assert.doesNotThrow(() => refuseNewerVersion(v, 'x'));
  for (const v of ['3', 0, null, 2.5]) assert.throws(() => parseCheckpoint(empty(v), { count: 0 }), StateCorruptError);
  assert.throws(() => parseCheckpoint('{"seq":0}', { count: 0 }), StateCorruptError);
});
