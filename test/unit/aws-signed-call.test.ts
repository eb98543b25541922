// What one signed call reports when it gets no answer or an answer it cannot use, from plain
// values (the exchange itself is tested against the simulator: test/integration/resource-client*.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerError, transportError } from '../../src/aws/signed-call.js';

const res = (status: number, body = '', headers: Record<string, string | string[]> = {}, truncated = false) => ({
  status,
  headers,
  body,
  truncated,
});

test('no answer: our own timeout is a TimeoutError, anything else a NetworkError named by its code', () => {
  const t = transportError('GetTrainedModel', new Error('aborted'), true, 2500);
  assert.equal(t.name, 'TimeoutError');
  assert.equal(t.message, 'GetTrainedModel timed out after 2500 ms');
  assert.equal(t.retryable, true);
  assert.equal(t.outcome, 'error');
  const reset = transportError(
    'ListTrainedModels',
    Object.assign(new Error('socket hang up 10.0.0.1'), { code: 'ECONNRESET' }),
    false,
    2500,
  );
  assert.equal(reset.name, 'NetworkError');
  // The code only: messages may carry addresses.
  assert.equal(reset.message, 'ListTrainedModels failed: ECONNRESET');
  assert.equal(reset.retryable, true);
  assert.equal(transportError('X', new Error('boom'), false, 1).message, 'X failed: boom');
  assert.equal(transportError('X', undefined, false, 1).message, 'X failed: network error');
});

test('a 2xx answer read whole is no error; one cut at the cap is malformed, with its request id', () => {
  assert.equal(answerError('GetTrainedModel', res(200, '{}'), 100), undefined);
  assert.equal(answerError('GetTrainedModel', res(204), 100), undefined);
  const cut = answerError('GetTrainedModel', res(200, 'x'.repeat(100), { 'x-amzn-requestid': ['req-1', 'req-2'] }, true), 100);
  assert.equal(cut?.name, 'MalformedResponseError');
  assert.equal(cut?.message, 'GetTrainedModel response body exceeds 100 bytes');
  assert.equal(cut?.requestId, 'req-1');
  assert.equal(cut?.retryable, false);
});

test('a non-2xx answer is the typed AWS error, whether or not its body was cut', () => {
  const throttled = answerError(
    'ListTrainedModels',
    res(429, '{"message":"slow down"}', { 'x-amzn-errortype': 'ThrottlingException' }),
    100,
  );
  assert.equal(throttled?.name, 'ThrottlingException');
  assert.equal(throttled?.outcome, 'throttled');
  const denied = answerError(
    'GetTrainedModel',
    res(403, '{"message":"no"}', { 'x-amzn-errortype': 'AccessDeniedException:http://x' }, true),
    10,
  );
  assert.equal(denied?.name, 'AccessDeniedException');
  assert.equal(denied?.outcome, 'access_denied');
  assert.equal(answerError('GetTrainedModel', res(302), 100)?.retryable, false);
  assert.equal(answerError('GetTrainedModel', res(503), 100)?.retryable, true);
});
