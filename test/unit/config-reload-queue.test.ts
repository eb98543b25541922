// The reload queue: one reload at a time, requests during one folded into exactly one more (the
// last request's argument wins), close() lets the running one end and starts nothing after it.
// Reloads are deferred promises the test settles by hand: no timers, no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReloadQueue } from '../../src/config/reload-queue.js';

interface Call {
  arg: string;
  finish(ok: boolean): void;
  fail(err: Error): void;
}

function harness() {
  const calls: Call[] = [];
  let active = 0;
  let maxActive = 0;
  const q = createReloadQueue<string>(
    (arg) =>
      new Promise<boolean>((resolve, reject) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const done = () => active--;
        calls.push({
          arg,
          finish: (ok) => {
            done();
            resolve(ok);
          },
          fail: (err) => {
            done();
            reject(err);
          },
        });
      }),
  );
  return { q, calls, maxActive: () => maxActive };
}

/** Lets every settled promise run its continuations. */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test("an idle queue reloads at once and answers with that reload's result", async () => {
  const { q, calls } = harness();
  const r = q.request('a');
  assert.deepEqual(
    calls.map((c) => c.arg),
    ['a'],
  );
  calls[0]!.finish(true);
  assert.equal(await r, true);
  const refused = q.request('b');
  calls[1]!.finish(false);
  assert.equal(await refused, false);
  assert.equal(q.folded, 0);
});

test('requests during a reload fold into exactly one more reload, with the last argument', async () => {
  const { q, calls, maxActive } = harness();
  const first = q.request('v1');
  const during = ['v2', 'v3', 'v4', 'v5'].map((v) => q.request(v));
  await flush();
  assert.equal(calls.length, 1, 'nothing starts while a reload runs');
  calls[0]!.finish(true);
  assert.equal(await first, true);
  await flush();
  assert.deepEqual(
    calls.map((c) => c.arg),
    ['v1', 'v5'],
    'one more reload, of what the last request asked for',
  );
  calls[1]!.finish(false);
  assert.deepEqual(
    await Promise.all(during),
    [false, false, false, false],
    'every folded request gets the result of the reload that covered it',
  );
  assert.equal(q.folded, 3);
  assert.equal(maxActive(), 1);
  await flush();
  assert.equal(calls.length, 2, 'and then nothing more');
});

test('a request during the follow-up reload gets a reload of its own after it', async () => {
  const { q, calls, maxActive } = harness();
  void q.request('a');
  void q.request('b');
  calls[0]!.finish(true);
  await flush();
  const late = q.request('c');
  await flush();
  assert.equal(calls.length, 2);
  calls[1]!.finish(true);
  await flush();
  assert.deepEqual(
    calls.map((c) => c.arg),
    ['a', 'b', 'c'],
  );
  calls[2]!.finish(true);
  assert.equal(await late, true);
  assert.equal(maxActive(), 1);
});

test('a reload that throws rejects the requests it covered; the queue goes on', async () => {
  const { q, calls } = harness();
  const a = q.request('a');
  const b = q.request('b');
  calls[0]!.fail(new Error('boom'));
  await assert.rejects(a, /boom/);
  await flush();
  calls[1]!.finish(true);
  assert.equal(await b, true);
});

test('close() waits for the running reload, drops the folded one, and refuses later requests', async () => {
  const { q, calls } = harness();
  const running = q.request('a');
  const folded = q.request('b');
  let closed = false;
  const closing = q.close().then(() => (closed = true));
  assert.equal(q.closed, true, 'the running reload can see the queue is closing');
  await flush();
  assert.equal(closed, false, 'close() waits for the running reload');
  calls[0]!.finish(true);
  await closing;
  assert.equal(await running, true);
  assert.equal(await folded, false, 'the folded request never ran');
  assert.equal(await q.request('c'), false);
  assert.equal(calls.length, 1);
});

test('close() on an idle queue resolves at once', async () => {
  const { q, calls } = harness();
  await q.close();
  assert.equal(await q.request('a'), false);
  assert.equal(calls.length, 0);
});
