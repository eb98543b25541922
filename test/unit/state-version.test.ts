// Which state versions this release reads, and the refusal of a later one: plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpoint, StateCorruptError } from '../../src/state/shape.js';
import { refuseNewerVersion, STATE_VERSION, StateVersionError } from '../../src/state/version.js';
import { VERSION } from '../../src/version.js';

const empty = (version: unknown, extra = '') =>
  `{"version":${JSON.stringify(version)},"seq":0${extra},"resources":[],"outbox":[],"deadLetters":[]}`;

test('versions 1 to 3 are read; this release writes 3', () => {
  assert.equal(STATE_VERSION, 3);
  const v3 = parseCheckpoint(
    `{"version":3,"seq":0,"resources":[],"outbox":[],"deadLetters":[],"history":[],"durations":[{"kind":"trainedModel","status":"CREATE_IN_PROGRESS","seconds":[5,"x",-1,7]}]}`,
    { count: 0 },
  );
  assert.equal(v3.version, 3);
  // A sample that is no duration is dropped, the others kept.
  assert.deepEqual(v3.durations, [{ kind: 'trainedModel', status: 'CREATE_IN_PROGRESS', seconds: [5, 7] }]);
  // Version 2 had no histories or durations: read as none.
  const v2 = parseCheckpoint(empty(2), { count: 0 });
  assert.deepEqual([v2.version, v2.history, v2.durations], [3, [], []]);
  // Version 1 had `jobs`, read as resources.
  assert.equal(parseCheckpoint(empty(1, ',"jobs":[]'), { count: 0 }).version, 3);
  // Version 3 without its members is corrupt, not silently empty.
  assert.throws(() => parseCheckpoint(empty(3), { count: 0 }), /checkpoint\.history is not a list/);
});

test('a later version is refused with both versions named, not taken for corruption', () => {
  for (const v of [4, 17]) {
    assert.throws(
      () => parseCheckpoint(empty(v, ',"unknownToThisRelease":{}'), { count: 0 }),
      (err: unknown) =>
        err instanceof StateVersionError &&
        !(err instanceof StateCorruptError) &&
        err.found === v &&
        err.message ===
          `state.json was written by state version ${v}; this release (${VERSION}) reads versions 1-3. Nothing in the state dir was changed. ` +
            'Run a release that reads it, or, to roll back, restore the copy of the state dir taken before the upgrade ' +
            '(or start with an empty one and accept that its pending notifications are not sent); see "Rolling back" in docs/deploy.md',
    );
  }
  assert.throws(
    () => refuseNewerVersion(4, 'journal.ndjson line 7'),
    /^StateVersionError: journal\.ndjson line 7 was written by state version 4; /,
  );
});

test('what is not a later version is left to the shape checks', () => {
  for (const v of [undefined, 1, 2, 3, '4', null, 2.5, Number.POSITIVE_INFINITY]) assert.doesNotThrow(() => refuseNewerVersion(v, 'x'));
  for (const v of ['3', 0, null, 2.5]) assert.throws(() => parseCheckpoint(empty(v), { count: 0 }), StateCorruptError);
  assert.throws(() => parseCheckpoint('{"seq":0}', { count: 0 }), StateCorruptError);
});
