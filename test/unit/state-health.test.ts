// The state dir's health (ok / degraded / unwritable) and what readiness makes of it: plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateHealth } from '../../src/state/health.js';
import { readiness, readinessText } from '../../src/http/readiness.js';

const MiB = 1024 * 1024;
const enospc = Object.assign(new Error("ENOSPC: no space left on device, open '/state/.state.json.ab12.tmp'"), { code: 'ENOSPC' });
const eio = Object.assign(new Error('input/output error'), { code: 'EIO' });

test('ok: nothing failed', () => {
  const h = stateHealth({ journalBytes: 10, journalLimitBytes: 64 * MiB });
  assert.deepEqual(h, { status: 'ok', journalBytes: 10, journalLimitBytes: 64 * MiB });
  const r = readiness({ state: h });
  assert.equal(r.ready, true);
  assert.equal(readinessText(r), 'ready\n');
});

test('degraded: checkpoints fail while appends work; still ready, and /readyz says why', () => {
  const h = stateHealth({ checkpointError: enospc, checkpointFailingSince: 1_000, journalBytes: 3 * MiB, journalLimitBytes: 64 * MiB });
  assert.equal(h.status, 'degraded');
  assert.equal(h.checkpointFailingSince, 1_000);
  assert.equal(
    h.reason,
    "state checkpoint failing (ENOSPC: no space left on device, open '/state/.state.json.ab12.tmp'); every record still goes to the journal (3.0 MiB of its 64.0 MiB limit)",
  );
  const r = readiness({ state: h });
  assert.equal(r.ready, true);
  assert.equal(readinessText(r), `ready (degraded: ${h.reason})\n`);
});

test('unwritable: the last append failed, whatever the checkpoints do', () => {
  for (const checkpointError of [undefined, enospc]) {
    const h = stateHealth({ appendError: eio, checkpointError, journalBytes: 5, journalLimitBytes: 100 });
    assert.equal(h.status, 'unwritable');
    assert.equal(h.reason, 'state dir not writable (EIO: input/output error): new transitions cannot be recorded, so none is notified');
    const r = readiness({ state: h });
    assert.equal(r.ready, false);
    assert.equal(readinessText(r), `not ready: ${h.reason}\n`);
  }
});

test('unwritable: the journal passed its limit while checkpoints fail (the next record is refused)', () => {
  const h = stateHealth({ checkpointError: enospc, journalBytes: 64 * MiB + 1, journalLimitBytes: 64 * MiB });
  assert.equal(h.status, 'unwritable');
  assert.match(
    h.reason!,
    /^state journal full \(64\.0 MiB, limit 64\.0 MiB\) because checkpoints keep failing \(ENOSPC: .*\): new records are refused until a checkpoint succeeds$/,
  );
  // Without a failing checkpoint a big journal is just about to be compacted.
  assert.equal(stateHealth({ journalBytes: 64 * MiB + 1, journalLimitBytes: 64 * MiB }).status, 'ok');
});

test('reasons stay one printable line without a duplicated code', () => {
  const odd = Object.assign(new Error('EROFS: read-only\nfile system \u0000'), { code: 'EROFS' });
  const h = stateHealth({ appendError: odd, journalBytes: 0, journalLimitBytes: 1 });
  assert.equal(
    h.reason,
    'state dir not writable (EROFS: read-only?file system ?): new transitions cannot be recorded, so none is notified',
  );
});
