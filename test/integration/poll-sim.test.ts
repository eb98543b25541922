// List-first polling against the simulator on 127.0.0.1 (counts from /_sim/stats): at most one
// List call per 100 jobs plus one Get per job that changed; a failed List page decides nothing;
// throttling never makes a false or missed transition; /api/jobs shows each job's next check;
// retention removes series. Sweeps are triggered explicitly (no schedule, no sleeps for timelines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { createApp, type AppOptions } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { createResourceClient, type ResourceClient } from '../../src/aws/resource-client.js';
import { startReceiver } from '../helpers/receiver.js';

const CREDS = { accessKeyId: 'AKIDPOLLSIM', secretAccessKey: 'poll-sim-secret' };
const COLLABS = ['5f6e7d8c-0000-4000-8000-0000000000a1', '5f6e7d8c-0000-4000-8000-0000000000a2'];
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/poll-sim-model';
const jobArn = (i: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
const METRICS = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE' as const, value: 1000 }, score: 0.7 }], recallMetric: 0.3 };

function counts(sim: Simulator) {
  const r = sim.stats().requests;
  const sum = (op: string) => Object.values(r[op] ?? {}).reduce((a, b) => a + b, 0);
  return {
    list: sum('ListAudienceGenerationJobs'),
    get: sum('GetAudienceGenerationJob'),
    throttled: (r.ListAudienceGenerationJobs?.throttled ?? 0) + (r.GetAudienceGenerationJob?.throttled ?? 0),
  };
}

async function fleet(sim: Simulator, n: number, running: (i: number) => boolean) {
  sim.putJobs(
    Array.from({ length: n }, (_, i) => ({
      arn: jobArn(i),
      name: `job-${i}`,
      collaborationId: COLLABS[i % 2]!,
      configuredAudienceModelArn: MODEL,
      status: running(i) ? 'CREATE_IN_PROGRESS' : 'ACTIVE',
      ...(running(i) ? {} : { metrics: METRICS }),
    })),
  );
}

async function app(sim: Simulator, extra: Partial<ConfigInput> = {}, opts: Partial<AppOptions> = {}) {
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 6 },
    discovery: COLLABS.map((collaborationId) => ({ collaborationId })),
    polling: { schedule: '0 0 0 1 1 *', concurrency: 8, maxRequestsPerSecond: 100 },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-pollsim-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    ...extra,
  });
  const a = await createApp({
    config,
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    schedule: false,
    retryDelayMs: { min: 2, max: 20 },
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
    ...opts,
  });
  await a.start();
  return a;
}

test('List-first: one List call per 100 jobs plus one Get per changed job; nothing else', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 1000, (i) => i % 20 === 0);
  const a = await app(sim, {}, { detailBudget: 2000 });
  try {
    const first = await a.sweepNow();
    assert.equal(first?.ok, true);
    assert.equal(a.store.resources().size, 1000);
    assert.equal(
      [...a.store.resources().values()].filter((j) => j.detail === 'summary').length,
      0,
      'backfill done in the first sweep with a big budget',
    );
    const before = counts(sim);
    const changed = [0, 20, 40, 60, 80, 100, 120];
    for (const i of changed) sim.setStatus(jobArn(i), { status: 'ACTIVE', metrics: METRICS });
    const r = await a.sweepNow();
    const after = counts(sim);
    assert.equal(after.list - before.list, 10, '2 scopes x 500 jobs = 10 pages of 100');
    assert.equal(after.get - before.get, changed.length, 'one Get per changed job');
    assert.equal(r?.transitions, changed.length);
    const quiet = counts(sim);
    await a.sweepNow();
    assert.deepEqual(
      { list: counts(sim).list - quiet.list, get: counts(sim).get - quiet.get },
      { list: 10, get: 0 },
      'nothing changed: Lists only',
    );
  } finally {
    await a.stop();
    await sim.close();
  }
});

