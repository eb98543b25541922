// The generic request builder and deserializer, from plain values: labels as one encoded
// segment, query parameters, and every way an answer can break the model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { buildRequest, refParams } from '../../src/aws/resource-client.js';
import { deserializeResourceGet, deserializeResourceList } from '../../src/aws/resource-deserialize.js';
import { KINDS } from '../../src/kinds/index.js';

const M = '11111111-1111-4111-8111-111111111111';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const TM = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${M}/trained-model/team/tm.1`;
const tm = KINDS.trainedModel;
const getTm = tm.get.member!;
const listTm = tm.lists[0]!;

const tmWire = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  membershipIdentifier: M,
  collaborationIdentifier: C,
  trainedModelArn: TM,
  name: 'tm',
  status: 'ACTIVE',
  configuredModelAlgorithmAssociationArn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${M}/configured-model-algorithm-association/a`,
  createTime: '2026-11-28T10:00:00Z',
  updateTime: '2026-11-28T11:00:00.5+01:00',
  dataChannels: [],
  ...over,
});
const malformed =
  (re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && !e.retryable && re.test(e.message);

describe('buildRequest', () => {
  it('encodes each label as one segment and sends only given query parameters', () => {
    const r = buildRequest(getTm, refParams({ arn: TM, versionIdentifier: 'v', parents: { membershipId: M } }));
    assert.equal(
      r.path,
      `/memberships/${M}/trained-models/arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Amembership%2F${M}%2Ftrained-model%2Fteam%2Ftm.1`,
    );
    assert.deepEqual(r.query, { versionIdentifier: 'v' });
    assert.deepEqual(buildRequest(getTm, { arn: TM, membershipId: M }).query, {});
    const inf = KINDS.trainedModelInferenceJob.lists[0]!;
    assert.deepEqual(buildRequest(inf, { membershipId: M, trainedModelArn: TM, collaborationId: C }).query, { trainedModelArn: TM });
  });

  it('refuses a missing label before sending, naming it', () => {
    assert.throws(
      () => buildRequest(getTm, { arn: TM }),
      (e: unknown) =>
        e instanceof CleanRoomsMlError && e.name === 'ValidationException' && /membershipIdentifier \(from membershipId\)/.test(e.message),
    );
    assert.throws(
      () => buildRequest(KINDS.trainedModelExportJob.lists[0]!, { collaborationId: C, trainedModelArn: '' }),
      /trainedModelArn/,
    );
  });
});

describe('deserialize', () => {
  it('reads a Get: times to epoch ms, parents, results, labels; drops what it does not declare', () => {
    const s = deserializeResourceGet(
      tm,
      getTm,
      JSON.stringify(
        tmWire({
          versionIdentifier: 'a1a1a1a1-0000-4000-8000-000000000001',
          stoppingCondition: { maxRuntimeInSeconds: 3600 },
          metricsStatus: 'PUBLISH_SOMETIMES',
          resourceConfig: { instanceType: 'ml.new.type', instanceCount: 2, volumeSizeInGB: 100 },
          hyperparameters: { secret: 'x' },
          statusDetails: { statusCode: 'OK', message: null },
        }),
      ),
    );
    assert.equal(s.createTime, Date.parse('2026-11-28T10:00:00Z'));
    assert.equal(s.updateTime, Date.parse('2026-11-28T10:00:00.500Z'));
    assert.equal(s.id, `${TM}#version=a1a1a1a1-0000-4000-8000-000000000001`);
    assert.deepEqual(s.parents, {
      membershipId: M,
      collaborationId: C,
      // Its own model's ARN: what the versions List of that model is called for.
      trainedModelArn: TM,
      configuredModelAlgorithmAssociationArn: tmWire()['configuredModelAlgorithmAssociationArn'],
    });
    assert.equal(s.results['metrics_status'], 'PUBLISH_SOMETIMES', 'an unknown enum value is kept');
    assert.deepEqual(s.results['instances'], [{ labels: {}, value: 2 }]);
    assert.equal(s.labels['instance_type'], 'ml.new.type');
    assert.deepEqual(s.statusDetails, { statusCode: 'OK' });
    assert.equal(s.detail, 'full');
    assert.ok(!JSON.stringify(s).includes('secret'));
  });

  it('keeps an unknown status', () => {
    assert.equal(deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ status: 'PAUSED' }))).status, 'PAUSED');
  });

  it('refuses answers that break the model, naming the member', () => {
    assert.throws(() => deserializeResourceGet(tm, getTm, '<html>'), malformed(/GetTrainedModel: response body is not JSON/));
    assert.throws(() => deserializeResourceGet(tm, getTm, '[]'), malformed(/not a JSON object/));
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ dataChannels: undefined }))),
      malformed(/required member dataChannels is missing/),
    );
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ status: null }))),
      malformed(/required member status is missing/),
    );
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ updateTime: '2026-02-31T00:00:00Z' }))),
      malformed(/updateTime is not an ISO-8601 timestamp/),
    );
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ createTime: 1795000000 }))),
      malformed(/createTime is not an ISO-8601 timestamp/),
    );
    // Outside the model's documented range is no break: accepted as given (and reported, aws-resource-bounds.test.ts).
    assert.deepEqual(
      deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ stoppingCondition: { maxRuntimeInSeconds: 2_419_201 } }))).results[
        'max_runtime_seconds'
      ],
      [{ labels: {}, value: 2_419_201 }],
    );
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ stoppingCondition: { maxRuntimeInSeconds: '60' } }))),
      malformed(/not a finite number/),
    );
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ stoppingCondition: 5 }))),
      malformed(/stoppingCondition is not an object/),
    );
    assert.throws(() => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ name: 7 }))), malformed(/name is not a string/));
    assert.throws(
      () => deserializeResourceGet(tm, getTm, JSON.stringify(tmWire({ statusDetails: 'bad' }))),
      malformed(/statusDetails is not an object/),
    );
    const ch = KINDS.mlInputChannel;
    const chWire = {
      membershipIdentifier: M,
      collaborationIdentifier: C,
      mlInputChannelArn: 'arn:c',
      name: 'c',
      configuredModelAlgorithmAssociations: [],
      status: 'ACTIVE',
      retentionInDays: 1,
      createTime: '2026-11-28T10:00:00Z',
      updateTime: '2026-11-28T10:00:00Z',
      inputChannel: {},
    };
    assert.throws(
      () =>
        deserializeResourceGet(
          ch,
          ch.get.member!,
          JSON.stringify({ ...chWire, privacyBudgets: { accessBudgets: [{ aggregateRemainingBudget: 3 }] } }),
        ),
      malformed(/privacyBudgets\.accessBudgets\[0\]\.resourceArn is missing/),
    );
    assert.deepEqual(deserializeResourceGet(ch, ch.get.member!, JSON.stringify({ ...chWire, sizeInGb: -1 })).results['size_bytes'], [
      { labels: {}, value: -1 },
    ]);
    assert.deepEqual(
      deserializeResourceGet(ch, ch.get.member!, JSON.stringify({ ...chWire, numberOfRecords: 100_000_000_000 })).results['records'],
      [{ labels: {}, value: 100_000_000_000 }],
    );
  });

  it('reads List pages: items as summaries, nextToken, an empty token as the end', () => {
    const page = deserializeResourceList(tm, listTm, JSON.stringify({ trainedModels: [tmWire()], nextToken: 'abc' }));
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0]!.detail, 'summary');
    assert.equal(page.nextToken, 'abc');
    assert.deepEqual(deserializeResourceList(tm, listTm, JSON.stringify({ trainedModels: [], nextToken: '' })), { items: [] });
    assert.throws(
      () => deserializeResourceList(tm, listTm, JSON.stringify({ items: [] })),
      malformed(/required member trainedModels is missing/),
    );
    // An item that cannot be read is refused alone, naming it; the page is still read.
    const refused = deserializeResourceList(tm, listTm, JSON.stringify({ trainedModels: [tmWire({ createTime: 'x' }), tmWire()] }));
    assert.equal(refused.items.length, 1);
    assert.match(refused.refused![0]!.message, /^ListTrainedModels\.trainedModels\[0\]: member createTime is not an ISO-8601 timestamp/);
    assert.throws(
      () => deserializeResourceList(tm, listTm, JSON.stringify({ trainedModels: [], nextToken: 5 })),
      malformed(/nextToken is not a string/),
    );
  });

  it('an ARN-less kind gets its identity from the item', () => {
    const ex = KINDS.audienceExportJob;
    const page = deserializeResourceList(
      ex,
      ex.lists[0]!,
      JSON.stringify({
        audienceExportJobs: [
          {
            createTime: '2026-11-28T10:00:00Z',
            updateTime: '2026-11-28T10:05:00Z',
            name: 'e',
            audienceGenerationJobArn: 'arn:j',
            audienceSize: { type: 'ABSOLUTE', value: 500 },
            status: 'CREATE_FAILED',
            statusDetails: { statusCode: 'QUOTA', message: 'too many' },
          },
        ],
      }),
    );
    const s = page.items[0]!;
    assert.equal(s.id, 'arn:j#export=e@2026-11-28T10:00:00.000Z');
    assert.deepEqual(s.statusDetails, { statusCode: 'QUOTA', message: 'too many' });
    assert.deepEqual(s.results['audience_size'], [{ labels: { audience_size_type: 'ABSOLUTE' }, value: 500 }]);
  });
});
