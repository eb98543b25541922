import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserializeGetJob, deserializeListJobs } from '../../src/aws/deserialize.js';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { jobToWire, snapshotFromJob, snapshotFromSummary } from '../../src/aws/snapshot.js';
import { parseIsoTimestamp } from '../../src/aws/timestamps.js';

const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/job-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const WIRE = {
  createTime: '2026-11-28T12:00:00.000Z',
  updateTime: '2026-11-28T12:05:30.250Z',
  audienceGenerationJobArn: ARN,
  name: 'lookalike',
  description: 'd',
  status: 'ACTIVE',
  statusDetails: { statusCode: 'OK', message: 'done' },
  configuredAudienceModelArn: MODEL,
  seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/r', sqlParameters: { queryString: 'SELECT secret FROM t' } },
  includeSeedInOutput: false,
  collaborationId: '5f6e7d8c-0000-4000-8000-000000000001',
  metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 4.2 }], recallMetric: 0.42 },
  startedBy: '123456789012',
  tags: { team: 'ml' },
  protectedQueryIdentifier: 'pq-1',
  someFutureMember: 1,
};

describe('deserializeGetJob + snapshotFromJob', () => {
  it('parses dates and never copies seedAudience or tags into the snapshot', () => {
    const out = deserializeGetJob(JSON.stringify(WIRE));
    assert.ok(out.createTime instanceof Date);
    assert.equal(out.updateTime.toISOString(), '2026-11-28T12:05:30.250Z');
    assert.equal(out.tags?.['team'], 'ml');
    const s = snapshotFromJob(out);
    assert.deepEqual(s, {
      arn: ARN,
      name: 'lookalike',
      status: 'ACTIVE',
      createTime: Date.parse(WIRE.createTime),
      updateTime: Date.parse(WIRE.updateTime),
      configuredAudienceModelArn: MODEL,
      collaborationId: WIRE.collaborationId,
      description: 'd',
      statusDetails: { statusCode: 'OK', message: 'done' },
      metrics: WIRE.metrics,
      startedBy: '123456789012',
      protectedQueryIdentifier: 'pq-1',
      includeSeedInOutput: false,
      detail: 'full',
    });
    const text = JSON.stringify(s) + JSON.stringify(jobToWire(s));
    assert.ok(!text.includes('SELECT'), 'seed SQL leaked');
    assert.ok(!text.includes('seedAudience') && !text.includes('tags'));
  });
  it('keeps unknown status values', () => {
    assert.equal(deserializeGetJob(JSON.stringify({ ...WIRE, status: 'ARCHIVED' })).status, 'ARCHIVED');
  });
  it('rejects a missing required member with MalformedResponseError', () => {
    const { name: _n, ...noName } = WIRE;
    assert.throws(
      () => deserializeGetJob(JSON.stringify(noName)),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /name/.test(e.message) && !e.retryable,
    );
  });
  it('rejects invalid timestamps', () => {
    for (const t of ['2026-11-28', '2026-02-31T00:00:00Z', 'yesterday', 1764331200]) {
      assert.throws(() => deserializeGetJob(JSON.stringify({ ...WIRE, createTime: t })), /createTime/, String(t));
    }
  });
  it('rejects non-JSON', () => {
    assert.throws(() => deserializeGetJob('<html>'), /not JSON/);
  });
});

describe('timestamps', () => {
  it('accepts the SDK forms', () => {
    assert.equal(parseIsoTimestamp('2026-11-28T12:00:00Z'), Date.UTC(2026, 10, 28, 12));
    assert.equal(parseIsoTimestamp('2026-11-28T12:00:00.123456Z'), Date.UTC(2026, 10, 28, 12, 0, 0, 123));
    assert.equal(parseIsoTimestamp('2026-11-28T14:00:00+02:00'), Date.UTC(2026, 10, 28, 12));
  });
});

describe('snapshotFromSummary + jobToWire', () => {
  it('converts a summary', () => {
    const list = deserializeListJobs(
      JSON.stringify({
        audienceGenerationJobs: [
          {
            createTime: WIRE.createTime,
            updateTime: WIRE.updateTime,
            audienceGenerationJobArn: ARN,
            name: 'n',
            status: 'CREATE_IN_PROGRESS',
            configuredAudienceModelArn: MODEL,
          },
        ],
        nextToken: 'tok',
      }),
    );
    assert.equal(list.nextToken, 'tok');
    const s = snapshotFromSummary(list.audienceGenerationJobs[0]!);
    assert.equal(s.detail, 'summary');
    assert.equal(s.status, 'CREATE_IN_PROGRESS');
    assert.equal(s.metrics, undefined);
  });
  it('produces the Get shape with ISO timestamps', () => {
    const s = snapshotFromJob(deserializeGetJob(JSON.stringify(WIRE)));
    const w = jobToWire(s);
    assert.equal(w['createTime'], '2026-11-28T12:00:00.000Z');
    assert.equal(w['audienceGenerationJobArn'], ARN);
    assert.deepEqual(Object.keys(w).slice(0, 4), ['createTime', 'updateTime', 'audienceGenerationJobArn', 'name']);
    // Round trip: the wire form parses back to the same snapshot.
    assert.deepEqual(snapshotFromJob(deserializeGetJob(JSON.stringify(w))), s);
  });
});
