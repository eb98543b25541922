// A List that never ends must not stop the monitor: a stub Clean Rooms ML endpoint on 127.0.0.1
// answers one collaboration's List with the same nextToken forever (or a new token on every
// page). That scope fails this sweep, keeping the jobs its pages held; the other scope and the
// static job are read and committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';

const CREDS = { accessKeyId: 'AKIDRUNAWAY', secretAccessKey: 'runaway-secret' };
const LOOP = '5f6e7d8c-0000-4000-8000-00000000100f';
const GOOD = '5f6e7d8c-0000-4000-8000-00000000200d';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/runaway-model';
const arn = (n: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
const STATIC = arn(1);
// Relative to the daemon's own (real) clock: a fixed date would age past the retention and retire
// the jobs at first sight.
const T = new Date(Date.now() - 60_000).toISOString();

const job = (a: string, collaborationId: string, status = 'CREATE_IN_PROGRESS') => ({
  audienceGenerationJobArn: a,
  name: `job-${a.slice(-4)}`,
  status,
  createTime: T,
  updateTime: T,
  configuredAudienceModelArn: MODEL,
  collaborationId,
});

/** Pages of collaboration LOOP: `token(page)` is the nextToken of each page. */
async function stub(token: (page: number) => string): Promise<{ url: string; lists: Map<string, number>; server: Server }> {
  const lists = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/audience-generation-job') {
      const key = url.searchParams.get('collaborationId') ?? `model:${url.searchParams.get('configuredAudienceModelArn')}`;
      const page = (lists.get(key) ?? 0) + 1;
      lists.set(key, page);
      if (key === LOOP) return res.end(JSON.stringify({ audienceGenerationJobs: [job(arn(100 + page), LOOP)], nextToken: token(page) }));
      if (key === GOOD) return res.end(JSON.stringify({ audienceGenerationJobs: [job(arn(2), GOOD, 'ACTIVE')] }));
      return res.end(JSON.stringify({ audienceGenerationJobs: [job(STATIC, 'static-collab')] }));
    }
    const a = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    if (a === STATIC) return res.end(JSON.stringify(job(STATIC, 'static-collab')));
    if (a === arn(2)) return res.end(JSON.stringify(job(arn(2), GOOD, 'ACTIVE')));
    // The jobs the endless List hands out exist.
    if (Number(a.slice(-12)) > 100 && a === arn(Number(a.slice(-12)))) return res.end(JSON.stringify(job(a, LOOP)));
    res.statusCode = 404;
    res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
    res.end(JSON.stringify({ message: 'not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lists, server };
}

async function monitor(url: string, maxListPages?: number) {
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: url, maxAttempts: 1 },
    jobs: [{ arn: STATIC }],
    discovery: [{ collaborationId: LOOP }, { collaborationId: GOOD }],
    polling: { schedule: '0 0 0 1 1 *', maxRequestsPerSecond: 100, ...(maxListPages ? { maxListPages } : {}) },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-runaway-')) },
    server: { host: '127.0.0.1', port: 0 },
  });
  const lines: string[] = [];
  const app = await createApp({
    config,
    log: createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } }),
    credentials: async () => CREDS,
    schedule: false,
  });
  await app.start();
  return { app, lines };
}

test('a List that repeats its nextToken: that scope fails after the repeat; the other scope and the static job are committed', async () => {
  const s = await stub(() => 'the-same-token');
  const { app, lines } = await monitor(s.url);
  try {
    const r = await app.sweepNow();
    assert.ok(r);
    assert.equal(r.ok, false);
    assert.deepEqual(r.failedScopes, [`audienceGenerationJob|ListAudienceGenerationJobs|collaborationId=${LOOP}`]);
    assert.match(r.scopeErrors[0]!.error, /nextToken it had returned before/);
    assert.equal(s.lists.get(LOOP), 2, 'stopped at the first repeat');
    assert.deepEqual(
      [...app.store.resources().keys()].sort(),
      [STATIC, arn(2), arn(101), arn(102)].sort(),
      'the good scope and the static job go on; the looping one keeps the jobs its two pages held',
    );
    assert.match(lines.join(''), /List scope failed/);
    // The next sweep does the same, in bounded time: the monitor keeps working.
    const again = await app.sweepNow();
    assert.equal(s.lists.get(LOOP), 4);
    assert.equal(again?.failedScopes.length, 1);
  } finally {
    await app.stop();
    s.server.close();
  }
});

test('a List that pages on without end: the scope stops at the page cap and fails alone', async () => {
  const s = await stub((page) => `token-${page}`);
  const { app } = await monitor(s.url, 5);
  try {
    const r = await app.sweepNow();
    assert.equal(r?.ok, false);
    assert.deepEqual(r?.failedScopes, [`audienceGenerationJob|ListAudienceGenerationJobs|collaborationId=${LOOP}`]);
    assert.match(r!.scopeErrors[0]!.error, /stopped after 5 pages \(polling\.maxListPages\)/);
    assert.equal(s.lists.get(LOOP), 5);
    assert.ok(app.store.resources().has(arn(2)));
    assert.ok(app.store.resources().has(STATIC));
    for (let page = 1; page <= 5; page++) assert.ok(app.store.resources().has(arn(100 + page)), `the job of page ${page} is tracked`);
  } finally {
    await app.stop();
    s.server.close();
  }
});
