// An audience generation job read through the generic deserializer (the kind's declaration):
// every member the monitor keeps, the allow-list (never the seed audience; tags in the snapshot,
// never in the Get shape written back), the refusals, and the Get shape written back for webhook
// bodies and `once --json`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { deserializeResourceGet, deserializeResourceList } from '../../src/aws/resource-deserialize.js';
import { resourceToWire } from '../../src/aws/resource-wire.js';
import { KINDS } from '../../src/kinds/index.js';

const AGJ = KINDS.audienceGenerationJob;
const GET = AGJ.get.member!;
const LIST = AGJ.lists[0]!;
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/job-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
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
  collaborationId: COLLAB,
  metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 4.2 }], recallMetric: 0.42 },
  startedBy: '123456789012',
  tags: { team: 'ml' },
  protectedQueryIdentifier: 'pq-1',
  someFutureMember: 1,
};
const MINIMAL = {
  createTime: '2026-11-28T12:00:00Z',
  updateTime: '2026-11-28T14:00:00+02:00',
  audienceGenerationJobArn: ARN,
  name: 'n',
  status: 'CREATE_IN_PROGRESS',
  configuredAudienceModelArn: MODEL,
};
const getJob = (body: unknown) => deserializeResourceGet(AGJ, GET, JSON.stringify(body));
const malformed =
  (re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && !e.retryable && re.test(e.message);

describe('GetAudienceGenerationJob through the declaration', () => {
  it('reads every member the monitor keeps and the tags, never seedAudience', () => {
    const s = getJob(WIRE);
    assert.deepEqual(s, {
      kind: 'audienceGenerationJob',
      id: ARN,
      arn: ARN,
      name: 'lookalike',
      status: 'ACTIVE',
      createTime: Date.parse(WIRE.createTime),
      updateTime: Date.parse(WIRE.updateTime),
      statusDetails: { statusCode: 'OK', message: 'done' },
      parents: { collaborationId: COLLAB, configuredAudienceModelArn: MODEL },
      results: {
        relevance_score: [{ labels: { audience_size_type: 'ABSOLUTE', audience_size: '10000' }, value: 4.2 }],
        recall_ratio: [{ labels: {}, value: 0.42 }],
      },
      labels: { collaboration_id: COLLAB, configured_audience_model_arn: MODEL },
      attributes: { description: 'd', includeSeedInOutput: false, startedBy: '123456789012', protectedQueryIdentifier: 'pq-1' },
      detail: 'full',
      view: 'member',
      tags: { team: 'ml' },
    });
    const text = JSON.stringify(s) + JSON.stringify(resourceToWire(AGJ, s));
    assert.ok(!text.includes('SELECT'), 'seed SQL leaked');
    assert.ok(!text.includes('seedAudience') && !text.includes('someFutureMember'));
    assert.ok(
      !JSON.stringify(resourceToWire(AGJ, s)).includes('tags'),
      'the Get shape written back has no tags (webhooks carry them in data.tags)',
    );
  });

  it('tags: absent from the answer means none; a value that is not a string refuses the Get; past the model bounds noted', () => {
    const { tags: _t, ...untagged } = WIRE;
    assert.deepEqual(getJob(untagged).tags, {});
    assert.deepEqual(getJob({ ...WIRE, tags: null }).tags, {});
    assert.deepEqual(
      getJob({ ...WIRE, tags: JSON.parse('{"__proto__":"x","team":"ml"}') }).tags,
      JSON.parse('{"__proto__":"x","team":"ml"}'),
    );
    assert.throws(() => getJob({ ...WIRE, tags: ['team'] }), malformed(/member tags is not a map/));
    assert.throws(() => getJob({ ...WIRE, tags: { team: 7 } }), malformed(/member tags value of key "team" is not a string/));
    const issues: Array<{ member: string; problem: string }> = [];
    const long = deserializeResourceGet(AGJ, GET, JSON.stringify({ ...WIRE, tags: { team: 'v'.repeat(300) } }), undefined, (i) =>
      issues.push(i as never),
    );
    assert.equal(long.tags?.['team']?.length, 300, 'kept as given');
    assert.deepEqual(
      issues.map((i) => [i.member, i.problem]),
      [['tags', 'is 300 characters long, more than the 256 the model allows']],
    );
    // A List item carries no tags: nothing is said about them.
    const page = deserializeResourceList(AGJ, LIST, JSON.stringify({ audienceGenerationJobs: [{ ...MINIMAL, tags: { team: 'x' } }] }));
    assert.equal(page.items[0]!.tags, undefined);
  });

  it('keeps unknown status values', () => {
    assert.equal(getJob({ ...WIRE, status: 'ARCHIVED' }).status, 'ARCHIVED');
  });

  it('refuses a missing required member, invalid timestamps and non-JSON with MalformedResponseError', () => {
    const { name: _n, ...noName } = WIRE;
    assert.throws(() => getJob(noName), malformed(/GetAudienceGenerationJob: required member name is missing/));
    const { configuredAudienceModelArn: _m, ...noModel } = WIRE;
    assert.throws(() => getJob(noModel), malformed(/configuredAudienceModelArn/));
    for (const t of ['2026-11-28', '2026-02-31T00:00:00Z', 'yesterday', 1764331200]) {
      assert.throws(() => getJob({ ...WIRE, createTime: t }), malformed(/createTime/), String(t));
    }
    assert.throws(() => deserializeResourceGet(AGJ, GET, '<html>'), malformed(/not JSON/));
    assert.throws(() => getJob({ ...WIRE, includeSeedInOutput: 'yes' }), malformed(/includeSeedInOutput is not a boolean/));
    assert.throws(() => getJob({ ...WIRE, statusDetails: 'failed' }), malformed(/statusDetails is not an object/));
    assert.throws(() => getJob({ ...WIRE, metrics: { relevanceMetrics: {} } }), malformed(/metrics\.relevanceMetrics is not a list/));
    assert.throws(
      () => getJob({ ...WIRE, metrics: { relevanceMetrics: [{ score: 1 }] } }),
      malformed(/relevanceMetrics\[0\]\.audienceSize\.type is missing \(the audience_size_type of relevance_score\)/),
    );
  });

  it('round-trips: the Get shape it writes reads back to the same snapshot', () => {
    const s = getJob(WIRE);
    const w = resourceToWire(AGJ, s);
    assert.equal(w['createTime'], '2026-11-28T12:00:00.000Z');
    assert.deepEqual(Object.keys(w).slice(0, 4), ['createTime', 'updateTime', 'audienceGenerationJobArn', 'name']);
    assert.deepEqual(w['metrics'], WIRE.metrics, 'audience sizes are numbers again');
    assert.deepEqual(deserializeResourceGet(AGJ, GET, JSON.stringify(w)), { ...s, tags: {} });
  });
});

describe('ListAudienceGenerationJobs through the declaration', () => {
  const summary = { ...MINIMAL, description: 'd', collaborationId: COLLAB, startedBy: '123456789012' };

  it('reads summaries: no details', () => {
    const text = JSON.stringify({ audienceGenerationJobs: [summary], nextToken: 'tok' });
    const page = deserializeResourceList(AGJ, LIST, text);
    assert.equal(page.nextToken, 'tok');
    const s = page.items[0]!;
    assert.equal(s.detail, 'summary');
    assert.equal(s.status, 'CREATE_IN_PROGRESS');
    assert.deepEqual(s.results, {});
    assert.equal(s.statusDetails, undefined);
    assert.deepEqual(s, {
      kind: 'audienceGenerationJob',
      id: ARN,
      arn: ARN,
      name: 'n',
      status: 'CREATE_IN_PROGRESS',
      createTime: Date.parse('2026-11-28T12:00:00Z'),
      updateTime: Date.parse('2026-11-28T12:00:00Z'),
      parents: { collaborationId: COLLAB, configuredAudienceModelArn: MODEL },
      results: {},
      labels: { collaboration_id: COLLAB, configured_audience_model_arn: MODEL },
      attributes: { description: 'd', startedBy: '123456789012' },
      detail: 'summary',
      view: 'member',
    });
  });

  it('an empty or absent nextToken ends the pagination; a wrong one is refused', () => {
    assert.deepEqual(deserializeResourceList(AGJ, LIST, '{"audienceGenerationJobs":[],"nextToken":""}'), { items: [] });
    assert.deepEqual(deserializeResourceList(AGJ, LIST, '{"audienceGenerationJobs":[],"nextToken":null}'), { items: [] });
    assert.throws(
      () => deserializeResourceList(AGJ, LIST, '{"audienceGenerationJobs":[],"nextToken":7}'),
      malformed(/ListAudienceGenerationJobs: member nextToken is not a string/),
    );
    assert.throws(
      () => deserializeResourceList(AGJ, LIST, '{"jobs":[]}'),
      malformed(/required member audienceGenerationJobs is missing or not a list/),
    );
    // An item that cannot be read costs only itself: the page's other items are read.
    const notObject = deserializeResourceList(AGJ, LIST, JSON.stringify({ audienceGenerationJobs: [summary, 'x'] }));
    assert.equal(notObject.items.length, 1);
    assert.deepEqual(notObject.refused, [
      { index: 1, member: '', message: 'ListAudienceGenerationJobs.audienceGenerationJobs[1] is not an object' },
    ]);
    const badTime = deserializeResourceList(
      AGJ,
      LIST,
      JSON.stringify({ audienceGenerationJobs: [{ ...summary, updateTime: 'soon' }, summary] }),
    );
    assert.equal(badTime.items.length, 1);
    assert.equal(badTime.refused?.[0]?.id, summary.audienceGenerationJobArn);
    assert.match(badTime.refused![0]!.message, /audienceGenerationJobs\[0\]: member updateTime is not an ISO-8601 timestamp/);
  });
});
