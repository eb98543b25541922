// Raw HTTP against the simulator: the bytes any AWS client built from service-2.json sees.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDWIRE', secretAccessKey: 'wire-secret' };
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000001';
const ENCODED = 'arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aaudience-generation-job%2F0f1e2d3c-aaaa-4bbb-8ccc-000000000001';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

async function raw(
  base: string,
  path: string,
  opts: { sign?: { service?: string; secret?: string }; method?: string; body?: string } = {},
): Promise<Raw> {
  const url = new URL(base);
  let headers: Record<string, string> = { host: url.host };
  if (opts.sign) {
    const [p, q] = path.split('?') as [string, string | undefined];
    const query: Record<string, string> = {};
    for (const kv of q ? q.split('&') : []) {
      const [k, v] = kv.split('=');
      query[decodeURIComponent(k!)] = decodeURIComponent(v ?? '');
    }
    const signer = new SignatureV4({
      service: opts.sign.service ?? 'cleanrooms-ml',
      region: 'us-east-1',
      sha256: Hash.bind(null, 'sha256'),
      credentials: { ...CREDS, ...(opts.sign.secret ? { secretAccessKey: opts.sign.secret } : {}) },
    });
    const signed = await signer.sign({
      method: opts.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: p,
      query,
      headers,
    });
    headers = signed.headers as Record<string, string>;
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: url.port, path, method: opts.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function assertAwsError(r: Raw, status: number, type: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers['x-amzn-errortype'], type);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.ok(r.headers['x-amzn-requestid']);
  assert.deepEqual(Object.keys(r.json), ['message']);
  if (message) assert.match(r.json.message, message);
}

describe('simulator wire format', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ credentials: CREDS, clock: { now: () => Date.parse('2026-11-28T12:00:00.000Z') } });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.putJobs([
      {
        arn: ARN,
        name: 'wire',
        status: 'ACTIVE',
        createTime: '2026-11-28T10:00:00Z',
        metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }] },
        statusDetails: { message: 'ok' },
        seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/r' },
        tags: { a: 'b' },
      },
    ]);
  });

  it('serves Get on the one-segment encoded ARN with ISO-8601 timestamps', async () => {
    const r = await raw(sim.url, `/audience-generation-job/${ENCODED}`, { sign: {} });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.ok(r.headers['x-amzn-requestid']);
    assert.equal(r.json.createTime, '2026-11-28T10:00:00.000Z');
    assert.equal(r.json.updateTime, '2026-11-28T12:00:00.000Z');
    assert.match(r.json.updateTime, ISO_MS);
    assert.equal(r.json.audienceGenerationJobArn, ARN);
    assert.deepEqual(Object.keys(r.json), [
      'createTime',
      'updateTime',
      'audienceGenerationJobArn',
      'name',
      'status',
      'statusDetails',
      'configuredAudienceModelArn',
      'seedAudience',
      'collaborationId',
      'metrics',
      'startedBy',
      'tags',
    ]);
  });

  it('answers a literal / inside the ARN as another route: 404 UnknownOperationException', async () => {
    const r = await raw(sim.url, `/audience-generation-job/${encodeURIComponent(ARN).replace('%2F', '/')}`, { sign: {} });
    assertAwsError(r, 404, 'UnknownOperationException');
  });

  it('answers 404 ResourceNotFoundException and 400 ValidationException with the AWS error shape', async () => {
    assertAwsError(
      await raw(sim.url, `/audience-generation-job/${ENCODED.replace('0001', '0002')}`, { sign: {} }),
      404,
      'ResourceNotFoundException',
      /not found/,
    );
    assertAwsError(
      await raw(sim.url, '/audience-generation-job/not-an-arn-at-all-really', { sign: {} }),
      400,
      'ValidationException',
      /^1 validation error detected: Value 'not-an-arn-at-all-really' at 'audienceGenerationJobArn' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    assertAwsError(
      await raw(sim.url, '/audience-generation-job/short', { sign: {} }),
      400,
      'ValidationException',
      /length greater than or equal to 20/,
    );
    assertAwsError(
      await raw(sim.url, '/audience-generation-job?maxResults=0&collaborationId=x', { sign: {} }),
      400,
      'ValidationException',
      /^2 validation errors detected/,
    );
    assertAwsError(await raw(sim.url, '/audience-generation-job?maxResults=abc', { sign: {} }), 400, 'ValidationException', /maxResults/);
  });

  it('lists summaries with exactly the AudienceGenerationJobSummary members', async () => {
    const r = await raw(sim.url, '/audience-generation-job?maxResults=10', { sign: {} });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['audienceGenerationJobs']);
    const s = r.json.audienceGenerationJobs[0];
    assert.deepEqual(Object.keys(s).sort(), [
      'audienceGenerationJobArn',
      'collaborationId',
      'configuredAudienceModelArn',
      'createTime',
      'name',
      'startedBy',
      'status',
      'updateTime',
    ]);
    assert.match(s.createTime, ISO_MS);
  });

  it('refuses unsigned, wrong-service and mis-signed requests with 403', async () => {
    assertAwsError(
      await raw(sim.url, `/audience-generation-job/${ENCODED}`),
      403,
      'MissingAuthenticationTokenException',
      /^Missing Authentication Token$/,
    );
    assertAwsError(
      await raw(sim.url, '/audience-generation-job', { sign: { service: 'cleanrooms' } }),
      403,
      'InvalidSignatureException',
      /scoped to correct service: 'cleanrooms-ml'/,
    );
    assertAwsError(
      await raw(sim.url, '/audience-generation-job', { sign: { secret: 'nope' } }),
      403,
      'InvalidSignatureException',
      /signature we calculated does not match/,
    );
    // The signature covers the path: replaying a signature on another ARN fails.
    const signed = await new SignatureV4({
      service: 'cleanrooms-ml',
      region: 'us-east-1',
      sha256: Hash.bind(null, 'sha256'),
      credentials: CREDS,
    }).sign({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: `/audience-generation-job/${ENCODED}`,
      headers: { host: new URL(sim.url).host },
    });
    const tampered = await new Promise<number>((resolve, reject) => {
      http
        .request(
          {
            host: '127.0.0.1',
            port: sim.port,
            path: `/audience-generation-job/${ENCODED.replace('0001', '0002')}`,
            headers: signed.headers,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        )
        .on('error', reject)
        .end();
    });
    assert.equal(tampered, 403);
    assert.equal(sim.stats().requests['GetAudienceGenerationJob']!.access_denied, 2);
  });

  it('answers 429 ThrottlingException and 500 InternalServiceException under faults', async () => {
    sim.setFaults({ throttleRatio: 1 });
    assertAwsError(await raw(sim.url, '/audience-generation-job', { sign: {} }), 429, 'ThrottlingException');
    sim.setFaults({ errorRatio: 1 });
    assertAwsError(await raw(sim.url, '/audience-generation-job', { sign: {} }), 500, 'InternalServiceException');
  });

  it('injects throttling at the requested ratio, reproducibly from the seed', async () => {
    const run = async () => {
      sim.reset();
      sim.setFaults({ throttleRatio: 0.3 });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await raw(sim.url, '/audience-generation-job', { sign: {} })).status);
      return codes;
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a, b);
    const throttled = a.filter((c) => c === 429).length;
    assert.ok(throttled > 4 && throttled < 24, `throttled ${throttled}/40`);
    assert.equal(sim.stats().requests['ListAudienceGenerationJobs']!.throttled, throttled);
  });
});
