import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheCredentials } from '../../src/aws/credentials.js';

describe('cacheCredentials', () => {
  it('asks the provider once until five minutes before expiry, and again after invalidate', async () => {
    let now = 0;
    let calls = 0;
    const c = cacheCredentials(
      async () => ({ accessKeyId: `K${++calls}`, secretAccessKey: 's', expiration: new Date(now + 3_600_000) }),
      () => now,
    );
    assert.equal((await c.get()).accessKeyId, 'K1');
    now = 3_600_000 - 300_001;
    assert.equal((await c.get()).accessKeyId, 'K1');
    now = 3_600_000 - 299_999;
    assert.equal((await c.get()).accessKeyId, 'K2');
    c.invalidate();
    assert.equal((await c.get()).accessKeyId, 'K3');
  });
  it('shares one in-flight resolution and retries after a failure', async () => {
    let calls = 0;
    const c = cacheCredentials(async () => {
      calls++;
      if (calls === 1) throw new Error('imds down');
      return { accessKeyId: 'K', secretAccessKey: 's' };
    });
    await assert.rejects(c.get(), /imds down/);
    const [a, b] = await Promise.all([c.get(), c.get()]);
    assert.equal(a, b);
    assert.equal(calls, 2);
  });
});
