// /metrics over real HTTP on 127.0.0.1: the streamed body equals the registry's text, plain and
// gzip (as Prometheus asks for it), HEAD sends headers only, and a scraper hanging up mid-body
// neither crashes the server nor stalls the next scrape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import { acceptsGzip, startHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { resourceFromJob } from '../../src/state/legacy-job.js';
import { ARN_B, snap } from '../helpers/snapshots.js';

const resources = new Map<string, ResourceSnapshot>(
  Array.from({ length: 3000 }, (_, i) => {
    const arn = `${ARN_B.slice(0, -5)}${String(i).padStart(5, '0')}`;
    return [
      arn,
      resourceFromJob(
        snap({
          arn,
          name: `job-${i}`,
          status: i % 3 ? 'ACTIVE' : 'CREATE_IN_PROGRESS',
          metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }], recallMetric: 0.25 },
        }),
      ),
    ];
  }),
);

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      })
      .on('error', reject)
      .end();
  });
}

async function server() {
  const registry = new Registry();
  const metrics = createMetrics(
    registry,
    { resources: () => resources, pending: () => [], deadLetters: () => [], targetNames: () => ['audit'], now: () => Date.now() },
    'test',
  );
  const srv = await startHttpServer(
    { host: '127.0.0.1', port: 0, admin: { enabled: false, host: '127.0.0.1', port: 0 } },
    {
      metrics: (gzip) => metrics.exposition(gzip),
      metricsContentType: metrics.contentType,
      readiness: () => ({ ready: true, reasons: [] }),
      resources: { resources: () => ({ resources: [], unseen: [] }), resource: () => undefined, now: () => Date.now() },
      jobs: () => [],
      outbox: () => ({}),
      retryDeadLetters: async () => 0,
      discardDeadLetters: async () => 0,
      log: createLogger({ level: 'silent' }),
    },
  );
  return { srv, registry, metrics };
}

/** Scrapes release their pieces when the socket is done with them, a moment after the client. */
async function noScrapeHolds(metrics: { activeScrapes(): number }): Promise<void> {
  for (let i = 0; i < 200 && metrics.activeScrapes() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(metrics.activeScrapes(), 0, 'every scrape released its pieces');
}

/** Drop the process metrics, which move between two reads. */
const stable = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.includes('cleanroomsml_audience_generation_job_'))
    .join('\n');

test('/metrics streams the same text plain and gzip; HEAD is headers only', async () => {
  const { srv, registry, metrics } = await server();
  try {
    const expected = await registry.metrics();
    assert.ok(expected.length > 1_000_000, `a multi-chunk body (${expected.length} bytes)`);
    const plain = await get(`${srv.url}/metrics`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(stable(plain.body.toString('utf8')), stable(expected));
    assert.ok(plain.body.toString('utf8').includes('cleanroomsml_monitor_build_info{'), "prom-client's families follow the job series");

    const zipped = await get(`${srv.url}/metrics`, { 'accept-encoding': 'gzip' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'Accept-Encoding');
    assert.ok(zipped.body.length * 5 < plain.body.length, `gzip shrinks it: ${zipped.body.length} vs ${plain.body.length}`);
    assert.equal(stable(gunzipSync(zipped.body).toString('utf8')), stable(expected));
    const unzipped = gunzipSync(zipped.body).toString('utf8');
    assert.equal(
      unzipped.slice(0, unzipped.indexOf('# HELP cleanroomsml_monitor_')),
      plain.body.toString('utf8').slice(0, plain.body.toString('utf8').indexOf('# HELP cleanroomsml_monitor_')),
      'the job series are byte-identical in both encodings',
    );

    const head = await get(`${srv.url}/metrics`, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    await noScrapeHolds(metrics);
  } finally {
    await srv.close();
  }
});

test('a scraper that hangs up mid-body does not break the server or the next scrape', async () => {
  const { srv, registry, metrics } = await server();
  try {
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${srv.url}/metrics`, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
      });
    }
    await noScrapeHolds(metrics);
    const after = await get(`${srv.url}/metrics`);
    assert.equal(after.status, 200);
    assert.equal(stable(after.body.toString('utf8')), stable(await registry.metrics()), 'the whole body');
    await noScrapeHolds(metrics);
  } finally {
    await srv.close();
  }
});

test('acceptsGzip: gzip unless q=0; other codings ignored', () => {
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('identity, GZIP;q=0.5'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('br, deflate'), false);
  assert.equal(acceptsGzip(undefined), false);
});
