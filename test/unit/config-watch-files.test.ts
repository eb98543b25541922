// watchFiles: a changed secret file triggers one reload; a refused content is not retried every
// interval, only when it changes again; a file missing mid-swap is skipped. Injected reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchFiles } from '../../src/config/watch-files.js';
import { hashSecret, type SecretFileRead } from '../../src/config/fileRefs.js';
import { createLogger } from '../../src/log.js';

test('changed content reloads once; refused content waits for the next change; missing files are skipped', async () => {
  let content: string | undefined = 'whsec_old';
  let files: SecretFileRead[] = [{ path: '/s/secret', sha256: hashSecret('whsec_old') }];
  const calls: string[][] = [];
  let accept = false;
  const w = watchFiles({
    files: () => files,
    read: async () => {
      if (content === undefined) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      return content;
    },
    onChange: async (changed) => {
      calls.push([...changed]);
      if (accept) files = [{ path: '/s/secret', sha256: hashSecret(content!) }];
      return accept;
    },
    log: createLogger({ level: 'silent' }),
    intervalMs: 3_600_000, // checks are run by hand below
  });
  try {
    await w.check();
    assert.equal(calls.length, 0, 'unchanged: nothing');
    content = undefined;
    await w.check();
    assert.equal(calls.length, 0, 'missing mid-swap: skipped');
    content = 'broken';
    await w.check();
    assert.deepEqual(calls, [['/s/secret']], 'refused once, not retried every interval');
    accept = true;
    content = 'whsec_new';
    await w.check();
    assert.equal(calls.length, 2, 'a new change is tried');
    await w.check();
    assert.equal(calls.length, 2, 'applied: the config now records the new hash');
  } finally {
    w.stop();
  }
});
