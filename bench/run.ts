import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/dev/sim/server.js';
import { describeDaemon, startDaemon } from './daemon.js';
import { listPagesNeeded } from './floor.js';
import { freePort, metricValue, percentile, procStats, sleep, startBodySink, timedGet } from './harness.js';
import { durationsScenario } from './durations.js';
import { membershipScenario } from './membership.js';
import { shardScenario } from './shards.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    // Defaults of these depend on the scenario (JOBS_DEFAULTS, K100_DEFAULTS).
    jobs: { type: 'string' },
    'in-progress': { type: 'string' },
    interval: { type: 'string' },
    'change-window': { type: 'string' },
    steady: { type: 'string' },
    'steady-share': { type: 'string', default: '0.4' },
    'sim-rps': { type: 'string' },
    'max-rps': { type: 'string' },
    // Discovery scopes (collaborations) of the jobs and 100k fleets.
    scopes: { type: 'string' },
    scrapes: { type: 'string', default: '30' },
    // MiB; default: the Helm chart's resources.limits.memory. 0: no limit (V8 sized for the machine).
    'memory-limit': { type: 'string' },
    // Start the daemon with plain `node`, without the image's ENTRYPOINT flags and ENV.
    bare: { type: 'boolean', default: false },
    scenario: { type: 'string', default: process.env.BENCH_SCENARIO ?? 'all' },
    'membership-steady': { type: 'string', default: '120' },
    'trained-models': { type: 'string', default: '50' },
    versions: { type: 'string', default: '2' },
    'inference-jobs': { type: 'string', default: '200' },
    channels: { type: 'string', default: '100' },
    'membership-jobs': { type: 'string', default: '100' },
    'audience-models': { type: 'string', default: '10' },
    'audience-export-jobs': { type: 'string', default: '10' },
    'model-export-jobs': { type: 'string', default: '10' },
    'in-flight': { type: 'string', default: '0.1' },
    'new-versions': { type: 'string', default: '0' },
    // The shard scenario (`--scenario shards`): the fleet under one pod, then under N shards.
    totals: { type: 'string', default: '1,4' },
    collaborations: { type: 'string', default: '8' },
    'export-collaborations': { type: 'string', default: '2' },
    'exports-per-job': { type: 'string', default: '0.2' },
    'shard-trained-models': { type: 'string', default: '40' },
    'shard-model-export-jobs': { type: 'string', default: '40' },
    'shard-inference-jobs': { type: 'string', default: '100' },
    'shard-channels': { type: 'string', default: '40' },
    statics: { type: 'string', default: '40' },
    'shard-in-flight': { type: 'string', default: '0.02' },
    'shard-steady': { type: 'string', default: '60' },
    // Another checkout's build to run instead of this one (its dist/cli.js), e.g. to measure an older release.
    'daemon-root': { type: 'string' },
    // tags.refreshInterval of the membership scenario, in seconds (0: off).
    'tags-refresh': { type: 'string', default: '3600' },
  },
});
// `all` runs the jobs, membership and durations scenarios; the shard and 100k scenarios run on their own.
const SCENARIOS = ['jobs', 'membership', 'durations', 'shards', '100k', 'all'];
if (!SCENARIOS.includes(args.scenario)) {
  process.stderr.write(`bench: --scenario must be one of ${SCENARIOS.join(', ')}, got ${args.scenario}\n`);
  process.exit(2);
}
// The jobs scenario: 10,000 jobs under the chart's memory limit, an account capped at 50 req/s.
const JOBS_DEFAULTS = {
  jobs: 10_000,
  'in-progress': 1000,
  interval: 10,
  'change-window': 200,
  steady: 90,
  'sim-rps': 50,
  'max-rps': 100,
  scopes: 4,
};
// One pod watching 100,000 jobs: the chart's default 30 s schedule, the highest ceiling the config
// allows (100 req/s) under an account allowing more, 10 collaborations, a 768 MiB pod. The backfill
// of 99,000 Gets is most of its wall time: the 1,000 List pages of each sweep come first.
const K100_DEFAULTS = {
  jobs: 100_000,
  'in-progress': 1000,
  interval: 30,
  'change-window': 120,
  steady: 90,
  'sim-rps': 200,
  'max-rps': 100,
  scopes: 10,
};
const DEFAULTS = args.scenario === '100k' ? K100_DEFAULTS : JOBS_DEFAULTS;
const opt = (k: keyof typeof JOBS_DEFAULTS): number => {
  const v = args[k] === undefined ? DEFAULTS[k] : Number(args[k]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number >= 0, got ${args[k]}`);
  return v;
};
const N = opt('jobs');
const IN_PROGRESS = opt('in-progress');
const INTERVAL_S = opt('interval');
const CHANGE_WINDOW_MS = opt('change-window') * 1000;
const STEADY_MS = opt('steady') * 1000;
const SIM_RPS = opt('sim-rps');
const MAX_RPS = opt('max-rps');
const SCOPES = Math.max(1, opt('scopes'));
const SCRAPES = Number(args.scrapes);
const MEMORY_LIMIT_MIB = args['memory-limit'] !== undefined ? Number(args['memory-limit']) : args.scenario === '100k' ? 768 : undefined;
const DAEMON_ROOT = args['daemon-root'] !== undefined ? resolve(args['daemon-root']) : ROOT;
// Share of the status changes released during the steady window (the rest flow during start-up
// and backfill), so the steady window measures List pages plus Gets of jobs that really changed.
const STEADY_SHARE = Number(args['steady-share']);
const t0 = Date.now();
const log = (s: string) => process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);

function uuid(i: number, salt: number): string {
  const h = (i * 2654435761 + salt * 40503) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${String(salt).padStart(4, '0')}-4${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${String(i).padStart(12, '0')}`;
}

function simTotals(s: { requests: Record<string, Record<string, number>>; connections: number }) {
  let total = 0;
  let throttled = 0;
  for (const op of Object.values(s.requests))
    for (const [k, v] of Object.entries(op)) {
      total += v;
      if (k === 'throttled') throttled += v;
    }
  return {
    total,
    throttled,
    list: Object.values(s.requests.ListAudienceGenerationJobs ?? {}).reduce((a, b) => a + b, 0),
    connections: s.connections,
  };
}

/** One whole scrape, counted: bytes, and samples of the resource families (all but cleanroomsml_monitor_*) by family. */
async function fullScrape(base: string): Promise<{ bytes: number; resourceSamples: number; perFamily: Record<string, number> }> {
  const body = Buffer.from(await (await fetch(`${base}/metrics`)).arrayBuffer());
  const perFamily: Record<string, number> = {};
  let resourceSamples = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(10, start);
    if (end < 0) end = body.length;
    // Sample lines of resource families: not a comment, not the monitor's own.
    if (body[start] !== 35 && end > start && !body.subarray(start, start + 21).equals(MONITOR_PREFIX)) {
      const line = body.toString('latin1', start, Math.min(end, start + 120));
      const name = line.slice(0, line.search(/[{ ]/)).replace(/^cleanroomsml_audience_generation_job_/, '_');
      perFamily[name] = (perFamily[name] ?? 0) + 1;
      resourceSamples++;
    }
    start = end + 1;
  }
  return { bytes: body.length, resourceSamples, perFamily };
}
const MONITOR_PREFIX = Buffer.from('cleanroomsml_monitor_');

async function jobsScenario(): Promise<void> {
  // 1. Simulator with the fleet.
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const collabs = Array.from({ length: SCOPES }, (_, c) => uuid(c, 7));
  const models = collabs.map((_, c) =>
    [0, 1].map((m) => `arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/bench-c${c}-m${m}`),
  );
  const metrics = (i: number) => ({
    relevanceMetrics: [
      { audienceSize: { type: 'ABSOLUTE' as const, value: 10_000 }, score: 0.5 + (i % 40) / 100 },
      { audienceSize: { type: 'PERCENTAGE' as const, value: 20 }, score: 0.3 + (i % 30) / 100 },
    ],
    recallMetric: 0.2 + (i % 50) / 100,
  });
  const inProgress: string[] = [];
  const batch = [];
  for (let i = 0; i < N; i++) {
    const c = i % SCOPES;
    const arn = `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${uuid(i, 1)}`;
    const running = i % Math.max(1, Math.round(N / IN_PROGRESS)) === 0 && inProgress.length < IN_PROGRESS;
    if (running) inProgress.push(arn);
    batch.push({
      arn,
      name: `bench-${String(i).padStart(5, '0')}`,
      collaborationId: collabs[c]!,
      configuredAudienceModelArn: models[c]![i % 2]!,
      status: running ? 'CREATE_IN_PROGRESS' : i % 15 === 1 ? 'CREATE_FAILED' : 'ACTIVE',
      ...(running || i % 15 === 1 ? {} : { metrics: metrics(i) }),
    });
  }
  sim.putJobs(batch);
  sim.setFaults({ maxRequestsPerSecond: SIM_RPS });
  log(`simulator ${sim.url}: ${N} jobs, ${inProgress.length} in progress, capped at ${SIM_RPS} req/s`);

  // 2. Webhook receiver.
  const received: Array<{ arn: string; status: string; at: number }> = [];
  const receiver = await startBodySink((b, at) => {
    const body = b as { data: { arn: string; status: string } };
    received.push({ arn: body.data.arn, status: body.data.status, at });
  });
  const receiverUrl = receiver.url;

  // 3. The daemon, as users run it.
  const dir = await mkdtemp(join(tmpdir(), 'crml-bench-'));
  const port = await freePort();
  const config = {
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 4 },
    discovery: collabs.map((collaborationId) => ({ collaborationId })),
    polling: { schedule: `*/${INTERVAL_S} * * * * *`, concurrency: 8, maxRequestsPerSecond: MAX_RPS },
    notifications: { targets: [{ name: 'bench', type: 'webhook', url: `${receiverUrl}/hook`, allowHttp: true, ratePerSecond: 1000 }] },
    state: { dir: join(dir, 'state') },
    server: { host: '127.0.0.1', port, admin: { port: 0 } },
    log: { level: 'info' },
  };
  const launch = () => startDaemon({ root: DAEMON_ROOT, dir, config, memoryLimitMiB: MEMORY_LIMIT_MIB, bare: args.bare, onEarlyExit: log });
  let daemon = await launch();
  let pid = daemon.pid;
  const stderr = () => daemon.stderr();
  const base = `http://127.0.0.1:${port}`;
  // The monitor's own lines only: at 100,000 jobs the body is ~200 MB, and the loops below read a few values.
  const scrape = async () =>
    (await fetch(`${base}/metrics`).then((r) => r.text()))
      .split('\n')
      .filter((l) => l.startsWith('cleanroomsml_monitor_'))
      .join('\n');
  const started = Date.now();
  // Where the peak RSS happens (start-up, backfill, steady window) tells what to shrink.
  let phase = 'start-up';
  const rssPeak = { mb: 0, phase: '' };
  const hwm = { mb: 0, phase: '', atS: 0 };
  const steadyRss: number[] = [];
  const rssSampler = setInterval(() => {
    procStats(pid).then(
      (p) => {
        if (phase === 'steady') steadyRss.push(p.rssMB);
        if (phase === 'restart') return;
        if (p.rssMB > rssPeak.mb) Object.assign(rssPeak, { mb: p.rssMB, phase });
        // A high-water mark above every sample is a spike shorter than the sampling period: when it happened says what made it.
        if (p.hwmMB > hwm.mb) Object.assign(hwm, { mb: p.hwmMB, phase, atS: (Date.now() - started) / 1000 });
      },
      () => {},
    );
  }, 250);

  try {
    // 4. Time to the first full sweep: ready and a fully successful sweep (every job tracked from
    // the List pages); /readyz alone answers as soon as config and state are loaded.
    let readyAt = 0;
    while (Date.now() - started < 300_000) {
      if (daemon.child.exitCode !== null) throw new Error(`daemon exited before it was ready: ${stderr()}`);
      const ok =
        (await fetch(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        )) &&
        ((await scrape().then(
          (m) => metricValue(m, 'cleanroomsml_monitor_last_successful_poll_timestamp_seconds'),
          () => 0,
        )) ?? 0) > 0;
      if (ok) {
        readyAt = Date.now();
        break;
      }
      await sleep(100);
    }
    if (!readyAt) throw new Error(`daemon not ready after 300 s: ${stderr()}`);
    const tracked = metricValue(await scrape(), 'cleanroomsml_monitor_resources_tracked');
    log(`ready after ${((readyAt - started) / 1000).toFixed(1)} s with ${tracked} jobs tracked`);

    // 5. Status changes through the control API, spread uniformly over the change window.
    const changes = new Map<string, { status: string; at: number }>();
    const early = Math.round(inProgress.length * (1 - STEADY_SHARE));
    const order = inProgress.map((arn, i) => ({
      arn,
      // Early changes: spread over the change window from ready; late ones: placed when the steady window starts.
      t: i < early ? readyAt + Math.round(((i + 0.5) / early) * CHANGE_WINDOW_MS) : Infinity,
      ok: i % 10 !== 3,
    }));
    let next = 0;
    const changer = setInterval(() => {
      const now = Date.now();
      while (next < order.length && order[next]!.t <= now) {
        const o = order[next++]!;
        const status = o.ok ? 'ACTIVE' : 'CREATE_FAILED';
        sim.setStatus(
          o.arn,
          o.ok ? { status, metrics: metrics(next) } : { status, statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'bench' } },
        );
        changes.set(o.arn, { status, at: Date.now() });
      }
    }, 20);

    // 6. Backfill: every terminal job's metrics fetched under the rate limit, while ready.
    phase = 'backfill';
    let backfillDoneAt = 0;
    let readyDuringBackfill = true;
    while (Date.now() - readyAt < 3_600_000) {
      const m = await scrape();
      if (process.env.BENCH_TRACE_MEMORY) {
        const v = (n: string) => (metricValue(m, `cleanroomsml_monitor_${n}`) / 1e6).toFixed(0);
        const p = await procStats(pid);
        const space = (s: string) =>
          (metricValue(m, 'cleanroomsml_monitor_nodejs_heap_space_size_total_bytes', `space="${s}"`) / 1e6).toFixed(0);
        log(
          `memory: rss ${p.rssMB.toFixed(0)} MB, heap ${v('nodejs_heap_size_used_bytes')} of ${v('nodejs_heap_size_total_bytes')} MB (new ${space('new')}, old ${space('old')}, code ${space('code')}, large ${space('large_object')}), external ${v('nodejs_external_memory_bytes')} MB, backfill pending ${metricValue(m, 'cleanroomsml_monitor_jobs_backfill_pending')}`,
        );
      }
      if (metricValue(m, 'cleanroomsml_monitor_ready') !== 1) readyDuringBackfill = false;
      if (metricValue(m, 'cleanroomsml_monitor_jobs_backfill_pending') === 0) {
        backfillDoneAt = Date.now();
        break;
      }
      await sleep(N > 20_000 ? 10_000 : 2_000);
    }
    log(`backfill done ${((backfillDoneAt - readyAt) / 1000).toFixed(0)} s after ready (ready throughout: ${readyDuringBackfill})`);

    // 7. Steady window: whole sweeps only (from one sweep's end to another's).
    phase = 'steady';
    const sweepsNow = async () => metricValue(await scrape(), 'cleanroomsml_monitor_sweeps_total');
    const waitSweep = async () => {
      const s0 = await sweepsNow();
      // At 100,000 jobs a scrape is ~170 MB: look less often.
      while ((await sweepsNow()) === s0) await sleep(N > 20_000 ? 1000 : 100);
    };
    await waitSweep();
    await sleep(1000); // let any post-sweep backfill commit finish
    while (next < early) await sleep(500);
    const late = order.slice(early);
    const steadyStart = Date.now();
    late.forEach((o, i) => {
      o.t = steadyStart + Math.round(((i + 0.5) / late.length) * STEADY_MS);
    });
    const s0 = simTotals(sim.stats());
    const c0 = await procStats(pid);
    const sw0 = await sweepsNow();
    const renderMs: number[] = [];
    const gzipMs: number[] = [];
    const windowEnd = Date.now() + STEADY_MS;
    const scrapeEvery = Math.max(200, Math.floor(STEADY_MS / SCRAPES));
    while (Date.now() < windowEnd) {
      renderMs.push(await timedGet(`${base}/metrics`));
      await sleep(scrapeEvery / 2);
      gzipMs.push(await timedGet(`${base}/metrics`, true));
      await sleep(scrapeEvery / 2);
    }
    await waitSweep();
    const sw1 = await sweepsNow();
    const s1 = simTotals(sim.stats());
    const c1 = await procStats(pid);
    const sweeps = sw1 - sw0;
    const calls = s1.total - s0.total;
    const callsPerSweep = calls / sweeps;
    const listPerSweep = (s1.list - s0.list) / sweeps;
    // Connections the daemon opened to the simulator (it counts those that carried AWS requests).
    const connectionsPerSweep = (s1.connections - s0.connections) / sweeps;
    const throttledShare = calls === 0 ? 0 : (s1.throttled - s0.throttled) / calls;
    const cpuPer1kPerSweep = (c1.cpuS - c0.cpuS) / sweeps / (N / 1000);
    const changesPerSweep = late.length / sweeps;
    // Each collaboration holds every SCOPES-th job: its List pages, plus the Get of each change.
    const floorPerSweepCalls = collabs.reduce((a, _, c) => a + listPagesNeeded(Math.ceil((N - c) / SCOPES)), 0) + changesPerSweep;
    log(`steady window: ${sweeps} sweeps, ${calls} calls`);

    // 8. Detection latency: wait for the remaining changes and their webhooks.
    while (next < order.length) await sleep(500);
    clearInterval(changer);
    const deadline = Date.now() + (INTERVAL_S + 30) * 1000;
    const matched = () => received.filter((r) => changes.get(r.arn)?.status === r.status);
    while (Date.now() < deadline && new Set(matched().map((r) => r.arn)).size < changes.size) await sleep(500);
    const firstByArn = new Map<string, number>();
    for (const r of matched()) if (!firstByArn.has(r.arn)) firstByArn.set(r.arn, r.at);
    const lat = [...firstByArn].map(([arn, at]) => (at - changes.get(arn)!.at) / 1000);
    const missed = changes.size - firstByArn.size;
    const unexpected = received.filter((r) => changes.get(r.arn)?.status !== r.status).length;
    const whole = simTotals(sim.stats());
    const last = await scrape();
    const whole0 = await fullScrape(base);
    const bytes = whole0.bytes;
    const mb = (name: string) => (metricValue(last, `cleanroomsml_monitor_${name}`) / 1e6).toFixed(0);
    const memory = `heap ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
    const finalStats = await procStats(pid);
    const steadyMedian = percentile(steadyRss, 50);

    // 9. Restart: the time from a new process to a /metrics as complete as before the stop (every
    // resource's series, results included, from the state dir; no API call needed for them).
    phase = 'restart';
    await daemon.stop();
    const restartAt = Date.now();
    daemon = await launch();
    pid = daemon.pid;
    let completeAt = 0;
    while (Date.now() - restartAt < 600_000) {
      const now = await fullScrape(base).catch(() => undefined);
      if (now && now.resourceSamples >= whole0.resourceSamples) {
        completeAt = Date.now();
        break;
      }
      await sleep(250);
    }
    log(`restart: /metrics complete after ${((completeAt - restartAt) / 1000).toFixed(1)} s`);

    const interval = INTERVAL_S;
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    const renderMedian = percentile(renderMs, 50);
    const gzipMedian = percentile(gzipMs, 50);
    const ratio = N / callsPerSweep;
    const row = (k: string, v: string, target: string, ok: boolean | undefined) =>
      `| ${k} | ${v} | ${target} | ${ok === undefined ? '' : ok ? 'yes' : 'NO'} |`;
    const lines = [
      `cleanroomsml-monitor bench: ${N} jobs (${inProgress.length} in progress: ${Math.round(inProgress.length * (1 - STEADY_SHARE))} finish over ${CHANGE_WINDOW_MS / 1000} s from ready, ${Math.round(inProgress.length * STEADY_SHARE)} during the ${STEADY_MS / 1000} s steady window), simulator capped at ${SIM_RPS} req/s, active interval ${interval} s, ceiling ${MAX_RPS} req/s`,
      describeDaemon(daemon, args.bare),
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version} (daemon: same binary), ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| measure | value | target | met |',
      '|---|---|---|---|',
      row(
        'API calls per sweep (steady window; all List + Get requests)',
        `${callsPerSweep.toFixed(1)} (${listPerSweep.toFixed(1)} List, ${(callsPerSweep - listPerSweep).toFixed(1)} Get; ${changesPerSweep.toFixed(1)} status changes per sweep)`,
        '',
        undefined,
      ),
      row(
        'connections opened per sweep (steady window; kept alive between calls and sweeps)',
        `${connectionsPerSweep.toFixed(1)} (${(calls / Math.max(1, s1.connections - s0.connections)).toFixed(0)} calls per connection)`,
        '',
        undefined,
      ),
      row(
        'floor per sweep (the List pages of every scope, one Get per status change)',
        `${floorPerSweepCalls.toFixed(1)}: the daemon made ${(callsPerSweep / floorPerSweepCalls).toFixed(2)}x the floor`,
        '',
        undefined,
      ),
      row(`ratio to naive (1 Get per job = ${N} calls/sweep)`, `${ratio.toFixed(1)}x fewer`, '>= 50x', ratio >= 50),
      row(
        'detection latency p50 / p99 (status change -> webhook)',
        `${p50.toFixed(1)} s / ${p99.toFixed(1)} s (${lat.length} changes, ${missed} missed, ${unexpected} unexpected)`,
        `p99 <= ${interval + 5} s, 0 missed`,
        p99 <= interval + 5 && missed === 0 && unexpected === 0,
      ),
      row(
        'time to first full sweep (ready, all jobs tracked)',
        `${((readyAt - started) / 1000).toFixed(1)} s (${tracked} tracked)`,
        '',
        undefined,
      ),
      row(
        'metric backfill of terminal jobs (ready throughout)',
        `${((backfillDoneAt - readyAt) / 1000).toFixed(0)} s (${readyDuringBackfill ? 'ready' : 'NOT ready at times'})`,
        '',
        undefined,
      ),
      row('CPU seconds per 1,000 jobs per sweep (steady)', cpuPer1kPerSweep.toFixed(4), '', undefined),
      row(
        'peak RSS (VmHWM of the daemon)',
        `${finalStats.hwmMB.toFixed(0)} MB (reached during ${hwm.phase}, ${hwm.atS.toFixed(0)} s after start; sampled peak ${rssPeak.mb.toFixed(0)} MB during ${rssPeak.phase}; ${finalStats.rssMB.toFixed(0)} MB at the end: ${memory})`,
        N <= 10_000 ? '< 160 MB' : '< 600 MB',
        finalStats.hwmMB < (N <= 10_000 ? 160 : 600),
      ),
      row(
        'RSS in the steady window (median / max of the 250 ms samples)',
        `${steadyMedian.toFixed(0)} MB / ${Math.max(...steadyRss).toFixed(0)} MB`,
        N <= 10_000 ? '< 128 MB median' : '< 600 MB max',
        N <= 10_000 ? steadyMedian < 128 : Math.max(...steadyRss) < 600,
      ),
      row(
        '/metrics size (plain text, at the end)',
        `${(bytes / 1e6).toFixed(1)} MB = ${(bytes / N).toFixed(0)} bytes and ${(whole0.resourceSamples / N).toFixed(2)} samples per job (${Object.entries(
          whole0.perFamily,
        )
          .map(([f, n]) => `${f} ${(n / N).toFixed(2)}`)
          .join(', ')})`,
        '<= 1200 bytes per resource',
        bytes / N <= 1200,
      ),
      row(
        'restart to complete /metrics (new process to every series of before the stop)',
        completeAt ? `${((completeAt - restartAt) / 1000).toFixed(1)} s` : 'NOT complete after 600 s',
        '',
        undefined,
      ),
      row(
        `/metrics scrape time, time to last byte, plain (median / max of ${renderMs.length}, ~${(bytes / 1e6).toFixed(0)} MB)`,
        `${renderMedian.toFixed(1)} ms / ${Math.max(...renderMs).toFixed(1)} ms`,
        '<= 100 ms median',
        renderMedian <= 100,
      ),
      row(
        `/metrics scrape time, gzip as Prometheus asks (median / max of ${gzipMs.length})`,
        `${gzipMedian.toFixed(1)} ms / ${Math.max(...gzipMs).toFixed(1)} ms`,
        '<= 100 ms median',
        gzipMedian <= 100,
      ),
      row('throttled share after adaptation (steady window)', `${(throttledShare * 100).toFixed(2)} %`, '<= 2 %', throttledShare <= 0.02),
      row(
        'throttled share over the whole run (incl. start-up and backfill)',
        `${((whole.throttled / whole.total) * 100).toFixed(2)} % of ${whole.total}`,
        '',
        undefined,
      ),
      '',
      `bench wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    clearInterval(rssSampler);
    // Diagnosis: keep the daemon alive to inspect it (smaps, gdb) before it is stopped.
    if (process.env.BENCH_HOLD_S) {
      log(`holding the daemon (pid ${pid}) for ${process.env.BENCH_HOLD_S} s`);
      await sleep(Number(process.env.BENCH_HOLD_S) * 1000);
    }
    await daemon.stop();
    await receiver.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (args.scenario === 'shards') {
    const n = (k: keyof typeof args) => {
      const v = Number(args[k]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number >= 0, got ${args[k]}`);
      return v;
    };
    const totals = String(args.totals)
      .split(',')
      .map((t) => Number(t.trim()));
    if (totals.length === 0 || totals.some((t) => !Number.isInteger(t) || t < 1))
      throw new Error(`--totals must list shard counts >= 1 (e.g. 1,4), got ${args.totals}`);
    process.stdout.write(
      await shardScenario({
        daemonRoot: args['daemon-root'] !== undefined ? resolve(args['daemon-root']) : ROOT,
        totals,
        jobs: opt('jobs'),
        collaborations: Math.max(1, n('collaborations')),
        exportCollaborations: n('export-collaborations'),
        exportsPerJob: n('exports-per-job'),
        trainedModels: n('shard-trained-models'),
        versions: Math.max(1, n('versions')),
        modelExportJobs: n('shard-model-export-jobs'),
        inferenceJobs: n('shard-inference-jobs'),
        channels: n('shard-channels'),
        statics: n('statics'),
        inFlight: Math.min(1, n('shard-in-flight')),
        intervalS: opt('interval'),
        steadyS: n('shard-steady'),
        simRps: opt('sim-rps'),
        maxRps: opt('max-rps'),
        memoryLimitMiB: args['memory-limit'] !== undefined ? n('memory-limit') : undefined,
        bare: args.bare,
        log,
      }),
    );
    return;
  }
  if (args.scenario === 'jobs' || args.scenario === '100k' || args.scenario === 'all') await jobsScenario();
  if (args.scenario === 'membership' || args.scenario === 'all') {
    const n = (k: keyof typeof args) => {
      const v = Number(args[k]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number >= 0, got ${args[k]}`);
      return v;
    };
    const table = await membershipScenario({
      root: ROOT,
      intervalS: opt('interval'),
      steadyS: n('membership-steady'),
      simRps: opt('sim-rps'),
      maxRps: opt('max-rps'),
      memoryLimitMiB: args['memory-limit'] !== undefined ? n('memory-limit') : undefined,
      bare: args.bare,
      trainedModels: n('trained-models'),
      versionsPerModel: Math.max(1, n('versions')),
      inferenceJobs: n('inference-jobs'),
      mlInputChannels: n('channels'),
      audienceGenerationJobs: n('membership-jobs'),
      audienceModels: n('audience-models'),
      audienceExportJobs: n('audience-export-jobs'),
      trainedModelExportJobs: n('model-export-jobs'),
      inFlight: Math.min(1, n('in-flight')),
      newVersions: n('new-versions'),
      tagsRefreshS: n('tags-refresh'),
      log,
    });
    if (args.scenario === 'all') process.stdout.write('\n');
    process.stdout.write(table);
  }
  if (args.scenario === 'durations' || args.scenario === 'all') {
    if (args.scenario === 'all') process.stdout.write('\n');
    process.stdout.write(await durationsScenario(N, log));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