test('a failed List page decides nothing: no Gets, no transitions, every job kept; the sweep is not ok', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 400, () => false);
  const real = createResourceClient({ region: 'us-east-1', endpoint: sim.url, credentials: async () => CREDS });
  let failPage2 = false;
  const api: ResourceClient = {
    get: (k, r, o) => real.get(k, r, o),
    async list(k, l, p, o) {
      if (failPage2 && o?.nextToken) {
        const e = new Error('Service unavailable') as Error & { name: string };
        e.name = 'InternalServiceException';
        throw Object.assign(e, { httpStatus: 500, $retryable: false });
      }
      return real.list(k, l, p, o);
    },
  };
  const a = await app(sim, { aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 } }, { resources: api, detailBudget: 1000 });
  try {
    assert.equal((await a.sweepNow())?.ok, true);
    // Jobs on the later pages disappear and others change: none of it may be concluded.
    for (let i = 300; i < 400; i++) sim.deleteJob(jobArn(i));
    failPage2 = true;
    const before = counts(sim);
    const r = await a.sweepNow();
    assert.equal(r?.ok, false);
    assert.equal(r?.failedScopes.length, 2);
    assert.equal(r?.transitions, 0);
    assert.equal(counts(sim).get - before.get, 0, 'no Get from partial listings');
    assert.equal(a.store.resources().size, 400, 'nothing forgotten');
    failPage2 = false;
    const healed = await a.sweepNow();
    assert.equal(healed?.ok, true);
    assert.equal(healed?.transitions, 100, 'the vanished jobs, once the listing is complete and Get answers 404');
    assert.equal(a.store.resources().size, 300);
  } finally {
    await a.stop();
    await sim.close();
  }
});

test('metric backfill stops at its first Get that fails after retries (AWS in trouble) and resumes in a later sweep', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 300, () => false);
  const real = createResourceClient({ region: 'us-east-1', endpoint: sim.url, credentials: async () => CREDS });
  // Every Get answers 500 over HTTP from the moment the first one is sent (the List pages were fine).
  let outage = false;
  const api: ResourceClient = {
    list: (k, l, p, o) => real.list(k, l, p, o),
    get(k, r, o) {
      if (outage) sim.setFaults({ errorRatio: 1 });
      return real.get(k, r, o);
    },
  };
  const a = await app(
    sim,
    {
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 3 },
      polling: { schedule: '0 0 0 1 1 *', concurrency: 4, maxRequestsPerSecond: 100 },
    },
    { resources: api, detailBudget: 1000 },
  );
  try {
    // First sight adopts every job from its List summary; the details come from the backfill.
    outage = true;
    const before = counts(sim);
    const r = await a.sweepNow();
    const gets = counts(sim).get - before.get;
    assert.ok(r?.ok, 'backfill failures do not fail the sweep');
    assert.equal(a.store.resources().size, 300, 'every job tracked from its summary');
    assert.ok(gets <= 4 * 3, `at most the in-flight Gets (4 workers x 3 attempts) were spent, not 300 x 3: ${gets}`);
    const summaryOnly = () => [...a.store.resources().values()].filter((j) => j.detail === 'summary').length;
    assert.ok(summaryOnly() >= 300 - 4, `the rest waits for a later sweep (${summaryOnly()} summary-only)`);
    outage = false;
    sim.setFaults({});
    for (let i = 0; i < 5 && summaryOnly() > 0; i++) await a.sweepNow();
    assert.equal(summaryOnly(), 0, 'the backfill resumed and finished once AWS answered again');
  } finally {
    await a.stop();
    await sim.close();
  }
});

