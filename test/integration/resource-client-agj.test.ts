// The generic client reads audience generation jobs from the simulator over real HTTP on
// 127.0.0.1 (signature verification on) as the first, job-only client did: exact values, paging,
// filters, every error type with its outcome, throttling, signatures, timeouts, aborts and
// credential failures, each request observed under the model's operation name.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ApiOutcome, Operation } from '../../src/aws/api.js';
import { CleanRoomsMlError, classifyError } from '../../src/aws/errors.js';
import { createResourceClient, type ResourceClient } from '../../src/aws/resource-client.js';
import { listAll } from '../helpers/list-all.js';
import { resourceToWire } from '../../src/aws/resource-wire.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { KINDS } from '../../src/kinds/index.js';
import type { OperationParams } from '../../src/kinds/kind.js';

const CREDS = { accessKeyId: 'AKIDSIMTEST', secretAccessKey: 'sim-secret-key' };
const ACCOUNT = '123456789012';
const arnOf = (id: string) => `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:audience-generation-job/${id}`;
const MODEL_A = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:configured-audience-model/model-a`;
const MODEL_B = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:configured-audience-model/model-b`;
const COLLAB_1 = '11111111-1111-4111-8111-111111111111';
const COLLAB_2 = '22222222-2222-4222-8222-222222222222';
const AGJ = KINDS.audienceGenerationJob;
const LIST = AGJ.lists[0]!;

function isErr(name: string, status: number, extra?: (e: CleanRoomsMlError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof CleanRoomsMlError, `expected CleanRoomsMlError, got ${String(e)}`);
    assert.equal(e.name, name);
    assert.equal(e.httpStatus, status);
    extra?.(e);
    return true;
  };
}

