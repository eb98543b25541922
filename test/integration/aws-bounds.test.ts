// A hostile AWS stub on 127.0.0.1: a Get whose recallMetric parses to Infinity, and a 400 whose
// message is 4 MiB. The client refuses the first with an error naming the member, and keeps at
// most ~500 characters of the second.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCleanRoomsMlClient } from '../../src/aws/client.js';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import type { ApiOutcome } from '../../src/aws/types.js';

const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/j-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const JOB = `{"createTime":"2026-11-28T12:00:00Z","updateTime":"2026-11-28T12:00:00Z","audienceGenerationJobArn":"${ARN}","name":"n","status":"ACTIVE","configuredAudienceModelArn":"${MODEL}","metrics":{"relevanceMetrics":[],"recallMetric":1e400}}`;
const HUGE = JSON.stringify({ message: 'm'.repeat(4 * 1024 * 1024) });

describe('client <-> hostile stub', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/audience-generation-job/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JOB);
      } else {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' }).end(HUGE);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a non-finite metric with an error naming it, counted as an error', async () => {
    const seen: ApiOutcome[] = [];
    const client = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: url,
      credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 's' }),
      observer: (_op, o) => seen.push(o),
    });
    await assert.rejects(
      client.getAudienceGenerationJob({ audienceGenerationJobArn: ARN }),
      (e: unknown) =>
        e instanceof CleanRoomsMlError && e.name === 'MalformedResponseError' && /metrics\.recallMetric is Infinity/.test(e.message),
    );
    assert.deepEqual(seen, ['error']);
  });
  it('keeps ~500 characters of a 4 MiB error message', async () => {
    const client = createCleanRoomsMlClient({
      region: 'us-east-1',
      endpoint: url,
      credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 's' }),
    });
    await assert.rejects(
      client.listAudienceGenerationJobs({}),
      (e: unknown) =>
        e instanceof CleanRoomsMlError &&
        e.name === 'ValidationException' &&
        e.message.length < 600 &&
        /more characters\]$/.test(e.message),
    );
  });
});
