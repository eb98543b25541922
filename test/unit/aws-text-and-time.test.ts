// What the AWS layer keeps of text and times from outside, whatever the kind: error answers keep
// ~500 characters of a 4 MiB message, capping never splits a surrogate pair and is idempotent,
// and timestamps are read in every form the SDK accepts (numbers, wrong dates and time zones refused).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capText, MAX_TEXT } from '../../src/aws/cap-text.js';
import { errorFromResponse } from '../../src/aws/errors.js';
import { formatIsoTimestamp, parseIsoTimestamp } from '../../src/timestamps.js';

describe('text from AWS', () => {
  const huge = 'x'.repeat(4 * 1024 * 1024);
  it('caps the message, type and request id of an error answer (a 400 with a 4 MiB message)', () => {
    const e = errorFromResponse(
      400,
      { 'x-amzn-requestid': 'r'.repeat(10_000) },
      JSON.stringify({ message: huge, code: `Validation${'E'.repeat(10_000)}` }),
    );
    assert.ok(e.message.length <= MAX_TEXT + 40, `message of ${e.message.length}`);
    assert.ok(e.name.length <= 140 && e.requestId!.length <= 140);
    assert.ok(JSON.stringify({ name: e.name, message: e.message, requestId: e.requestId, stack: e.stack }).length < 4000);
    assert.equal(e.outcome, 'validation');
    // Short texts are kept whole.
    assert.equal(errorFromResponse(400, {}, '{"message":"bad arn"}').message, 'bad arn');
  });
  it('never cuts a surrogate pair in half; capping twice changes nothing', () => {
    const s = `${'a'.repeat(499)}😀${'b'.repeat(10)}`;
    const c = capText(s);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(c), 'a lone high surrogate');
    assert.equal(capText('short'), 'short');
    const once = capText('y'.repeat(100_000));
    assert.equal(once.length <= MAX_TEXT, true);
    assert.equal(capText(once), once);
  });
});

describe('timestamps', () => {
  it('accepts the SDK forms: any fraction, Z or an offset', () => {
    assert.equal(parseIsoTimestamp('2026-11-28T12:00:00Z'), Date.UTC(2026, 10, 28, 12));
    assert.equal(parseIsoTimestamp('2026-11-28T12:00:00.123456Z'), Date.UTC(2026, 10, 28, 12, 0, 0, 123));
    assert.equal(parseIsoTimestamp('2026-11-28T14:00:00+02:00'), Date.UTC(2026, 10, 28, 12));
    assert.equal(parseIsoTimestamp('2026-11-28t12:00:00.5z'), Date.UTC(2026, 10, 28, 12, 0, 0, 500));
  });
  it('refuses what is not one', () => {
    for (const v of ['2026-11-28', '2026-02-31T00:00:00Z', 'yesterday', 1764331200, null, '2026-11-28T12:00:00+24:00'])
      assert.equal(parseIsoTimestamp(v), undefined, String(v));
  });
  it('writes milliseconds and Z', () => {
    assert.equal(formatIsoTimestamp(Date.UTC(2026, 10, 28, 12)), '2026-11-28T12:00:00.000Z');
  });
});