test('throttling (40% of requests) never makes a false or missed transition', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 300, (i) => i % 10 === 0);
  const receiver = await startReceiver();
  const a = await app(
    sim,
    {
      notifications: {
        targets: [
          { name: 'all', type: 'webhook', url: `${receiver.url}/hook`, allowHttp: true, everyTransition: true, ratePerSecond: 1000 },
        ],
      },
    },
    { detailBudget: 1000 },
  );
  try {
    await a.sweepNow();
    while ((await a.sweepNow())?.ok !== true);
    // The first sightings are delivered asynchronously: counted late, they would look like transitions of the throttled phase.
    for (let t = Date.now(); a.store.pending().length > 0 && Date.now() - t < 10_000; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(a.store.pending().length, 0, 'first sightings delivered');
    const baseline = receiver.requests.length;
    sim.setFaults({ throttleRatio: 0.4 });
    const expected = new Set<string>();
    for (let round = 0; round < 3; round++) {
      for (let i = round; i < 300; i += 30) {
        const j = a.store.resources().get(jobArn(i));
        if (j?.status !== 'CREATE_IN_PROGRESS') continue;
        const to = i % 3 === 0 ? 'CREATE_FAILED' : 'ACTIVE';
        sim.setStatus(jobArn(i), to === 'ACTIVE' ? { status: to, metrics: METRICS } : { status: to });
        expected.add(`${jobArn(i)} CREATE_IN_PROGRESS->${to}`);
      }
      for (let k = 0; k < 3; k++) await a.sweepNow();
    }
    sim.setFaults({});
    for (let k = 0; k < 20 && (await a.sweepNow())?.ok !== true; k++);
    await receiver.waitFor(baseline + expected.size, 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const seen = receiver.requests.slice(baseline).flatMap((q) => {
      const d = (JSON.parse(q.body) as { data: { arn: string; previousStatus: string; status: string } }).data;
      // Metrics arriving for a finished job (metrics_appeared, same status) are not status transitions.
      return d.previousStatus === d.status ? [] : [`${d.arn} ${d.previousStatus}->${d.status}`];
    });
    assert.ok(counts(sim).throttled > 0, 'throttling happened');
    assert.deepEqual([...new Set(seen)].sort(), [...expected].sort(), 'exactly the real transitions');
    assert.ok(expected.size >= 3);
  } finally {
    await a.stop();
    await receiver.close();
    await sim.close();
  }
});

test('/api/jobs: nextCheckAt (slow interval for a finished Get-only job); retention removes old discovered series', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 4, (i) => i === 0);
  // A static job in another model (no discovery covers it): Get-only, terminal -> slow interval.
  const lone = jobArn(99);
  sim.putJobs([{ arn: lone, name: 'lone', configuredAudienceModelArn: `${MODEL}-2`, status: 'ACTIVE', metrics: METRICS }]);
  // Real time plus an offset we can jump (the rate limiter needs time that flows).
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const a = await app(
    sim,
    { jobs: [{ arn: lone }], polling: { schedule: '0 0 0 1 1 *', terminalInterval: '10m', terminalRetention: '1h' } },
    { detailBudget: 100, clock },
  );
  try {
    await a.sweepNow();
    const view = (await (await fetch(`${a.adminUrl}/api/jobs`)).json()) as {
      jobs: Array<{ arn: string; nextCheckAt?: string; lastCheckedAt?: string }>;
    };
    const j = view.jobs.find((x) => x.arn === lone)!;
    assert.equal(Date.parse(j.nextCheckAt!) - Date.parse(j.lastCheckedAt!), 600_000);
    // Two hours later the finished discovered jobs are past retention: their series go, the
    // running one and the static one stay; a further sweep does not bring them back.
    offset += 2 * 3_600_000;
    const r = await a.sweepNow();
    assert.equal(r?.retired, 3);
    for (let k = 0; k < 2; k++) await a.sweepNow();
    assert.deepEqual([...a.store.resources().keys()].sort(), [jobArn(0), lone].sort());
    const m = await (await fetch(`${a.url}/metrics`)).text();
    assert.ok(!m.includes(jobArn(1)), 'retired series removed');
    assert.ok(m.includes(`cleanroomsml_audience_generation_job_status{arn="${jobArn(0)}",status="CREATE_IN_PROGRESS"} 1`));
  } finally {
    await a.stop();
    await sim.close();
  }
});

test('metrics landing on a finished job are logged as such, not as a transition ACTIVE -> ACTIVE', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await fleet(sim, 2, () => false);
  sim.setStatus(jobArn(0), { status: 'ACTIVE', metrics: { relevanceMetrics: [] } });
  const lines: string[] = [];
  const a = await app(
    sim,
    {},
    { detailBudget: 100, log: createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } }) },
  );
  try {
    await a.sweepNow();
    lines.length = 0;
    sim.setStatus(jobArn(0), { status: 'ACTIVE', metrics: METRICS });
    await a.sweepNow();
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; transition?: string }).filter((l) => l.transition !== undefined);
    assert.deepEqual(
      logged.map((l) => [l.transition, l.msg]),
      [['metrics_appeared', 'metrics appeared for job-0 (ACTIVE)']],
    );
    assert.ok(!lines.join('').includes('ACTIVE -> ACTIVE'));
  } finally {
    await a.stop();
    await sim.close();
  }
});
