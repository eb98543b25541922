// A List that writes updateTime in whole seconds and a Get that writes milliseconds (both valid
// ISO 8601): the monitor compares them at the precision both carry, so idle jobs cost no Get.
// Through real boundaries: the client talks HTTP to a stub on 127.0.0.1 that passes every call
// to the simulator and cuts the List's timestamps to seconds, as such an API would answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDPRECISION', secretAccessKey: 'precision-secret' };
const COLLAB = '5f6e7d8c-0000-4000-8000-0000000000ad';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/precision-model';

/** Passes every request to the simulator; List answers come back with their times cut to whole seconds. */
async function secondsList(sim: Simulator): Promise<{ url: string; close(): void }> {
  const target = new URL(sim.url);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            let text = Buffer.concat(body).toString('utf8');
            const isList = new URL(req.url ?? '/', 'http://stub').pathname === '/audience-generation-job';
            if (isList) text = text.replace(/"(createTime|updateTime)":"([^".]+)\.\d+Z"/g, '"$1":"$2Z"');
            const headers = { ...answer.headers };
            delete headers['content-length'];
            res.writeHead(answer.statusCode ?? 500, headers).end(text);
          });
        },
      );
      up.on('error', () => res.writeHead(502).end());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const gets = (sim: Simulator) => Object.values(sim.stats().requests['GetAudienceGenerationJob'] ?? {}).reduce((a, b) => a + b, 0);
const lists = (sim: Simulator) => Object.values(sim.stats().requests['ListAudienceGenerationJobs'] ?? {}).reduce((a, b) => a + b, 0);

test('a List in whole seconds and a Get in milliseconds: 20 idle jobs cost 0 Gets per sweep; a job that moves is read', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const stub = await secondsList(sim);
  // Updated an hour ago at a time with milliseconds (which the List will not show).
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000 + 123).toISOString();
  const arns = sim
    .putJobs(
      Array.from({ length: 20 }, (_, i) => ({
        name: `idle-${i}`,
        collaborationId: COLLAB,
        configuredAudienceModelArn: MODEL,
        status: 'ACTIVE',
        createTime: at,
        updateTime: at,
        metrics: { relevanceMetrics: [], recallMetric: 0.5 },
      })),
    )
    .map((j) => j['audienceGenerationJobArn'] as string);
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: stub.url, maxAttempts: 1 },
    discovery: [{ collaborationId: COLLAB }],
    polling: { schedule: '0 0 0 1 1 *', maxRequestsPerSecond: 100 },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-precision-')) },
    server: { host: '127.0.0.1', port: 0 },
  });
  const app = await createApp({
    config,
    log: createLogger({ level: 'warn' }),
    credentials: async () => CREDS,
    schedule: false,
    detailBudget: 100,
  });
  await app.start();
  try {
    // First sight (adopted from the List) and the backfill that reads each job in full once.
    await app.sweepNow();
    assert.equal(gets(sim), 20, 'each job read once in full');
    assert.match(JSON.stringify(sim.stats()), /ListAudienceGenerationJobs/);
    const stored = app.store.resources().get(arns[0]!)!;
    assert.equal(stored.updateTime % 1000, 123, 'the Get carried milliseconds');
    // Idle sweeps: the List says the same second, so nothing is read again.
    const g0 = gets(sim);
    const l0 = lists(sim);
    for (let i = 0; i < 3; i++) await app.sweepNow();
    assert.equal(lists(sim) - l0, 3, 'one List page per sweep');
    assert.equal(gets(sim) - g0, 0, 'no Get per idle sweep');
    // A job that moves (a later second) is read.
    sim.setStatus(arns[3]!, { status: 'DELETE_PENDING' });
    await app.sweepNow();
    assert.equal(gets(sim) - g0, 1);
    assert.equal(app.store.resources().get(arns[3]!)?.status, 'DELETE_PENDING');
  } finally {
    await app.stop();
    stub.close();
    await sim.close();
  }
});
