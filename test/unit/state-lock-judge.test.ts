// The decision start-up takes about a lock file it finds in place, from plain values: take it
// over, refuse to start, or wait and look again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeLock, waitMessage, type LockJudge, type LockOwner } from '../../src/state/lock.js';

const self = { pid: 100, hostname: 'pod-a', pidNamespace: 'pid:[1]', bootId: 'boot-1' };
const base: LockJudge = { self, now: 50_000, staleMs: 30_000, heartbeatMs: 5_000, heldHere: false, pidAlive: () => true };
const here = (o: Partial<LockOwner>): LockOwner => ({ hostname: 'pod-a', pidNamespace: 'pid:[1]', bootId: 'boot-1', token: 't1', ...o });
const elsewhere = (o: Partial<LockOwner>): LockOwner => ({
  hostname: 'pod-b',
  pidNamespace: 'pid:[9]',
  bootId: 'boot-2',
  token: 't1',
  ...o,
});

test('a heartbeat older than the stale time is taken over, whoever owns it', () => {
  assert.deepEqual(judgeLock({ owner: elsewhere({ pid: 7 }), mtimeMs: 50_000 - 30_001 }, base), { do: 'take' });
  assert.deepEqual(judgeLock({ owner: here({ pid: 7 }), mtimeMs: 50_000 - 30_001 }, base), { do: 'take' });
  // Exactly the stale time is still fresh.
  assert.equal(judgeLock({ owner: elsewhere({ pid: 7 }), mtimeMs: 50_000 - 30_000 }, base).do, 'wait');
});

test('in our namespace, a dead pid, no pid, or our own pid not held here ends the wait early', () => {
  const fresh = 49_000;
  assert.deepEqual(judgeLock({ owner: here({ pid: 7 }), mtimeMs: fresh }, { ...base, pidAlive: () => false }), { do: 'take' });
  assert.deepEqual(judgeLock({ owner: here({}), mtimeMs: fresh }, base), { do: 'take' });
  assert.deepEqual(judgeLock({ owner: here({ pid: 100 }), mtimeMs: fresh }, base), { do: 'take' });
  // Our pid while this process holds it: not dead, and not another process to refuse either.
  assert.equal(judgeLock({ owner: here({ pid: 100 }), mtimeMs: fresh }, { ...base, heldHere: true }).do, 'wait');
});

test('in our namespace, a live pid with a fresh heartbeat is refused at once, naming it', () => {
  const v = judgeLock({ owner: here({ pid: 7 }), mtimeMs: 49_000 }, base);
  assert.deepEqual(v, { do: 'refuse', owner: 'pid 7 on pod-a' });
});

test('elsewhere, a pid means nothing: a fresh lock is watched, whatever the pid looks like here', () => {
  const dead = { ...base, pidAlive: () => false };
  const v = judgeLock({ owner: elsewhere({ pid: 7 }), mtimeMs: 48_000 }, dead);
  // Half a heartbeat, or until just past the stale time if that comes first.
  assert.deepEqual(v, { do: 'wait', ageMs: 2_000, waitMs: 2_500 });
  const nearlyStale = judgeLock({ owner: elsewhere({ pid: 7 }), mtimeMs: 50_000 - 29_000 }, dead);
  assert.deepEqual(nearlyStale, { do: 'wait', ageMs: 29_000, waitMs: 1_010 });
  assert.equal(judgeLock({ owner: elsewhere({}), mtimeMs: 50_000 - 29_999 }, { ...dead, heartbeatMs: 1 }).do, 'wait');
  assert.equal((judgeLock({ owner: elsewhere({}), mtimeMs: 50_000 }, { ...dead, heartbeatMs: 1 }) as { waitMs: number }).waitMs, 10);
});

test('elsewhere, a heartbeat or token that moved while watched is a live owner: refused', () => {
  const owner = elsewhere({ pid: 7 });
  const watching = { token: 't1', mtimeMs: 48_000 };
  assert.equal(judgeLock({ owner, mtimeMs: 48_000 }, { ...base, watching }).do, 'wait');
  assert.deepEqual(judgeLock({ owner, mtimeMs: 49_400 }, { ...base, watching }), {
    do: 'refuse',
    owner: 'pid 7 on pod-b, heartbeat 1 s ago',
  });
  assert.deepEqual(judgeLock({ owner: { ...owner, token: 't2' }, mtimeMs: 48_000 }, { ...base, watching }), {
    do: 'refuse',
    owner: 'pid 7 on pod-b, heartbeat 2 s ago',
  });
});

test('what was read from the file is printed short: a pid and a capped host name, "?" for what is missing', () => {
  const v = judgeLock(
    { owner: { hostname: 'h'.repeat(10_000), pid: 7 }, mtimeMs: 49_000 },
    { ...base, watching: { token: 'x', mtimeMs: 0 } },
  );
  assert.equal(v.do, 'refuse');
  assert.ok((v as { owner: string }).owner.length < 400);
  assert.deepEqual(judgeLock({ owner: {}, mtimeMs: 49_000 }, { ...base, watching: { token: 'x', mtimeMs: 0 } }), {
    do: 'refuse',
    owner: 'pid ? on ?, heartbeat 1 s ago',
  });
});

test('the wait message names the owner, the heartbeat age and how long start-up waits', () => {
  assert.equal(
    waitMessage('/var/lib/crml', elsewhere({ pid: 7 }), 2_000, 30_000),
    'state.dir /var/lib/crml is locked by pid 7 on pod-b in another PID namespace or host, heartbeat 2 s ago; waiting up to 28 s to see whether it is alive',
  );
});