describe('generic client <-> simulator: audience generation jobs', () => {
  let sim: Simulator;
  let client: ResourceClient;
  const observed: Array<[Operation, ApiOutcome]> = [];
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const get = (arn: string, opts: { signal?: AbortSignal } = {}) => client.get(AGJ, { arn, parents: {} }, opts);
  const list = (params: OperationParams = {}, opts: { nextToken?: string; maxResults?: number; signal?: AbortSignal } = {}, c = client) =>
    c.list(AGJ, LIST, params, opts);
  const other = (creds: Partial<typeof CREDS> & { sessionToken?: string }, region = 'us-east-1', extra = {}) =>
    createResourceClient({ region, endpoint: sim.url, credentials: async () => ({ ...CREDS, ...creds }), ...extra });

  before(async () => {
    sim = await startSimulator({ credentials: CREDS, clock: { now: () => now } });
    client = createResourceClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => CREDS,
      requestTimeoutMs: 2000,
      observer: (op, outcome) => observed.push([op, outcome]),
    });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    observed.length = 0;
  });

  it('gets a job with exact values (ARN with / in its id) and its tags; the seed audience stays out, the Get shape written back carries no tags', async () => {
    const arn = arnOf('team-a/job.1_x');
    sim.putJobs([
      {
        arn,
        name: 'lookalike',
        description: 'desc',
        status: 'ACTIVE',
        collaborationId: COLLAB_1,
        configuredAudienceModelArn: MODEL_A,
        createTime: '2026-11-28T10:00:00.000Z',
        updateTime: '2026-11-28T11:30:15.123Z',
        statusDetails: { statusCode: 'OK', message: 'fine' },
        metrics: { relevanceMetrics: [{ audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 0.8 }], recallMetric: 0.4 },
        seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/seed' },
        tags: { k: 'v' },
        protectedQueryIdentifier: 'pq',
      },
    ]);
    const s = await get(arn);
    assert.deepEqual(s, {
      kind: 'audienceGenerationJob',
      id: arn,
      arn,
      name: 'lookalike',
      status: 'ACTIVE',
      createTime: Date.parse('2026-11-28T10:00:00.000Z'),
      updateTime: Date.parse('2026-11-28T11:30:15.123Z'),
      statusDetails: { statusCode: 'OK', message: 'fine' },
      parents: { collaborationId: COLLAB_1, configuredAudienceModelArn: MODEL_A },
      results: {
        relevance_score: [{ labels: { audience_size_type: 'PERCENTAGE', audience_size: '5' }, value: 0.8 }],
        recall_ratio: [{ labels: {}, value: 0.4 }],
      },
      labels: { collaboration_id: COLLAB_1, configured_audience_model_arn: MODEL_A },
      attributes: { description: 'desc', startedBy: ACCOUNT, protectedQueryIdentifier: 'pq' },
      detail: 'full',
      view: 'member',
      tags: { k: 'v' },
    });
    assert.ok(!JSON.stringify(resourceToWire(AGJ, s)).includes('seed'));
    assert.ok(!JSON.stringify(resourceToWire(AGJ, s)).includes('"tags"'), 'webhooks carry tags in data.tags');
    assert.deepEqual(observed, [['GetAudienceGenerationJob', 'success']]);
  });

  it('pages 250 jobs with maxResults 100 into 3 pages, every ARN exactly once', async () => {
    const want = Array.from({ length: 250 }, (_, i) => arnOf(`job-${String(i).padStart(4, '0')}`));
    sim.putJobs(want.map((arn, i) => ({ arn, name: `j${i}`, status: 'ACTIVE' })));
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await list({}, token ? { nextToken: token } : {});
      sizes.push(page.items.length);
      for (const s of page.items) {
        seen.push(s.id);
        assert.equal(s.detail, 'summary');
        assert.equal(s.status, 'ACTIVE');
        assert.equal(typeof s.updateTime, 'number');
      }
      token = page.nextToken;
    } while (token);
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual([...seen].sort(), [...want].sort());
    assert.equal(new Set(seen).size, 250);
    assert.equal((await listAll(client, AGJ, LIST, {})).length, 250);
    assert.deepEqual(
      observed.map(([op]) => op),
      Array(6).fill('ListAudienceGenerationJobs'),
    );
  });

  it('keeps pagination stable when jobs are inserted between pages', async () => {
    sim.putJobs(Array.from({ length: 20 }, (_, i) => ({ arn: arnOf(`m-${String(i).padStart(2, '0')}`), name: `j${i}` })));
    const p1 = await list({}, { maxResults: 10 });
    sim.putJobs([
      { arn: arnOf('a-inserted-before'), name: 'early' },
      { arn: arnOf('z-inserted-after'), name: 'late' },
    ]);
    const p2 = await list({}, { maxResults: 10, nextToken: p1.nextToken! });
    const p3 = await list({}, { maxResults: 10, nextToken: p2.nextToken! });
    const all = [...p1.items, ...p2.items, ...p3.items].map((s) => s.id);
    assert.equal(new Set(all).size, all.length, 'no duplicates');
    for (let i = 0; i < 20; i++) assert.ok(all.includes(arnOf(`m-${String(i).padStart(2, '0')}`)));
    assert.equal(p3.nextToken, undefined);
  });

  it('filters by collaborationId, configuredAudienceModelArn and both (AND)', async () => {
    sim.putJobs([
      { arn: arnOf('c1-a'), name: 'c1a', collaborationId: COLLAB_1, configuredAudienceModelArn: MODEL_A },
      { arn: arnOf('c1-b'), name: 'c1b', collaborationId: COLLAB_1, configuredAudienceModelArn: MODEL_B },
      { arn: arnOf('c2-a'), name: 'c2a', collaborationId: COLLAB_2, configuredAudienceModelArn: MODEL_A },
    ]);
    const names = async (params: OperationParams) => (await list(params)).items.map((s) => s.name).sort();
    assert.deepEqual(await names({ collaborationId: COLLAB_1 }), ['c1a', 'c1b']);
    assert.deepEqual(await names({ configuredAudienceModelArn: MODEL_A }), ['c1a', 'c2a']);
    assert.deepEqual(await names({ collaborationId: COLLAB_1, configuredAudienceModelArn: MODEL_A }), ['c1a']);
    assert.deepEqual(await names({ collaborationId: '33333333-3333-4333-8333-333333333333' }), []);
  });

  it('maps every error type, observed under the operation with its outcome', async () => {
    await assert.rejects(
      get(arnOf('missing')),
      isErr('ResourceNotFoundException', 404, (e) => {
        assert.equal(e.outcome, 'not_found');
        assert.equal(e.retryable, false);
        assert.ok(e.requestId);
      }),
    );
    await assert.rejects(
      get('arn:aws:s3:::bucket/key-of-some-length'),
      isErr('ValidationException', 400, (e) => assert.match(e.message, /audienceGenerationJobArn.*regular expression/)),
    );
    await assert.rejects(
      list({}, { nextToken: 'garbage' }),
      isErr('ValidationException', 400, (e) => assert.match(e.message, /nextToken/)),
    );
    await assert.rejects(list({ collaborationId: 'not-a-uuid' }), isErr('ValidationException', 400));
    // Refused before sending (the service would answer 400): never a request, never observed.
    await assert.rejects(
      list({}, { maxResults: 0 }),
      isErr('ValidationException', 0, (e) => assert.match(e.message, /maxResults/)),
    );
    await assert.rejects(list({}, { maxResults: 101 }), isErr('ValidationException', 0));
    await assert.rejects(
      get(''),
      isErr('ValidationException', 0, (e) => assert.match(e.message, /audienceGenerationJobArn/)),
    );
    await assert.rejects(list({ collaborationId: '' }), isErr('ValidationException', 0));

    sim.setFaults({ throttleRatio: 1 });
    await assert.rejects(
      list(),
      isErr('ThrottlingException', 429, (e) => {
        assert.equal(e.retryable, true);
        assert.equal(e.outcome, 'throttled');
      }),
    );
    sim.setFaults({ errorRatio: 1 });
    await assert.rejects(
      get(arnOf('x')),
      isErr('InternalServiceException', 500, (e) => assert.equal(classifyError(e).retryable, true)),
    );
    sim.setFaults({});
    assert.deepEqual(observed, [
      ['GetAudienceGenerationJob', 'not_found'],
      ['GetAudienceGenerationJob', 'validation'],
      ['ListAudienceGenerationJobs', 'validation'],
      ['ListAudienceGenerationJobs', 'validation'],
      ['ListAudienceGenerationJobs', 'throttled'],
      ['GetAudienceGenerationJob', 'error'],
    ]);
    assert.deepEqual(sim.stats().requests['ListAudienceGenerationJobs'], {
      success: 0,
      throttled: 1,
      not_found: 0,
      access_denied: 0,
      validation: 2,
      error: 0,
    });
  });

  it('throttles beyond maxRequestsPerSecond (token bucket on the injected clock)', async () => {
    sim.setFaults({ maxRequestsPerSecond: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await list().then(
          () => 'ok',
          (e: CleanRoomsMlError) => e.name,
        ),
      );
    }
    assert.deepEqual(outcomes, ['ok', 'ok', 'ThrottlingException', 'ThrottlingException']);
    now += 1000;
    assert.deepEqual((await list()).items, []);
    sim.setFaults({});
  });

  it('refuses a bad signature and an unknown access key; signs session tokens', async () => {
    await assert.rejects(
      list({ collaborationId: COLLAB_1 }, {}, other({ secretAccessKey: 'wrong' })),
      isErr('InvalidSignatureException', 403, (e) => {
        assert.equal(e.outcome, 'access_denied');
        assert.equal(e.retryable, false);
        assert.ok(!e.message.includes('wrong'));
      }),
    );
    await assert.rejects(
      other({ accessKeyId: 'AKIDOTHER' }).get(AGJ, { arn: arnOf('x'), parents: {} }),
      isErr('UnrecognizedClientException', 403),
    );
    assert.deepEqual((await list({}, { maxResults: 5 }, other({ sessionToken: 'tok' }, 'eu-west-1'))).items, []);
  });

  it('times out (latencyMs) with a retryable TimeoutError', async () => {
    sim.setFaults({ latencyMs: 500 });
    await assert.rejects(
      list({}, {}, other({}, 'us-east-1', { requestTimeoutMs: 100 })),
      isErr('TimeoutError', 0, (e) => {
        assert.equal(e.retryable, true);
        assert.equal(e.outcome, 'error');
        assert.match(e.message, /ListAudienceGenerationJobs timed out after 100 ms/);
      }),
    );
    sim.setFaults({});
  });

  it("rethrows the caller's abort reason untouched", async () => {
    sim.setFaults({ latencyMs: 300 });
    const ac = new AbortController();
    const p = list({}, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError' && !(e instanceof CleanRoomsMlError));
    const g = get(arnOf('x'), { signal: ac.signal });
    await assert.rejects(g, (e: unknown) => (e as Error).name === 'AbortError');
    sim.setFaults({});
  });

  it('wraps credential failures as a retryable CredentialsError without secrets', async () => {
    const broken = createResourceClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => {
        throw new Error('no IMDS');
      },
    });
    await assert.rejects(
      broken.list(AGJ, LIST, {}),
      isErr('CredentialsError', 0, (e) => {
        assert.equal(e.retryable, true);
        assert.match(e.message, /no IMDS/);
      }),
    );
  });
});
