// The generic client's HTTP edge cases against a scripted local server (127.0.0.1), for the
// audience generation job operations and for every operation of every kind: the exact request
// bytes, oversized / malformed / hostile / non-JSON answers, refused and reset connections, and
// the outcome each request is observed with.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ApiOutcome, CleanRoomsMlClientOptions } from '../../src/aws/api.js';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { createResourceClient, type ResourceRef } from '../../src/aws/resource-client.js';
import { ALL_KINDS, KINDS } from '../../src/kinds/index.js';
import type { OperationParams } from '../../src/kinds/kind.js';

const CREDS = { accessKeyId: 'AKIDTRANSPORT', secretAccessKey: 'transport-secret' };
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const MEMBERSHIP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const TM = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model/tm-1`;
const AGJ = KINDS.audienceGenerationJob;
const LIST = AGJ.lists[0]!;
const JOB = `{"createTime":"2026-11-28T12:00:00Z","updateTime":"2026-11-28T12:00:00Z","audienceGenerationJobArn":"${ARN}","name":"n","status":"ACTIVE","configuredAudienceModelArn":"${MODEL}","metrics":{"relevanceMetrics":[],"recallMetric":1e400}}`;

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('generic client transport', () => {
  let server: http.Server;
  let url: string;
  let reply: Reply = (_q, s) => s.end();
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      reply(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  const client = (extra: Partial<CleanRoomsMlClientOptions> = {}) =>
    createResourceClient({ region: 'us-east-1', endpoint: url, credentials: async () => CREDS, requestTimeoutMs: 2000, ...extra });
  const getJob = (c = client()) => c.get(AGJ, { arn: ARN, parents: {} });
  const listJobs = (c = client(), params: OperationParams = {}, nextToken?: string) =>
    c.list(AGJ, LIST, params, nextToken !== undefined ? { nextToken } : {});

  it('sends the ARN as one encoded segment and a sorted, encoded query with maxResults 100, signed for cleanrooms-ml', async () => {
    reply = (_q, s) => s.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{"message":"x"}');
    seen.length = 0;
    await assert.rejects(getJob());
    await assert.rejects(
      listJobs(client({ userAgent: 'ua-test/1' }), { configuredAudienceModelArn: MODEL, collaborationId: COLLAB }, 'a+b/c='),
    );
    assert.equal(
      seen[0]!.url,
      '/audience-generation-job/arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aaudience-generation-job%2F0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    );
    assert.equal(
      seen[1]!.url,
      `/audience-generation-job?collaborationId=${COLLAB}` +
        '&configuredAudienceModelArn=arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aconfigured-audience-model%2Fm-1' +
        '&maxResults=100&nextToken=a%2Bb%2Fc%3D',
    );
    const h = seen[1]!.headers;
    assert.equal(seen[1]!.method, 'GET');
    assert.match(
      String(h['authorization']),
      /^AWS4-HMAC-SHA256 Credential=AKIDTRANSPORT\/\d{8}\/us-east-1\/cleanrooms-ml\/aws4_request, SignedHeaders=accept;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(h['host'], new URL(url).host);
    assert.equal(h['user-agent'], 'ua-test/1');
    assert.match(String(h['x-amz-date']), /^\d{8}T\d{6}Z$/);
    assert.ok(!JSON.stringify(seen).includes(CREDS.secretAccessKey));
  });

  it('keeps an endpoint path prefix', async () => {
    reply = (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('{"audienceGenerationJobs":[]}');
    seen.length = 0;
    await listJobs(createResourceClient({ region: 'us-east-1', endpoint: `${url}/proxy/`, credentials: async () => CREDS }));
    assert.equal(seen[0]!.url, '/proxy/audience-generation-job?maxResults=100');
  });

  it('caps the body: a huge 200 is a MalformedResponseError, not an OOM', async () => {
    reply = (_q, s) => {
      s.writeHead(200, { 'content-type': 'application/json' });
      s.write('{"audienceGenerationJobs":[');
      s.end('"x",'.repeat(300_000));
    };
    const outcomes: ApiOutcome[] = [];
    await assert.rejects(
      listJobs(client({ maxResponseBytes: 64 * 1024, observer: (_o, outcome) => outcomes.push(outcome) })),
      (e: unknown) =>
        e instanceof CleanRoomsMlError &&
        e.name === 'MalformedResponseError' &&
        /ListAudienceGenerationJobs response body exceeds 65536 bytes/.test(e.message) &&
        !e.retryable,
    );
    assert.deepEqual(outcomes, ['error']);
  });

  it('rejects a 200 that breaks the model, with its request id', async () => {
    reply = (_q, s) =>
      s.writeHead(200, { 'x-amzn-requestid': 'rid-7' }).end(
        JSON.stringify({
          createTime: 'not a time',
          updateTime: '2026-11-28T12:00:00Z',
          audienceGenerationJobArn: ARN,
          name: 'n',
          status: 'ACTIVE',
          configuredAudienceModelArn: MODEL,
        }),
      );
    await assert.rejects(
      getJob(),
      (e: unknown) =>
        e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /createTime/.test(e.message) && e.requestId === 'rid-7',
    );
    reply = (_q, s) => s.writeHead(200).end('<html>captive portal</html>');
    await assert.rejects(listJobs(), (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError');
  });

  it('refuses a non-finite metric naming it, counted as an error (hostile stub)', async () => {
    reply = (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(JOB);
    const outcomes: Array<[string, ApiOutcome]> = [];
    await assert.rejects(
      getJob(client({ observer: (op, o) => outcomes.push([op, o]) })),
      (e: unknown) =>
        e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /metrics\.recallMetric is Infinity/.test(e.message),
    );
    assert.deepEqual(outcomes, [['GetAudienceGenerationJob', 'error']]);
  });

  it('keeps ~500 characters of a 4 MiB error message (hostile stub)', async () => {
    const huge = JSON.stringify({ message: 'm'.repeat(4 * 1024 * 1024) });
    reply = (_q, s) => s.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' }).end(huge);
    const outcomes: ApiOutcome[] = [];
    await assert.rejects(
      listJobs(client({ observer: (_op, o) => outcomes.push(o) })),
      (e: unknown) =>
        e instanceof CleanRoomsMlError &&
        e.name === 'ValidationException' &&
        e.message.length < 600 &&
        /more characters\]$/.test(e.message),
    );
    assert.deepEqual(outcomes, ['validation']);
  });

  it('classifies a proxy 503 with an HTML body as retryable', async () => {
    reply = (_q, s) => s.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
    await assert.rejects(
      listJobs(),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'UnknownError' && e.httpStatus === 503 && e.retryable,
    );
  });

  it('reads the error type from a namespaced __type when the header is absent', async () => {
    reply = (_q, s) =>
      s
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"__type":"com.amazonaws.cleanroomsml#ValidationException","Message":"bad"}');
    await assert.rejects(
      listJobs(),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'ValidationException' && e.message === 'bad',
    );
  });

  it('turns a reset connection into a retryable NetworkError', async () => {
    reply = (q) => q.socket.destroy();
    await assert.rejects(listJobs(), (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'NetworkError' && e.retryable);
  });

  it('turns a refused connection into a retryable NetworkError', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const c = createResourceClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: async () => CREDS });
    await assert.rejects(
      listJobs(c),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'NetworkError' && /ECONNREFUSED/.test(e.message) && e.retryable,
    );
  });

  it('every operation of every kind: observed under its model name; a broken 200, a throttle and a 404 keep their outcomes', async () => {
    const params: OperationParams = {
      membershipId: MEMBERSHIP,
      collaborationId: COLLAB,
      trainedModelArn: TM,
      audienceGenerationJobArn: ARN,
    };
    const ref = (arn: string | undefined): ResourceRef => ({
      ...(arn ? { arn } : {}),
      parents: { membershipId: MEMBERSHIP, collaborationId: COLLAB },
    });
    const outcomes: Array<[string, ApiOutcome]> = [];
    const c = client({ observer: (op, o) => outcomes.push([op, o]) });
    const answers: Array<[Reply, ApiOutcome, RegExp]> = [
      [(_q, s) => s.writeHead(200, { 'x-amzn-requestid': 'rid-9' }).end('<html>'), 'error', /MalformedResponseError/],
      [
        (_q, s) => s.writeHead(429, { 'x-amzn-errortype': 'ThrottlingException' }).end('{"message":"slow down"}'),
        'throttled',
        /ThrottlingException/,
      ],
      [
        (_q, s) => s.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{"message":"gone"}'),
        'not_found',
        /ResourceNotFoundException/,
      ],
      [
        (_q, s) => s.writeHead(403, { 'x-amzn-errortype': 'AccessDeniedException' }).end('{"message":"no"}'),
        'access_denied',
        /AccessDeniedException/,
      ],
    ];
    const want: Array<[string, ApiOutcome]> = [];
    for (const kind of ALL_KINDS) {
      const arn = kind.arn
        ? `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/${kind.arn.resourceType}/x-1`
        : undefined;
      const calls: Array<[string, () => Promise<unknown>]> = [
        ...Object.entries(kind.get).map(([view, op]): [string, () => Promise<unknown>] => [
          op.name,
          () => c.get(kind, ref(arn), { view: view as 'member' }),
        ]),
        ...kind.lists.map((l): [string, () => Promise<unknown>] => [l.name, () => c.list(kind, l, params)]),
      ];
      for (const [name, call] of calls)
        for (const [r, outcome, err] of answers) {
          reply = r;
          await assert.rejects(
            call(),
            (e: unknown) => e instanceof CleanRoomsMlError && err.test(`${e.name}: ${e.message}`),
            `${name} ${outcome}`,
          );
          want.push([name, outcome]);
        }
    }
    assert.deepEqual(outcomes, want);
    assert.equal(want.length, 4 * ALL_KINDS.reduce((n, k) => n + Object.keys(k.get).length + k.lists.length, 0));
  });
});
