// The client against the simulator over real HTTP on 127.0.0.1, signature verification on.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCleanRoomsMlClient } from '../../src/aws/client.js';
import { CleanRoomsMlError, classifyError } from '../../src/aws/errors.js';
import type { ApiOutcome, CleanRoomsMlApi, Operation } from '../../src/aws/types.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDSIMTEST', secretAccessKey: 'sim-secret-key' };
const ACCOUNT = '123456789012';
const arnOf = (id: string) => `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:audience-generation-job/${id}`;
const MODEL_A = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:configured-audience-model/model-a`;
const MODEL_B = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}:configured-audience-model/model-b`;
const COLLAB_1 = '11111111-1111-4111-8111-111111111111';
const COLLAB_2 = '22222222-2222-4222-8222-222222222222';

function isErr(name: string, status: number, extra?: (e: CleanRoomsMlError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof CleanRoomsMlError, `expected CleanRoomsMlError, got ${String(e)}`);
    assert.equal(e.name, name);
    assert.equal(e.httpStatus, status);
    extra?.(e);
    return true;
  };
}

describe('client <-> simulator', () => {
  let sim: Simulator;
  let client: CleanRoomsMlApi;
  const observed: Array<[Operation, ApiOutcome]> = [];
  let now = Date.parse('2026-11-28T12:00:00.000Z');

  before(async () => {
    sim = await startSimulator({ credentials: CREDS, clock: { now: () => now } });
    client = createCleanRoomsMlClient({
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

  it('gets a job with exact values and Date timestamps (ARN with / in its id)', async () => {
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
    const out = await client.getAudienceGenerationJob({ audienceGenerationJobArn: arn });
    assert.ok(out.createTime instanceof Date && out.updateTime instanceof Date);
    assert.deepEqual(out, {
      createTime: new Date('2026-11-28T10:00:00.000Z'),
      updateTime: new Date('2026-11-28T11:30:15.123Z'),
      audienceGenerationJobArn: arn,
      name: 'lookalike',
      description: 'desc',
      status: 'ACTIVE',
      statusDetails: { statusCode: 'OK', message: 'fine' },
      configuredAudienceModelArn: MODEL_A,
      seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/seed' },
      collaborationId: COLLAB_1,
      metrics: { relevanceMetrics: [{ audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 0.8 }], recallMetric: 0.4 },
      startedBy: ACCOUNT,
      tags: { k: 'v' },
      protectedQueryIdentifier: 'pq',
    });
    assert.deepEqual(observed, [['GetAudienceGenerationJob', 'success']]);
  });

  it('pages 250 jobs with maxResults 100 into 3 pages, every ARN exactly once', async () => {
    const want = Array.from({ length: 250 }, (_, i) => arnOf(`job-${String(i).padStart(4, '0')}`));
    sim.putJobs(want.map((arn, i) => ({ arn, name: `j${i}`, status: 'ACTIVE' })));
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await client.listAudienceGenerationJobs({ maxResults: 100, ...(token ? { nextToken: token } : {}) });
      sizes.push(page.audienceGenerationJobs.length);
      for (const s of page.audienceGenerationJobs) {
        seen.push(s.audienceGenerationJobArn);
        assert.ok(s.updateTime instanceof Date);
        assert.equal(s.status, 'ACTIVE');
      }
      token = page.nextToken;
    } while (token);
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual([...seen].sort(), [...want].sort());
    assert.equal(new Set(seen).size, 250);
  });

  it('keeps pagination stable when jobs are inserted between pages', async () => {
    sim.putJobs(Array.from({ length: 20 }, (_, i) => ({ arn: arnOf(`m-${String(i).padStart(2, '0')}`), name: `j${i}` })));
    const p1 = await client.listAudienceGenerationJobs({ maxResults: 10 });
    sim.putJobs([
      { arn: arnOf('a-inserted-before'), name: 'early' },
      { arn: arnOf('z-inserted-after'), name: 'late' },
    ]);
    const p2 = await client.listAudienceGenerationJobs({ maxResults: 10, nextToken: p1.nextToken! });
    const p3 = await client.listAudienceGenerationJobs({ maxResults: 10, nextToken: p2.nextToken! });
    const all = [...p1.audienceGenerationJobs, ...p2.audienceGenerationJobs, ...p3.audienceGenerationJobs].map(
      (s) => s.audienceGenerationJobArn,
    );
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
    const names = async (input: Parameters<CleanRoomsMlApi['listAudienceGenerationJobs']>[0]) =>
      (await client.listAudienceGenerationJobs(input)).audienceGenerationJobs.map((s) => s.name).sort();
    assert.deepEqual(await names({ collaborationId: COLLAB_1 }), ['c1a', 'c1b']);
    assert.deepEqual(await names({ configuredAudienceModelArn: MODEL_A }), ['c1a', 'c2a']);
    assert.deepEqual(await names({ collaborationId: COLLAB_1, configuredAudienceModelArn: MODEL_A }), ['c1a']);
    assert.deepEqual(await names({ collaborationId: '33333333-3333-4333-8333-333333333333' }), []);
  });

  it('maps every error type', async () => {
    await assert.rejects(
      client.getAudienceGenerationJob({ audienceGenerationJobArn: arnOf('missing') }),
      isErr('ResourceNotFoundException', 404, (e) => {
        assert.equal(e.outcome, 'not_found');
        assert.equal(e.retryable, false);
        assert.ok(e.requestId);
      }),
    );
    await assert.rejects(
      client.getAudienceGenerationJob({ audienceGenerationJobArn: 'arn:aws:s3:::bucket/key-of-some-length' }),
      isErr('ValidationException', 400, (e) => assert.match(e.message, /audienceGenerationJobArn.*regular expression/)),
    );
    await assert.rejects(
      client.listAudienceGenerationJobs({ maxResults: 0 }),
      isErr('ValidationException', 400, (e) => assert.match(e.message, /maxResults/)),
    );
    await assert.rejects(client.listAudienceGenerationJobs({ maxResults: 101 }), isErr('ValidationException', 400));
    await assert.rejects(
      client.listAudienceGenerationJobs({ nextToken: 'garbage' }),
      isErr('ValidationException', 400, (e) => assert.match(e.message, /nextToken/)),
    );
    await assert.rejects(client.listAudienceGenerationJobs({ collaborationId: 'not-a-uuid' }), isErr('ValidationException', 400));

    sim.setFaults({ throttleRatio: 1 });
    await assert.rejects(
      client.listAudienceGenerationJobs({}),
      isErr('ThrottlingException', 429, (e) => {
        assert.equal(e.retryable, true);
        assert.equal(e.outcome, 'throttled');
      }),
    );
    sim.setFaults({ errorRatio: 1 });
    await assert.rejects(
      client.getAudienceGenerationJob({ audienceGenerationJobArn: arnOf('x') }),
      isErr('InternalServiceException', 500, (e) => assert.equal(classifyError(e).retryable, true)),
    );
    sim.setFaults({});
    assert.deepEqual(
      observed.map(([, o]) => o),
      ['not_found', 'validation', 'validation', 'validation', 'validation', 'validation', 'throttled', 'error'],
    );
    assert.deepEqual(sim.stats().requests['ListAudienceGenerationJobs'], {
      success: 0,
      throttled: 1,
      not_found: 0,
      access_denied: 0,
      validation: 4,
      error: 0,
    });
  });

  it('throttles beyond maxRequestsPerSecond (token bucket on the injected clock)', async () => {
    sim.setFaults({ maxRequestsPerSecond: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await client.listAudienceGenerationJobs({}).then(
          () => 'ok',
          (e: CleanRoomsMlError) => e.name,
        ),
      );
    }
    assert.deepEqual(outcomes, ['ok', 'ok', 'ThrottlingException', 'ThrottlingException']);
    now += 1000;
    assert.deepEqual((await client.listAudienceGenerationJobs({})).audienceGenerationJobs, []);
    sim.setFaults({});
  });

  it('refuses a bad signature and an unknown access key', async () => {
    const wrongSecret = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => ({ ...CREDS, secretAccessKey: 'wrong' }),
    });
    await assert.rejects(
      wrongSecret.listAudienceGenerationJobs({ collaborationId: COLLAB_1 }),
      isErr('InvalidSignatureException', 403, (e) => {
        assert.equal(e.outcome, 'access_denied');
        assert.equal(e.retryable, false);
        assert.ok(!e.message.includes('wrong'));
      }),
    );
    const wrongKey = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => ({ ...CREDS, accessKeyId: 'AKIDOTHER' }),
    });
    await assert.rejects(
      wrongKey.getAudienceGenerationJob({ audienceGenerationJobArn: arnOf('x') }),
      isErr('UnrecognizedClientException', 403),
    );
    // Session tokens are signed too.
    const withToken = createCleanRoomsMlClient({
      region: 'eu-west-1',
      endpoint: sim.url,
      credentials: async () => ({ ...CREDS, sessionToken: 'tok' }),
    });
    assert.deepEqual((await withToken.listAudienceGenerationJobs({ maxResults: 5 })).audienceGenerationJobs, []);
  });

  it('times out (latencyMs) with a retryable TimeoutError', async () => {
    sim.setFaults({ latencyMs: 500 });
    const fast = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => CREDS,
      requestTimeoutMs: 100,
    });
    await assert.rejects(
      fast.listAudienceGenerationJobs({}),
      isErr('TimeoutError', 0, (e) => {
        assert.equal(e.retryable, true);
        assert.equal(e.outcome, 'error');
      }),
    );
    sim.setFaults({});
  });

  it("rethrows the caller's abort reason untouched", async () => {
    sim.setFaults({ latencyMs: 300 });
    const ac = new AbortController();
    const p = client.listAudienceGenerationJobs({}, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError' && !(e instanceof CleanRoomsMlError));
    sim.setFaults({});
  });

  it('wraps credential failures as a retryable CredentialsError without secrets', async () => {
    const broken = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => {
        throw new Error('no IMDS');
      },
    });
    await assert.rejects(
      broken.listAudienceGenerationJobs({}),
      isErr('CredentialsError', 0, (e) => {
        assert.equal(e.retryable, true);
        assert.match(e.message, /no IMDS/);
      }),
    );
  });
});
