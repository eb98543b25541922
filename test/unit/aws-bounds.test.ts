// Numbers and text from AWS are checked against the model before anything keeps them: a number
// outside its documented range (Infinity included) refuses the answer with an error naming the
// member, and no text longer than ~500 characters is kept or printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserializeGetJob, deserializeListJobs } from '../../src/aws/deserialize.js';
import { CleanRoomsMlError, errorFromResponse } from '../../src/aws/errors.js';
import { capText, MAX_TEXT } from '../../src/aws/cap-text.js';

const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/job-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const BASE = {
  createTime: '2026-11-28T12:00:00.000Z',
  updateTime: '2026-11-28T12:05:30.250Z',
  audienceGenerationJobArn: ARN,
  name: 'lookalike',
  status: 'ACTIVE',
  configuredAudienceModelArn: MODEL,
};
const metrics = (recall: string, score: string, value: string) =>
  `{${JSON.stringify(BASE).slice(1, -1)},"metrics":{"relevanceMetrics":[{"audienceSize":{"type":"ABSOLUTE","value":${value}},"score":${score}}],"recallMetric":${recall}}}`;

function refused(body: string, member: RegExp): void {
  assert.throws(
    () => deserializeGetJob(body),
    (e: unknown) =>
      e instanceof CleanRoomsMlError &&
      e.name === 'MalformedResponseError' &&
      member.test(e.message) &&
      !e.retryable &&
      e.message.length < 300,
    body.slice(0, 200),
  );
}

describe('numbers from AWS', () => {
  it('accepts the documented ranges, bounds included', () => {
    const out = deserializeGetJob(metrics('1', '10', '20000000'));
    assert.equal(out.metrics?.recallMetric, 1);
    assert.equal(deserializeGetJob(metrics('0', '0', '1')).metrics?.relevanceMetrics[0]?.score, 0);
  });
  it('refuses a recall that parses to Infinity, or lies outside 0..1, naming the member', () => {
    refused(metrics('1e400', '1', '10'), /metrics\.recallMetric is Infinity, not a finite number/);
    refused(metrics('-1e400', '1', '10'), /metrics\.recallMetric is -Infinity/);
    refused(metrics('1.5', '1', '10'), /metrics\.recallMetric is 1\.5, outside its documented range 0\.\.1/);
    refused(metrics('-0.1', '1', '10'), /metrics\.recallMetric/);
    refused(metrics('"0.5"', '1', '10'), /metrics\.recallMetric is not a number/);
  });
  it('refuses a score outside 0..10 and an audience size outside 1..20000000 or not an integer', () => {
    refused(metrics('0.5', '1e400', '10'), /relevanceMetrics\[0\]\.score is Infinity/);
    refused(metrics('0.5', '10.5', '10'), /relevanceMetrics\[0\]\.score is 10\.5, outside/);
    refused(metrics('0.5', '1', '0'), /relevanceMetrics\[0\]\.audienceSize\.value is 0, outside/);
    refused(metrics('0.5', '1', '20000001'), /audienceSize\.value is 20000001/);
    refused(metrics('0.5', '1', '1.5'), /audienceSize\.value is 1\.5, not an integer/);
    refused(metrics('0.5', '1', '1e400'), /audienceSize\.value is Infinity/);
  });
});

describe('text from AWS', () => {
  const huge = 'x'.repeat(4 * 1024 * 1024);
  it('caps a status message, status code, name and description at ~500 characters', () => {
    const out = deserializeGetJob(
      JSON.stringify({ ...BASE, name: huge, description: huge, statusDetails: { statusCode: huge, message: huge } }),
    );
    for (const v of [out.name, out.description!, out.statusDetails!.statusCode!, out.statusDetails!.message!]) {
      assert.ok(v.length <= MAX_TEXT + 40, `kept ${v.length} characters`);
      assert.match(v, /more characters\]$/);
    }
    const list = deserializeListJobs(JSON.stringify({ audienceGenerationJobs: [{ ...BASE, name: huge, description: huge }] }));
    assert.ok(list.audienceGenerationJobs[0]!.name.length <= MAX_TEXT + 40);
    assert.ok(list.audienceGenerationJobs[0]!.description!.length <= MAX_TEXT + 40);
  });
  it('refuses identifiers longer than the model allows, with a short error', () => {
    refused(
      JSON.stringify({ ...BASE, audienceGenerationJobArn: `${ARN}${'a'.repeat(3000)}` }),
      /audienceGenerationJobArn is \d+ characters long, more than the 2048/,
    );
    refused(JSON.stringify({ ...BASE, status: huge }), /member status is \d+ characters long/);
    refused(JSON.stringify({ ...BASE, protectedQueryIdentifier: huge }), /protectedQueryIdentifier/);
    assert.throws(
      () => deserializeListJobs(JSON.stringify({ audienceGenerationJobs: [], nextToken: 't'.repeat(10_241) })),
      /nextToken is 10241 characters long/,
    );
  });
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
  it('never cuts a surrogate pair in half', () => {
    const s = `${'a'.repeat(499)}😀${'b'.repeat(10)}`;
    const c = capText(s);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(c), 'a lone high surrogate');
    assert.equal(capText('short'), 'short');
    // At most MAX_TEXT characters, so capping again changes nothing.
    const once = capText('y'.repeat(100_000));
    assert.equal(once.length <= MAX_TEXT, true);
    assert.equal(capText(once), once);
  });
});
