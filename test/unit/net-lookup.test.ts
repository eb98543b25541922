// Bounded lookups: a resolver that never answers costs at most timeoutMs per lookup and, once
// maxStuck lookups hang, new ones fail at once (they would queue in front of file I/O in libuv's
// thread pool); when the stuck ones return, lookups work again. Injected lookup, no real DNS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createBoundedLookup, type DnsError } from '../../src/net/lookup.js';

test('a lookup that never answers times out; two stuck ones make the next fail fast; they recover', async () => {
  const hanging: Array<(a: LookupAddress[]) => void> = [];
  const b = createBoundedLookup({ timeoutMs: 30, maxStuck: 2, lookup: () => new Promise((r) => hanging.push(r)) });
  const t0 = Date.now();
  await assert.rejects(b('a.example'), (e: DnsError) => e.code === 'EDNSTIMEOUT' && /timed out after 30 ms/.test(e.message));
  assert.ok(Date.now() - t0 < 1_000);
  await assert.rejects(b('b.example'), (e: DnsError) => e.code === 'EDNSTIMEOUT');
  assert.equal(b.stuck(), 2);
  await assert.rejects(b('c.example'), (e: DnsError) => e.code === 'EDNSBUSY', 'fails at once while two lookups hold threads');
  assert.equal(hanging.length, 2, 'the third was never started');
  hanging[0]!([{ address: '192.0.2.1', family: 4 }]);
  await new Promise((r) => setImmediate(r));
  assert.equal(b.stuck(), 1);
  const p = b('d.example');
  hanging[2]!([{ address: '192.0.2.4', family: 4 }]);
  assert.deepEqual(await p, [{ address: '192.0.2.4', family: 4 }]);
});

test('healthy lookups are not limited: a burst of many at once all resolve', async () => {
  const b = createBoundedLookup({
    timeoutMs: 1_000,
    maxStuck: 2,
    lookup: async (h) => [{ address: h === 'x' ? '192.0.2.9' : '192.0.2.8', family: 4 }],
  });
  const all = await Promise.all(Array.from({ length: 20 }, () => b('x')));
  assert.equal(all.length, 20);
  assert.equal(b.stuck(), 0);
});
