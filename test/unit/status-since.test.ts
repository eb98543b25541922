// stampResourceStatusSince: the pure rule behind cleanroomsml_<kind>_status_since_timestamp_seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampResourceStatusSince as stampStatusSince } from '../../src/kinds/diff.js';
import { job as snap } from '../helpers/snapshots.js';

test('first sight and a status change take the new updateTime; the same status keeps the start', () => {
  const first = stampStatusSince(undefined, snap({ status: 'CREATE_IN_PROGRESS', updateTime: 1000 }));
  assert.equal(first.statusSince, 1000);
  const same = stampStatusSince(first, snap({ status: 'CREATE_IN_PROGRESS', updateTime: 5000 }));
  assert.equal(same.statusSince, 1000);
  const changed = stampStatusSince(same, snap({ status: 'ACTIVE', updateTime: 9000 }));
  assert.equal(changed.statusSince, 9000);
});

test('state written before the field existed: the stored updateTime stands in; an already stamped snapshot is returned as is', () => {
  const old = snap({ status: 'ACTIVE', updateTime: 2000 });
  assert.equal(old.statusSince, undefined);
  assert.equal(stampStatusSince(old, snap({ status: 'ACTIVE', updateTime: 3000 })).statusSince, 2000);
  const stamped = snap({ status: 'ACTIVE', updateTime: 3000, statusSince: 2000 });
  assert.equal(stampStatusSince(old, stamped), stamped);
});
