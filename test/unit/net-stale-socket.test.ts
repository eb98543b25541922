// isStaleSocketFailure with plain values: only a reset or broken pipe on a REUSED socket before
// any answer may be sent again at once; the same on a fresh socket is a network failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleSocketFailure } from '../../src/net/stale-socket.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

test('a reset, a broken pipe or "socket hang up" on a reused socket before any answer is stale', () => {
  for (const e of [err('ECONNRESET'), err('EPIPE'), err('ECONNRESET', 'socket hang up')])
    assert.equal(isStaleSocketFailure({ reusedSocket: true, answered: false, error: e }), true, e.message);
});

test('the same on a fresh socket, after an answer began, or any other error is not', () => {
  assert.equal(isStaleSocketFailure({ reusedSocket: false, answered: false, error: err('ECONNRESET') }), false);
  assert.equal(isStaleSocketFailure({ reusedSocket: true, answered: true, error: err('ECONNRESET') }), false);
  for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EPROXYREFUSED', 'ERR_TLS_CERT_ALTNAME_INVALID'])
    assert.equal(isStaleSocketFailure({ reusedSocket: true, answered: false, error: err(code) }), false, code);
  assert.equal(isStaleSocketFailure({ reusedSocket: true, answered: false, error: new Error('no code') }), false);
  assert.equal(isStaleSocketFailure({ reusedSocket: true, answered: false, error: 'ECONNRESET' }), false);
});
