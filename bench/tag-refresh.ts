// What reading AWS tags again costs: the monitor (in this process, the production composition
// root) against the simulator on 127.0.0.1, --resources tagged resources at rest, swept once per
// --interval over one whole --refresh interval of the monitor's clock (moved on by the bench, so
// six hours take seconds), once with tags.refreshInterval = --refresh and once with 0 (no
// refresh) on the same fleet in the same run. It prints the AWS calls per sweep of both, the
// difference (the refresh's cost), the most Gets one sweep made (the refresh is spread over the
// interval, not a burst), and how many resources were read again.
//   node --import tsx bench/tag-refresh.ts [--resources 1000] [--refresh 6h] [--interval 30]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { parseDuration } from '../src/config/duration.js';
import { startSimulator, type SimStats, type Simulator } from '../src/dev/sim/server.js';
import { createLogger } from '../src/log.js';

const { values: args } = parseArgs({
  options: {
    resources: { type: 'string', default: '1000' },
    refresh: { type: 'string', default: '6h' },
    interval: { type: 'string', default: '30' },
  },
});
const N = Number(args.resources);
const INTERVAL_MS = Number(args.interval) * 1000;
const REFRESH_MS = parseDuration(args.refresh) ?? Number.NaN;
if (!(N > 0) || !(REFRESH_MS > 0) || !(INTERVAL_MS > 0)) throw new Error('--resources, --refresh and --interval must be positive');

const CREDS = { accessKeyId: 'AKIDBENCHTAGS', secretAccessKey: 'bench-tags-secret' };
const M = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a';
const C = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const HOUR = 3_600_000;
const TEAMS = ['growth', 'risk', 'fraud', 'data', 'platform'];

/** The fleet: a fifth each of audience generation jobs, trained models, inference jobs, channels, audience models; all tagged, at rest. */
function populate(sim: Simulator, now: number): void {
  const at = (i: number) => {
    const created = now - (3 + (i % 100)) * HOUR;
    return { status: 'ACTIVE', createTime: new Date(created).toISOString(), updateTime: new Date(created + HOUR).toISOString() };
  };
  const tags = (i: number) => ({ team: TEAMS[i % TEAMS.length]!, 'cost-center': `cc-${i % 17}` });
  const resources: Array<Record<string, unknown>> = [];
  for (let i = 0; i < N; i++) {
    const kind = ['audienceGenerationJob', 'trainedModel', 'trainedModelInferenceJob', 'mlInputChannel', 'audienceModel'][i % 5]!;
    const scope =
      kind === 'audienceModel' ? {} : kind === 'audienceGenerationJob' ? { collaborationId: C } : { membershipId: M, collaborationId: C };
    resources.push({ kind, name: `bench-${kind}-${i}`, ...scope, ...at(i), tags: tags(i) });
  }
  sim.putResources(resources);
}

const gets = (s: SimStats) =>
  Object.entries(s.requests)
    .filter(([op]) => !op.startsWith('List'))
    .reduce((a, [, o]) => a + Object.values(o).reduce((x, y) => x + y, 0), 0);
const lists = (s: SimStats) =>
  Object.entries(s.requests)
    .filter(([op]) => op.startsWith('List'))
    .reduce((a, [, o]) => a + Object.values(o).reduce((x, y) => x + y, 0), 0);

interface Run {
  sweeps: number;
  listPerSweep: number;
  getPerSweep: number;
  maxGetsInASweep: number;
  refreshed: number;
}

async function run(refreshMs: number): Promise<Run> {
  // One clock for the simulator and the monitor: real time plus what the bench moved it on by.
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS, clock });
  const dir = await mkdtemp(join(tmpdir(), 'crml-bench-tags-'));
  populate(sim, clock.now());
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url },
    discovery: [
      {
        membershipId: M,
        collaborationId: C,
        kinds: ['audienceGenerationJob', 'trainedModel', 'trainedModelInferenceJob', 'mlInputChannel'],
      },
      { kinds: ['audienceModel'] },
    ],
    tags: { keys: ['team'], refreshInterval: refreshMs === 0 ? '0' : `${refreshMs / 1000}s` },
    polling: { schedule: `*/${INTERVAL_MS / 1000} * * * * *`, maxRequestsPerSecond: 100, concurrency: 8 },
    state: { dir },
    server: { host: '127.0.0.1', port: 0, admin: { enabled: false } },
  });
  const app = await createApp({ config, log: createLogger({ level: 'silent' }), credentials: async () => CREDS, clock, schedule: false });
  try {
    await app.start();
    // Start-up and the first detailed read of everything (tags included): until a sweep makes no Get.
    for (let quiet = 0, k = 0; quiet < 2; k++) {
      if (k > 200) throw new Error('the backfill did not end');
      const before = gets(sim.stats());
      await app.sweepNow();
      offset += INTERVAL_MS;
      quiet = gets(sim.stats()) === before ? quiet + 1 : 0;
    }
    const s0 = sim.stats();
    const sweeps = Math.round(REFRESH_MS / INTERVAL_MS);
    let maxGets = 0;
    let refreshed = 0;
    for (let k = 0; k < sweeps; k++) {
      const before = gets(sim.stats());
      const report = await app.sweepNow();
      if (!report?.ok) throw new Error(`sweep ${k} failed: ${JSON.stringify(report?.scopeErrors)}`);
      refreshed += report.tagRefreshes;
      maxGets = Math.max(maxGets, gets(sim.stats()) - before);
      offset += INTERVAL_MS;
    }
    const s1 = sim.stats();
    return {
      sweeps,
      listPerSweep: (lists(s1) - lists(s0)) / sweeps,
      getPerSweep: (gets(s1) - gets(s0)) / sweeps,
      maxGetsInASweep: maxGets,
      refreshed,
    };
  } finally {
    await app.stop();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const t0 = Date.now();
const withRefresh = await run(REFRESH_MS);
const without = await run(0);
const f = (x: number) => x.toFixed(2);
const expected = (N * INTERVAL_MS) / REFRESH_MS;
process.stdout.write(
  [
    `tag refresh: ${N} tagged resources at rest (5 kinds), a sweep every ${INTERVAL_MS / 1000} s of the monitor's clock for ${args.refresh} (${withRefresh.sweeps} sweeps), node ${process.version}`,
    '',
    '| tags.refreshInterval | List calls / sweep | Get calls / sweep | most Gets in one sweep | resources read again |',
    '|---|---|---|---|---|',
    `| ${args.refresh} | ${f(withRefresh.listPerSweep)} | ${f(withRefresh.getPerSweep)} | ${withRefresh.maxGetsInASweep} | ${withRefresh.refreshed} |`,
    `| 0 (off) | ${f(without.listPerSweep)} | ${f(without.getPerSweep)} | ${without.maxGetsInASweep} | ${without.refreshed} |`,
    '',
    `extra calls per sweep for the refresh: ${f(withRefresh.getPerSweep + withRefresh.listPerSweep - without.getPerSweep - without.listPerSweep)} (one Get per resource per interval: ${N} x ${INTERVAL_MS / 1000} s / ${REFRESH_MS / 1000} s = ${f(expected)})`,
    `wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    '',
  ].join('\n'),
);
