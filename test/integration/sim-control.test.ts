// The simulator's control API over HTTP (README "Simulator"): JSON, no signature.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/ctl-0001';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/ctl-model';
const COLLAB = '5f6e7d8c-0000-4000-8000-00000000c0de';

describe('simulator control API', () => {
  let sim: Simulator;
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(sim.url + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  before(async () => {
    sim = await startSimulator({ clock: { now: () => now }, seed: 42 });
  });
  after(() => sim.close());

  it('PUT adds jobs (generating ARNs) and GET returns them as Get does', async () => {
    const put = await call('PUT', '/_sim/jobs', {
      jobs: [
        { name: 'given', arn: ARN, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB, configuredAudienceModelArn: MODEL },
        { name: 'generated' },
      ],
    });
    assert.equal(put.status, 200);
    assert.equal(put.json.jobs.length, 2);
    assert.equal(put.json.jobs[0].audienceGenerationJobArn, ARN);
    assert.equal(put.json.jobs[0].createTime, '2026-11-28T12:00:00.000Z');
    assert.match(
      put.json.jobs[1].audienceGenerationJobArn,
      /^arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job\/[0-9a-f-]{36}$/,
    );
    assert.equal(put.json.jobs[1].status, 'CREATE_PENDING');
    const got = await call('GET', '/_sim/jobs');
    assert.equal(got.json.jobs.length, 2);
    assert.deepEqual(
      got.json.jobs.find((j: any) => j.audienceGenerationJobArn === ARN),
      put.json.jobs[0],
    );
  });

  it('generated ARNs are reproducible from the seed after reset', async () => {
    const first = (await call('PUT', '/_sim/jobs', { jobs: [{ name: 'x' }] })).json.jobs[0].audienceGenerationJobArn;
    await call('POST', '/_sim/reset');
    const again = (await call('PUT', '/_sim/jobs', { jobs: [{ name: 'x' }] })).json.jobs[0].audienceGenerationJobArn;
    // After reset the id stream restarts: the first generated ARN of a fresh run.
    const fresh = await startSimulator({ seed: 42 });
    try {
      assert.equal(fresh.putJobs([{ name: 'x' }])[0]!['audienceGenerationJobArn'], again);
    } finally {
      await fresh.close();
    }
    assert.notEqual(first, undefined);
    await call('POST', '/_sim/reset');
  });

  it('POST status sets status now, with metrics and statusDetails', async () => {
    await call('PUT', '/_sim/jobs', { jobs: [{ name: 'given', arn: ARN }] });
    now += 5000;
    const metrics = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 5000 }, score: 0.7 }], recallMetric: 0.3 };
    const r = await call('POST', `/_sim/jobs/${encodeURIComponent(ARN)}/status`, { status: 'ACTIVE', metrics });
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ACTIVE');
    assert.equal(r.json.updateTime, new Date(now).toISOString());
    assert.deepEqual(r.json.metrics, metrics);
    const failed = await call('POST', `/_sim/jobs/${encodeURIComponent(ARN)}/status`, {
      status: 'DELETE_FAILED',
      statusDetails: { statusCode: 'X', message: 'y' },
    });
    assert.deepEqual(failed.json.statusDetails, { statusCode: 'X', message: 'y' });
    assert.deepEqual(failed.json.metrics, metrics, 'metrics kept');
    assert.equal(
      (await call('POST', `/_sim/jobs/${encodeURIComponent(ARN.replace('0001', '9999'))}/status`, { status: 'ACTIVE' })).status,
      404,
    );
  });

  it('rejects invalid bodies with 400 naming the field', async () => {
    const bad = await call('PUT', '/_sim/jobs', { jobs: [{ name: 'n', collaborationId: 'nope' }] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /jobs\[0\]\.collaborationId/);
    const badStatus = await call('POST', `/_sim/jobs/${encodeURIComponent(ARN)}/status`, { state: 'ACTIVE' });
    assert.equal(badStatus.status, 400);
    assert.match(badStatus.json.message, /status/);
    const badFaults = await call('PUT', '/_sim/faults', { throttleRatio: 2 });
    assert.equal(badFaults.status, 400);
    assert.match(badFaults.json.message, /throttleRatio/);
    assert.equal((await call('GET', '/_sim/nothing')).status, 404);
  });

  it('DELETE makes the job vanish', async () => {
    await call('PUT', '/_sim/jobs', { jobs: [{ name: 'given', arn: ARN }] });
    assert.equal((await call('DELETE', `/_sim/jobs/${encodeURIComponent(ARN)}`)).status, 200);
    assert.equal((await call('DELETE', `/_sim/jobs/${encodeURIComponent(ARN)}`)).status, 404);
    assert.ok(!(await call('GET', '/_sim/jobs')).json.jobs.some((j: any) => j.audienceGenerationJobArn === ARN));
  });

  it('PUT faults replaces all faults (absent = off); stats count AWS requests; reset clears everything', async () => {
    const f = await call('PUT', '/_sim/faults', { throttleRatio: 1, latencyMs: 0 });
    assert.deepEqual(f.json.faults, { throttleRatio: 1, errorRatio: 0, latencyMs: 0, maxRequestsPerSecond: 0 });
    // Unsigned requests are refused before faults apply.
    assert.equal((await fetch(`${sim.url}/audience-generation-job`)).status, 403);
    const f2 = await call('PUT', '/_sim/faults', { errorRatio: 0.5 });
    assert.equal(f2.json.faults.throttleRatio, 0);
    const stats = await call('GET', '/_sim/stats');
    assert.deepEqual(stats.json.requests.ListAudienceGenerationJobs, {
      success: 0,
      throttled: 0,
      not_found: 0,
      access_denied: 1,
      validation: 0,
      error: 0,
    });
    assert.deepEqual(Object.keys(stats.json.requests).sort(), ['GetAudienceGenerationJob', 'ListAudienceGenerationJobs']);
    await call('POST', '/_sim/reset');
    assert.deepEqual((await call('GET', '/_sim/jobs')).json.jobs, []);
    assert.equal((await call('GET', '/_sim/stats')).json.requests.ListAudienceGenerationJobs.access_denied, 0);
    assert.equal((await call('GET', '/_sim/faults')).json.faults.errorRatio, 0);
  });
});
