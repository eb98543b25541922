// GET /api/resources, GET /api/resources/{id}, the status page and its files, over real HTTP
// from a monitor that read the simulator on 127.0.0.1: what each answers, the headers every
// answer of the admin listener carries, and a clear error for every bad request. /api/jobs, the
// deprecated name, answers the same resources under `jobs` and says it is deprecated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import type { ResourceView } from '../../src/http/resource-view.js';

const CREDS = { accessKeyId: 'AKIDTESTRESOURCES', secretAccessKey: 'test-secret-key-resources' };
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const HOSTILE = '<img src=x onerror=window.__xss=1>';
const MISSING = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/99999999-9999-4999-8999-999999999999';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with exactly the target given (fetch would normalise `..` and encodings away). */
function get(base: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const enc = encodeURIComponent;

describe('the admin listener: /api/resources, the status page, /api/jobs', () => {
  let sim: Simulator;
  let app: App;
  let admin = '';
  let exportId = '';
  let failedArn = '';
  let movedArn = '';

  before(async () => {
    sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
    const stateDir = await mkdtemp(join(tmpdir(), 'crml-resources-'));
    const config = configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      jobs: [{ arn: MISSING }],
      discovery: [{ collaborationId: C, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
      polling: { schedule: '0 0 0 1 1 *' },
      notifications: { targets: [] },
      state: { dir: stateDir },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    });
    app = await createApp({
      config,
      log: createLogger({ level: 'silent' }),
      credentials: async () => CREDS,
      schedule: false,
      retryDelayMs: { min: 1, max: 5 },
    });
    const [seg, failed, moved] = sim.putJobs([
      { name: 'seg-ok', status: 'ACTIVE', collaborationId: C },
      { name: HOSTILE, status: 'CREATE_IN_PROGRESS', collaborationId: C },
      { name: 'seg-moving', status: 'CREATE_IN_PROGRESS', collaborationId: C },
    ]) as [{ audienceGenerationJobArn: string }, { audienceGenerationJobArn: string }, { audienceGenerationJobArn: string }];
    failedArn = failed.audienceGenerationJobArn;
    movedArn = moved.audienceGenerationJobArn;
    const [exp] = sim.putResources([
      { kind: 'audienceExportJob', name: 'export-1', status: 'CREATE_IN_PROGRESS', audienceGenerationJobArn: seg.audienceGenerationJobArn },
    ]) as [{ id: string }];
    exportId = exp.id;
    await app.start();
    admin = app.adminUrl;
    await app.sweepNow(); // the configured ARN answers 404
    await app.sweepNow(); // the export jobs of the job found by the first sweep
    sim.setStatus(failedArn, {
      status: 'CREATE_FAILED',
      statusDetails: { statusCode: 'SEED<b>', message: '<script>alert(1)</script> seed too small' },
    });
    sim.setStatus(movedArn, { status: 'ACTIVE' });
    await app.sweepNow();
  });

  after(async () => {
    await app?.stop();
    await sim?.close();
  });

  test('GET /api/resources: every read resource as a ResourceView, in kind, name, id order, with counts and the unread ones', async () => {
    const r = await get(admin, '/api/resources');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const body = JSON.parse(r.body) as { resources: ResourceView[]; matched: number; counts: any; unseen: any[]; generatedAt: string };
    assert.deepEqual(
      body.resources.map((v) => [v.kind, v.name]),
      [
        ['audienceGenerationJob', HOSTILE],
        ['audienceGenerationJob', 'seg-moving'],
        ['audienceGenerationJob', 'seg-ok'],
        ['audienceExportJob', 'export-1'],
      ],
    );
    assert.equal(body.matched, 4);
    assert.deepEqual(body.counts.byClass, { success: 2, failure: 1, inProgress: 1, other: 0 });
    const failed = body.resources.find((v) => v.id === failedArn)!;
    assert.equal(failed.status, 'CREATE_FAILED');
    assert.equal(failed.statusClass, 'failure');
    assert.deepEqual(failed.failure, { statusCode: 'SEED<b>', message: '<script>alert(1)</script> seed too small' });
    assert.deepEqual(failed.lastTransition && [failed.lastTransition.from, failed.lastTransition.to], [
      'CREATE_IN_PROGRESS',
      'CREATE_FAILED',
    ]);
    assert.equal(typeof failed.inStatusSeconds, 'number');
    assert.ok(Date.parse(failed.since) > 0 && failed.lastCheckedAt !== undefined);
    assert.ok(
      body.resources.every((v) => !('history' in v)),
      'the list carries no history',
    );
    assert.deepEqual(
      body.unseen.map((u) => [u.id, u.source, u.lastError?.outcome]),
      [[MISSING, 'static', 'not_found']],
    );
    assert.ok(!Number.isNaN(Date.parse(body.generatedAt)));
  });

  test('GET /api/resources?q=&kind=&class=&limit=: the filters of the page', async () => {
    const names = async (q: string) =>
      (JSON.parse((await get(admin, `/api/resources?${q}`)).body) as { resources: ResourceView[] }).resources.map((v) => v.name);
    assert.deepEqual(await names('kind=audienceExportJob'), ['export-1']);
    assert.deepEqual(await names('class=failure'), [HOSTILE]);
    assert.deepEqual(await names('q=SEED+small'), [HOSTILE], 'words of a failure, in any case');
    assert.deepEqual(await names('q=seg&class=success'), ['seg-moving', 'seg-ok']);
    const limited = JSON.parse((await get(admin, '/api/resources?limit=1')).body);
    assert.equal(limited.resources.length, 1);
    assert.equal(limited.matched, 4);
  });

  test('GET /api/resources with a bad query: 400 and a JSON error naming it', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/resources?kind=job', /unknown kind "job"; kinds: audienceGenerationJob/],
      ['/api/resources?class=red', /unknown class "red"/],
      ['/api/resources?status=ACTIVE', /unknown query parameter "status"; this path takes q, kind, class, limit/],
      ['/api/resources?q=%ZZ', /malformed percent-encoding/],
      ['/api/resources?limit=0', /limit must be a whole number/],
      ['/api/resources?q=a&q=b', /q given twice/],
    ];
    for (const [target, error] of cases) {
      const r = await get(admin, target);
      assert.equal(r.status, 400, target);
      assert.equal(r.headers['content-type'], 'application/json', target);
      assert.match(JSON.parse(r.body).error, error, target);
    }
  });

  test('GET /api/resources/{id}: the view with its history; any id, ARN or not, URL-encoded as one segment', async () => {
    for (const id of [failedArn, exportId]) {
      const r = await get(admin, `/api/resources/${enc(id)}`);
      assert.equal(r.status, 200, id);
      const v = JSON.parse(r.body) as ResourceView;
      assert.equal(v.id, id);
      assert.ok(v.history && v.history.length >= 1, 'a history');
      const last = v.history.at(-1)!;
      assert.equal(last.status, v.status, 'ending with the current status');
      assert.equal(last.startedAt, v.since);
    }
    assert.ok(!exportId.startsWith('arn:') || exportId.includes('#') || exportId.includes('@'), 'the export job id is no plain ARN');
    const failed = JSON.parse((await get(admin, `/api/resources/${enc(failedArn)}`)).body) as ResourceView;
    assert.deepEqual(
      failed.history?.map((e) => [e.status, e.statusCode, e.message, e.seenAt !== undefined]),
      [
        // The status at first sight: shown, not measured (it began before the monitor looked).
        ['CREATE_IN_PROGRESS', undefined, undefined, true],
        ['CREATE_FAILED', 'SEED<b>', '<script>alert(1)</script> seed too small', true],
      ],
    );
    assert.equal(failed.history?.[0]?.durationSeconds, undefined);
    assert.deepEqual(failed.lastTransition && [failed.lastTransition.from, failed.lastTransition.to], [
      'CREATE_IN_PROGRESS',
      'CREATE_FAILED',
    ]);
  });

  test('GET /api/resources/{id}: 404 naming an unknown id (and why an unread one is missing); 400 on a malformed id', async () => {
    const unknown = await get(admin, `/api/resources/${enc('arn:aws:nothing/here')}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(JSON.parse(unknown.body), { error: 'no watched resource has the id "arn:aws:nothing/here"' });
    const unread = await get(admin, `/api/resources/${enc(MISSING)}`);
    assert.equal(unread.status, 404);
    assert.match(JSON.parse(unread.body).error, /is watched but has not been read yet; its last read failed \(not_found\)/);
    const cases: Array<[string, RegExp]> = [
      ['/api/resources/%E0%A4%A', /malformed percent-encoding in the id: "%E0%A4%A"/],
      ['/api/resources/abc%', /malformed percent-encoding/],
      [`/api/resources/${failedArn}`, /the id must be one path segment, URL-encoded \('\/' as %2F/],
      ['/api/resources/', /the id is missing/],
      [`/api/resources/${enc(failedArn)}?full=1`, /unknown query parameter "full"/],
    ];
    for (const [target, error] of cases) {
      const r = await get(admin, target);
      assert.equal(r.status, 400, target);
      assert.match(JSON.parse(r.body).error, error, target);
    }
  });

  test('GET /api/jobs: the deprecated name, same resources under `jobs`, with a Deprecation header and a successor link', async () => {
    const r = await get(admin, '/api/jobs');
    assert.equal(r.status, 200);
    assert.match(String(r.headers.deprecation), /^@\d+$/, 'RFC 9745: @ and epoch seconds');
    assert.equal(r.headers.link, '</api/resources>; rel="successor-version"');
    const jobs = (JSON.parse(r.body) as { jobs: Array<{ arn: string }> }).jobs.map((j) => j.arn).sort();
    const now = JSON.parse((await get(admin, '/api/resources')).body) as { resources: ResourceView[]; unseen: Array<{ id: string }> };
    assert.deepEqual(jobs, [...now.resources.map((v) => v.id), ...now.unseen.map((u) => u.id)].sort());
    assert.equal((await get(admin, '/api/resources')).headers.deprecation, undefined);
  });

  test('the status page: HTML from the views, a strict CSP and nosniff on every answer, errors as pages', async () => {
    const r = await get(admin, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ])
      assert.ok(csp.split(/;\s*/).includes(d), `CSP has ${d}: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.ok(r.body.includes('&lt;img src=x onerror=window.__xss=1&gt;'));
    assert.ok(!r.body.includes(HOSTILE));
    assert.ok(r.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; seed too small'));
    assert.match(r.body, /<caption id="caption">4 resources<\/caption>/);
    for (const target of ['/api/resources', '/api/resources/x', '/static/page.js', '/nothing'])
      assert.equal((await get(admin, target)).headers['x-content-type-options'], 'nosniff', target);

    const filtered = await get(admin, '/?kind=audienceExportJob&q=&class=');
    assert.match(filtered.body, /<caption id="caption">1 of 4 resources<\/caption>/);
    const detail = await get(admin, `/?id=${enc(failedArn)}`);
    assert.equal(detail.status, 200);
    assert.match(detail.body, /<ol id="timeline"[^>]*>\n<li class="phase"><span class="chip chip-inProgress">CREATE_IN_PROGRESS<\/span>/);
    assert.match(detail.body, /<li class="phase"><span class="chip chip-failure">CREATE_FAILED<\/span>/);
    const bad = await get(admin, '/?kind=nope');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<p class="error" role="alert">unknown kind &quot;nope&quot;/);
    const missing = await get(admin, `/?id=${enc('<b>gone</b>')}`);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /no watched resource has the id &quot;&lt;b&gt;gone&lt;\/b&gt;&quot;/);
  });

  test('the page files: served with their types and ETags (304 when unchanged); nothing else under /static/', async () => {
    for (const [name, type] of [
      ['page.js', 'text/javascript; charset=utf-8'],
      ['page.css', 'text/css; charset=utf-8'],
      ['favicon.svg', 'image/svg+xml'],
    ] as const) {
      const r = await get(admin, `/static/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.headers['content-type'], type);
      assert.ok(r.body.length > 100, `${name} has content`);
      const etag = String(r.headers.etag);
      assert.match(etag, /^"[\w-]{22}"$/);
      const again = await get(admin, `/static/${name}`, { 'if-none-match': etag });
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
    }
    for (const target of ['/static/', '/static/../app.js', '/static/%2e%2e%2fapp.js', '/static/page.ts', '/static/constructor'])
      assert.equal((await get(admin, target)).status, 404, target);
  });

  test('only reads: another method is 405 with Allow; a browser request from another origin is refused; nothing on the main listener', async () => {
    const post = await get(admin, '/', { 'content-type': 'application/json' }, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await get(admin, '/api/resources', { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(admin, '/', { host: 'evil.example' })).status, 421);
    const head = await get(admin, '/api/resources', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    for (const target of ['/api/resources', `/api/resources/${enc(failedArn)}`, '/static/page.js'])
      assert.equal((await get(app.url, target)).status, 404, target);
    const main = await get(app.url, '/');
    assert.doesNotMatch(main.body, /<html/i, 'the page is not on the main listener');
    assert.match(main.body, /status page and the JSON API are on the admin listener/);
  });
});
