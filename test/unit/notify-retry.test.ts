import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../src/targets/retry-after.js';
import { deliveryBackoffDelay } from '../../src/notify/backoff.js';
import { classifyHttp, type ReceiverAnswer } from '../../src/targets/classify.js';
import { TARGET_TYPES } from '../../src/targets/index.js';
import { slack } from '../../src/targets/slack.js';
import { redactUrl, scrubUrl } from '../../src/notify/redact.js';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');

test('Retry-After: seconds, HTTP-date, cap, garbage', () => {
  assert.equal(parseRetryAfter('2', NOW), 2000);
  assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', NOW), 30_000);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', NOW), 0, 'a past date means now');
  assert.equal(parseRetryAfter('999999', NOW), RETRY_AFTER_CAP_MS);
  assert.equal(parseRetryAfter('Sun, 28 Nov 2027 12:00:00 GMT', NOW), RETRY_AFTER_CAP_MS);
  assert.equal(parseRetryAfter('-5', NOW), undefined);
  assert.equal(parseRetryAfter('1.5', NOW), undefined);
  assert.equal(parseRetryAfter('soon', NOW), undefined);
  assert.equal(parseRetryAfter('2026', NOW), 2026_000, 'digits are seconds, not a year');
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(parseRetryAfter(['3', '9'], NOW), 3000);
});

test('backoff: full jitter within [base, min(max, base*2^(n-1))]', () => {
  const o = { baseMs: 1000, maxMs: 60_000 };
  assert.equal(deliveryBackoffDelay(1, { ...o, random: () => 0 }), 1000);
  assert.equal(deliveryBackoffDelay(1, { ...o, random: () => 1 }), 1000);
  assert.equal(deliveryBackoffDelay(4, { ...o, random: () => 1 }), 8000);
  assert.equal(deliveryBackoffDelay(4, { ...o, random: () => 0.5 }), 4000);
  assert.equal(deliveryBackoffDelay(4, { ...o, random: () => 0 }), 1000, 'floor: never a tight loop');
  assert.equal(deliveryBackoffDelay(30, { ...o, random: () => 1 }), 60_000, 'capped');
  assert.equal(deliveryBackoffDelay(10_000, { ...o, random: () => 0.999 }), 59_940, 'huge attempt counts do not overflow');
  for (let n = 1; n < 40; n++) {
    const d = deliveryBackoffDelay(n, { ...o, random: Math.random });
    assert.ok(d >= 1000 && d <= Math.min(60_000, 1000 * 2 ** (n - 1)), `${n}: ${d}`);
  }
});

const answer = (status: number, headers: ReceiverAnswer['headers'], body: string): ReceiverAnswer => ({ status, headers, body });
const classifyResponse = (status: number, headers: ReceiverAnswer['headers'], body: string, now: number) =>
  slack.classify(answer(status, headers, body), now);

test('classification (the shared rules): 2xx, 3xx, 408/429/5xx, other 4xx', () => {
  for (const classify of [classifyHttp, ...TARGET_TYPES.map((t) => t.classify)]) {
    assert.equal(classify(answer(204, {}, ''), NOW).outcome, 'delivered');
    assert.equal(classify(answer(301, {}, ''), NOW).outcome, 'permanent');
    for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(classify(answer(s, {}, ''), NOW).outcome, 'retryable', String(s));
    for (const s of [400, 401, 403, 404, 410, 413, 422]) assert.equal(classify(answer(s, {}, ''), NOW).outcome, 'permanent', String(s));
  }
  assert.deepEqual(classifyHttp(answer(429, { 'retry-after': '7' }, 'rate_limited'), NOW), {
    outcome: 'retryable',
    status: 429,
    reason: 'HTTP 429',
    detail: 'rate_limited',
    retryAfterMs: 7000,
  });
  // The receiver's words are the detail (scrubbed before they are kept); the reason is ours.
  assert.deepEqual(classifyHttp(answer(410, {}, ''), NOW), { outcome: 'permanent', status: 410, reason: 'HTTP 410' });
});

test("classification of Slack's plain-text errors: only for Slack targets", () => {
  assert.deepEqual(classifyResponse(400, {}, 'invalid_payload', NOW), {
    outcome: 'permanent',
    status: 400,
    reason: 'HTTP 400: invalid_payload',
  });
  assert.deepEqual(classifyResponse(403, {}, 'action_prohibited\n', NOW), {
    outcome: 'permanent',
    status: 403,
    reason: 'HTTP 403: action_prohibited',
  });
  // A fixed Slack error word is final even on a 429...
  assert.equal(classifyResponse(429, {}, 'channel_is_archived', NOW).outcome, 'permanent');
  // ...but only from Slack: any other type's receiver answering that word on a 429 is throttling.
  for (const t of TARGET_TYPES.filter((x) => x.type !== 'slack'))
    assert.equal(t.classify(answer(429, {}, 'channel_is_archived'), NOW).outcome, 'retryable', t.type);
  // A Slack outage body on a 5xx is still an outage.
  assert.equal(classifyResponse(503, {}, 'no_service', NOW).outcome, 'retryable');
});

test('URL redaction: scheme + host only', () => {
  assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/secret'), 'https://hooks.slack.com');
  assert.equal(redactUrl('http://user:pw@127.0.0.1:8080/x?token=y'), 'http://127.0.0.1:8080');
  assert.equal(redactUrl('not a url'), '[invalid url]');
  assert.equal(
    scrubUrl('failed at /services/T0/B0/secret now', 'https://hooks.slack.com/services/T0/B0/secret'),
    'failed at [redacted] now',
  );
});

test('scrubText: every path segment, query value, secret and sent header value; case-insensitive; partial echoes', async () => {
  const { scrubText, secretMaterial } = await import('../../src/notify/redact.js');
  const m = secretMaterial({
    url: 'https://hooks.example.com/hooks/T0AAAA/a%2Fb%3Dcdef/LASTSEGMENTTOKEN123?token=QUERYTOKEN456&x=1',
    secrets: ['whsec_c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5'],
    headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,SIGNATUREBASE64== v1,OTHERSIG0123==', 'webhook-id': 'evt_1' },
  });
  const cases: Array<[string, string]> = [
    ['no such hook: LASTSEGMENTTOKEN123', 'no such hook: [redacted]'],
    ['no such hook: lastsegmenttoken123', 'no such hook: [redacted]'],
    ['unknown token QUERYTOKEN456.', 'unknown token [redacted].'],
    ['segment a/b=cdef missing', 'segment [redacted] missing'],
    ['hook LASTSEGMEN... truncated', 'hook [redacted] truncated'],
    ['"xLASTSEGMENTTOKEN12"', '"[redacted]"'],
    ['key c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5 wrong', 'key [redacted] wrong'],
    ['sig SIGNATUREBASE64== and OTHERSIG0123==', 'sig [redacted] and [redacted]'],
    ['application/json expected for evt_1 at hooks.example.com', 'application/json expected for evt_1 at hooks.example.com'],
    ['HTTP 404: not found', 'HTTP 404: not found'],
  ];
  for (const [input, want] of cases) assert.equal(scrubText(input, m), want, input);
});
