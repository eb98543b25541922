// The one paging routine over pages given as plain values: tokens passed on in order, what each
// page keeps, and the guard's stop with what was read up to there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourcePage } from '../../src/aws/resource-client.js';
import { ListRunawayError } from '../../src/poll/list-guard.js';
import { readPages } from '../../src/poll/pages.js';
import { ARN_A, job } from '../helpers/snapshots.js';

const item = (n: number) => job({ arn: `${ARN_A.slice(0, -3)}${String(n).padStart(3, '0')}`, name: `j${n}` });
/** Pages by token: undefined is the first page. */
const pagesOf = (pages: Record<string, ResourcePage>) => {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    fetch: async (token: string | undefined) => {
      asked.push(token);
      return pages[token ?? ''] ?? { items: [] };
    },
  };
};

test('each nextToken is passed on until a page carries none; what each page keeps comes back in order', async () => {
  const p = pagesOf({
    '': { items: [item(1), item(2)], nextToken: 't1' },
    t1: { items: [item(3)], nextToken: 't2' },
    t2: { items: [item(4)] },
  });
  const seen: number[] = [];
  const got = await readPages(p.fetch, 10, (page) => {
    seen.push(page.items.length);
    return page.items.filter((s) => s.name !== 'j2');
  });
  assert.deepEqual(p.asked, [undefined, 't1', 't2']);
  assert.deepEqual(seen, [2, 1, 1]);
  assert.deepEqual(
    got.map((s) => s.name),
    ['j1', 'j3', 'j4'],
  );
  // An empty token ends the List as well.
  assert.equal((await readPages(pagesOf({ '': { items: [item(1)], nextToken: '' } }).fetch, 10, (pg) => pg.items)).length, 1);
});

test('a repeated nextToken stops the List with what its pages held', async () => {
  const p = pagesOf({ '': { items: [item(1)], nextToken: 'a' }, a: { items: [item(2)], nextToken: 'a' } });
  await assert.rejects(
    readPages(p.fetch, 10, (page) => page.items),
    (err: unknown) => {
      assert.ok(err instanceof ListRunawayError);
      assert.match(err.message, /stopped after 2 pages: the List returned a nextToken it had returned before/);
      assert.deepEqual(
        err.items.map((s) => s.name),
        ['j1', 'j2'],
      );
      return true;
    },
  );
  assert.deepEqual(p.asked, [undefined, 'a']);
});

test('a List paging on past maxPages stops there, without asking for the next page', async () => {
  const endless = {
    asked: 0,
    fetch: async (t: string | undefined) => ({ items: [item(Number(t ?? 0))], nextToken: String(++endless.asked) }),
  };
  await assert.rejects(
    readPages(endless.fetch, 3, (page) => page.items),
    (err: unknown) => {
      assert.ok(err instanceof ListRunawayError);
      assert.match(err.message, /stopped after 3 pages \(polling\.maxListPages\)/);
      assert.equal(err.items.length, 3);
      return true;
    },
  );
  assert.equal(endless.asked, 3);
});

test('a page that fails fails the List', async () => {
  const boom = new Error('throttled');
  await assert.rejects(
    readPages(
      async (t) => {
        if (t) throw boom;
        return { items: [item(1)], nextToken: 'x' };
      },
      10,
      (page) => page.items,
    ),
    boom,
  );
});
