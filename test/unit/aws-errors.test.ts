import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanRoomsMlError, classifyError, errorFromResponse, sanitizeErrorType } from '../../src/aws/errors.js';

describe('errorFromResponse', () => {
  it('reads x-amzn-errortype as is', () => {
    const e = errorFromResponse(
      404,
      { 'x-amzn-errortype': 'ResourceNotFoundException', 'x-amzn-requestid': 'req-1' },
      '{"message":"nope"}',
    );
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, 'nope');
    assert.equal(e.httpStatus, 404);
    assert.equal(e.requestId, 'req-1');
    assert.equal(e.retryable, false);
    assert.equal(e.outcome, 'not_found');
    assert.ok(e instanceof CleanRoomsMlError && e instanceof Error);
  });
  it('strips the :http... suffix of the header', () => {
    const e = errorFromResponse(
      429,
      { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.cleanroomsml/' },
      '{"message":"Rate exceeded"}',
    );
    assert.equal(e.name, 'ThrottlingException');
    assert.equal(e.outcome, 'throttled');
    assert.equal(e.retryable, true);
    assert.equal(e.throttled, true);
  });
  it('prefers the header over the body', () => {
    const e = errorFromResponse(400, { 'x-amzn-errortype': 'ValidationException' }, '{"__type":"aws.x#ConflictException","message":"m"}');
    assert.equal(e.name, 'ValidationException');
  });
  it('falls back to body __type, stripping the namespace', () => {
    const e = errorFromResponse(403, {}, '{"__type":"com.amazonaws.cleanroomsml#AccessDeniedException","Message":"denied"}');
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, 'denied');
    assert.equal(e.outcome, 'access_denied');
  });
  it('reads body code before __type, like the SDK', () => {
    const e = errorFromResponse(409, {}, '{"code":"ConflictException","__type":"Other"}');
    assert.equal(e.name, 'ConflictException');
    assert.equal(e.retryable, false);
  });
  it('falls back by HTTP status when nothing names the type', () => {
    const table: Array<[number, string, boolean]> = [
      [400, 'ValidationException', false],
      [402, 'ServiceQuotaExceededException', false],
      [403, 'AccessDeniedException', false],
      [404, 'ResourceNotFoundException', false],
      [409, 'ConflictException', false],
      [429, 'ThrottlingException', true],
      [500, 'InternalServiceException', true],
      [502, 'UnknownError', true],
      [503, 'UnknownError', true],
      [418, 'UnknownError', false],
    ];
    for (const [status, name, retryable] of table) {
      const e = errorFromResponse(status, {}, '<html>proxy error</html>');
      assert.equal(e.name, name, `status ${status}`);
      assert.equal(e.retryable, retryable, `status ${status}`);
      assert.equal(e.message, `HTTP ${status}`);
    }
  });
  it('keeps unmodeled types such as InvalidSignatureException and classifies them by status', () => {
    const e = errorFromResponse(403, { 'x-amzn-errortype': 'InvalidSignatureException' }, '{"message":"sig"}');
    assert.equal(e.name, 'InvalidSignatureException');
    assert.equal(e.outcome, 'access_denied');
    assert.equal(e.retryable, false);
  });
  it('treats throttling codes as throttling even on 400', () => {
    const e = errorFromResponse(400, { 'x-amzn-errortype': 'TooManyRequestsException' }, '');
    assert.equal(e.outcome, 'throttled');
    assert.equal(e.retryable, true);
  });
});

describe('sanitizeErrorType', () => {
  it('cuts like the SDK', () => {
    assert.equal(sanitizeErrorType('aws.protocoltests#FooError:http://x/'), 'FooError');
    assert.equal(sanitizeErrorType('FooError,BarError'), 'FooError');
    assert.equal(sanitizeErrorType('FooError'), 'FooError');
  });
});

describe('classifyError', () => {
  const net = (code: string) => Object.assign(new Error(code), { code });
  const cases: Array<[string, unknown, boolean, string, boolean]> = [
    ['throttling', errorFromResponse(429, { 'x-amzn-errortype': 'ThrottlingException' }, ''), true, 'throttled', true],
    ['500', errorFromResponse(500, { 'x-amzn-errortype': 'InternalServiceException' }, ''), true, 'error', false],
    ['503', errorFromResponse(503, {}, ''), true, 'error', false],
    ['400', errorFromResponse(400, { 'x-amzn-errortype': 'ValidationException' }, ''), false, 'validation', false],
    ['403', errorFromResponse(403, { 'x-amzn-errortype': 'AccessDeniedException' }, ''), false, 'access_denied', false],
    ['404', errorFromResponse(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }, ''), false, 'not_found', false],
    ['409', errorFromResponse(409, {}, ''), false, 'error', false],
    ['402', errorFromResponse(402, {}, ''), false, 'error', false],
    ['ECONNRESET', net('ECONNRESET'), true, 'error', false],
    ['ECONNREFUSED', net('ECONNREFUSED'), true, 'error', false],
    ['ENOTFOUND', net('ENOTFOUND'), true, 'error', false],
    ['fetch failed cause', new TypeError('fetch failed', { cause: net('ECONNRESET') }), true, 'error', false],
    ['AbortError', new DOMException('aborted', 'AbortError'), true, 'error', false],
    ['TimeoutError', new DOMException('timeout', 'TimeoutError'), true, 'error', false],
    ['client TimeoutError', new CleanRoomsMlError({ name: 'TimeoutError', message: 't', httpStatus: 0 }), true, 'error', false],
    ['client NetworkError', new CleanRoomsMlError({ name: 'NetworkError', message: 'n', httpStatus: 0 }), true, 'error', false],
    ['malformed', new CleanRoomsMlError({ name: 'MalformedResponseError', message: 'm', httpStatus: 0 }), false, 'error', false],
    ['SDK-shaped', { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }, true, 'throttled', true],
    ['plain Error', new Error('boom'), false, 'error', false],
    ['string', 'boom', false, 'error', false],
  ];
  for (const [label, err, retryable, outcome, throttled] of cases) {
    it(label, () => assert.deepEqual(classifyError(err), { retryable, outcome, throttled }));
  }
});
