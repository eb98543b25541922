// The client's HTTP edge cases against a scripted local server (127.0.0.1): the exact request
// bytes it sends, oversized / malformed / non-JSON responses, refused connections.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCleanRoomsMlClient } from '../../src/aws/client.js';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import type { ApiOutcome } from '../../src/aws/types.js';

const CREDS = { accessKeyId: 'AKIDTRANSPORT', secretAccessKey: 'transport-secret' };
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('client transport', () => {
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

  const client = (extra: Record<string, unknown> = {}) =>
    createCleanRoomsMlClient({ region: 'us-east-1', endpoint: url, credentials: async () => CREDS, requestTimeoutMs: 2000, ...extra });

  it('sends the ARN as one encoded segment and a sorted, encoded query, signed for cleanrooms-ml', async () => {
    reply = (_q, s) => s.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{"message":"x"}');
    seen.length = 0;
    await assert.rejects(client().getAudienceGenerationJob({ audienceGenerationJobArn: ARN }));
    await assert.rejects(
      client({ userAgent: 'ua-test/1' }).listAudienceGenerationJobs({
        nextToken: 'a+b/c=',
        maxResults: 7,
        configuredAudienceModelArn: MODEL,
        collaborationId: '5f6e7d8c-0000-4000-8000-000000000001',
      }),
    );
    assert.equal(
      seen[0]!.url,
      '/audience-generation-job/arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aaudience-generation-job%2F0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    );
    assert.equal(
      seen[1]!.url,
      '/audience-generation-job?collaborationId=5f6e7d8c-0000-4000-8000-000000000001' +
        '&configuredAudienceModelArn=arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aconfigured-audience-model%2Fm-1' +
        '&maxResults=7&nextToken=a%2Bb%2Fc%3D',
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
    const c = createCleanRoomsMlClient({ region: 'us-east-1', endpoint: `${url}/proxy/`, credentials: async () => CREDS });
    await c.listAudienceGenerationJobs({});
    assert.equal(seen[0]!.url, '/proxy/audience-generation-job');
  });

  it('caps the body: a huge 200 is a MalformedResponseError, not an OOM', async () => {
    reply = (_q, s) => {
      s.writeHead(200, { 'content-type': 'application/json' });
      s.write('{"audienceGenerationJobs":[');
      s.end('"x",'.repeat(300_000));
    };
    const outcomes: ApiOutcome[] = [];
    await assert.rejects(
      client({
        maxResponseBytes: 64 * 1024,
        observer: (_o: unknown, outcome: ApiOutcome) => outcomes.push(outcome),
      }).listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /exceeds/.test(e.message) && !e.retryable,
    );
    assert.deepEqual(outcomes, ['error']);
  });

  it('rejects a 200 that breaks the model', async () => {
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
      client().getAudienceGenerationJob({ audienceGenerationJobArn: ARN }),
      (e: unknown) =>
        e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /createTime/.test(e.message) && e.requestId === 'rid-7',
    );
    reply = (_q, s) => s.writeHead(200).end('<html>captive portal</html>');
    await assert.rejects(
      client().listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError',
    );
  });

  it('classifies a proxy 503 with an HTML body as retryable', async () => {
    reply = (_q, s) => s.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
    await assert.rejects(
      client().listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'UnknownError' && e.httpStatus === 503 && e.retryable,
    );
  });

  it('reads the error type from a namespaced __type when the header is absent', async () => {
    reply = (_q, s) =>
      s
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"__type":"com.amazonaws.cleanroomsml#ValidationException","Message":"bad"}');
    await assert.rejects(
      client().listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'ValidationException' && e.message === 'bad',
    );
  });

  it('turns a reset connection into a retryable NetworkError', async () => {
    reply = (q) => q.socket.destroy();
    await assert.rejects(
      client().listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'NetworkError' && e.retryable,
    );
  });

  it('turns a refused connection into a retryable NetworkError', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const c = createCleanRoomsMlClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: async () => CREDS });
    await assert.rejects(
      c.listAudienceGenerationJobs({}),
      (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'NetworkError' && /ECONNREFUSED/.test(e.message) && e.retryable,
    );
  });
});
