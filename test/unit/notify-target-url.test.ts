// Which target URLs a delivery refuses before any lookup, from plain values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetUrl } from '../../src/notify/send.js';

test('https always, http only with allowHttp, nothing else', () => {
  assert.equal((targetUrl('https://hooks.example.com/x?y=1', false) as URL).href, 'https://hooks.example.com/x?y=1');
  assert.deepEqual(targetUrl('http://127.0.0.1:8080/hook', false), {
    outcome: 'permanent',
    reason: 'http refused (https required unless allowHttp: true)',
  });
  assert.equal((targetUrl('http://127.0.0.1:8080/hook', true) as URL).port, '8080');
  assert.deepEqual(targetUrl('ftp://example.com/x', true), { outcome: 'permanent', reason: 'unsupported scheme ftp:' });
  assert.deepEqual(targetUrl('file:///etc/passwd', true), { outcome: 'permanent', reason: 'unsupported scheme file:' });
});

test('what is not a URL is refused without repeating it (it may hold a secret)', () => {
  assert.deepEqual(targetUrl('hooks.example.com/T0/secret', false), { outcome: 'permanent', reason: 'invalid URL' });
  assert.deepEqual(targetUrl('', true), { outcome: 'permanent', reason: 'invalid URL' });
});
