// The shard scenario: one fleet of every kind with children (audience export jobs, trained model
// versions, trained model export jobs) watched by one pod, then by N shard processes (the daemon
// run with --shard I --total-shards N, each with its own state dir), against the same simulator
// fleet. Measures what sharding must keep: every resource on exactly one shard's /metrics, every
// status change notified exactly once across shards, List and Get calls per interval summed over
// the shards against one pod's and against the floor, the load of each shard (resources and List
// calls, max / min) and the time to the first full picture (every resource on some shard).
//
// It only drives the CLI, the simulator and /metrics, so it runs against any build of the daemon:
// `--daemon-root DIR` points it at another checkout's dist/ (e.g. an older release, to measure it).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, rngInt, rngUuid } from '../src/dev/sim/prng.js';
import { startSimulator, type SimStats, type Simulator } from '../src/dev/sim/server.js';
import { startDaemon, type Daemon } from './daemon.js';
import { floorPerSweep, type ScopeLoad } from './floor.js';
import { freePort, metricValue, sleep, startBodySink } from './harness.js';

export interface ShardOptions {
  /** Repository root of the benchmarked daemon (its dist/cli.js runs). */
  daemonRoot: string;
  /** Shard counts to run the fleet under, in order (1 = one pod). */
  totals: number[];
  jobs: number;
  collaborations: number;
  /** Collaborations whose entry also lists their jobs' audience export jobs (one List per job). */
  exportCollaborations: number;
  /** Audience export jobs per audience generation job of those collaborations (may be fractional). */
  exportsPerJob: number;
  trainedModels: number;
  versions: number;
  modelExportJobs: number;
  inferenceJobs: number;
  channels: number;
  /** Static resources (`jobs:`) in a collaboration no entry discovers. */
  statics: number;
  /** Share of resources under way that finish during the steady window. */
  inFlight: number;
  intervalS: number;
  steadyS: number;
  simRps: number;
  maxRps: number;
  memoryLimitMiB: number | undefined;
  bare: boolean;
  log: (s: string) => void;
}

const ACCOUNT = '123456789012';
const PREFIX = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}`;
const HOUR = 3_600_000;
const TERMINAL_INTERVAL_MS = 600_000;
const KIND_SNAKE: Record<string, string> = {
  audienceGenerationJob: 'audience_generation_job',
  audienceExportJob: 'audience_export_job',
  trainedModel: 'trained_model',
  trainedModelExportJob: 'trained_model_export_job',
  trainedModelInferenceJob: 'trained_model_inference_job',
  mlInputChannel: 'ml_input_channel',
};

interface Fleet {
  /** Every resource id, by kind. */
  ids: Map<string, string>;
  /** Resources under way, with the status each ends in. */
  underWay: Array<{ id: string; kind: string; end: string }>;
  discovery: unknown[];
  statics: Array<{ arn: string }>;
  /** The floor's List scopes: top-level Lists and per-parent Lists with their share of sweeps. */
  scopes: ScopeLoad[];
  /**
   * The per-parent Lists of each parent (by its ARN), and whether each is busy from the start (a
   * child at work): a parent's change makes the others busy for the rest of the window too.
   */
  parentLists: Map<string, Array<{ key: string; busy: boolean }>>;
}

function populate(sim: Simulator, o: ShardOptions, now: number): Fleet {
  const rng = createRng(20261201);
  const iso = (t: number) => new Date(t).toISOString();
  const ids = new Map<string, string>();
  const underWay: Fleet['underWay'] = [];
  // Every `every`-th resource is under way at the start (and finishes during the window).
  const every = o.inFlight > 0 ? Math.max(1, Math.round(1 / o.inFlight)) : Infinity;
  let n = 0;
  const flight = () => (n++ % every === 0 ? 1 : 0);
  const times = (going: boolean) => {
    if (going) {
      // Under way since before the terminal interval: a parent's recent change (which makes its
      // children's List due every sweep for terminalInterval) then comes from the window's changes
      // only, not from how long the start-up took in each layout.
      const t = now - rngInt(rng, TERMINAL_INTERVAL_MS / 1000 + 60, TERMINAL_INTERVAL_MS / 1000 + 1_200) * 1000;
      return { status: 'CREATE_IN_PROGRESS', createTime: iso(t), updateTime: iso(t) };
    }
    const created = now - rngInt(rng, 3, 6 * 24) * HOUR;
    return { status: 'ACTIVE', createTime: iso(created), updateTime: iso(created + HOUR) };
  };
  const end = (i: number) => (i % 5 === 2 ? 'CREATE_FAILED' : 'ACTIVE');
  const collabs = Array.from({ length: o.collaborations }, () => rngUuid(rng));
  const scopes: ScopeLoad[] = [];
  const parentLists: Fleet['parentLists'] = new Map();
  const share = (busy: boolean) => (busy ? 1 : (o.intervalS * 1000) / TERMINAL_INTERVAL_MS);

  // Audience generation jobs over the collaborations; export jobs under those of the first ones.
  const jobs: Array<Record<string, unknown>> = [];
  const exports: Array<Record<string, unknown>> = [];
  const perCollab = new Map<string, number>();
  let exportDebt = 0;
  for (let i = 0; i < o.jobs; i++) {
    const c = i % o.collaborations;
    const going = flight() === 1;
    const arn = `${PREFIX}:audience-generation-job/${rngUuid(rng)}`;
    const t = times(going);
    jobs.push({
      arn,
      name: `shard-job-${i}`,
      collaborationId: collabs[c]!,
      configuredAudienceModelArn: `${PREFIX}:configured-audience-model/shard-model-${c}`,
      ...t,
      ...(t.status === 'ACTIVE' ? { metrics: { relevanceMetrics: [], recallMetric: 0.4 } } : {}),
    });
    ids.set(arn, 'audienceGenerationJob');
    if (going) underWay.push({ id: arn, kind: 'audienceGenerationJob', end: end(i) });
    perCollab.set(collabs[c]!, (perCollab.get(collabs[c]!) ?? 0) + 1);
    if (c < o.exportCollaborations) {
      let children = 0;
      for (exportDebt += o.exportsPerJob; exportDebt >= 1; exportDebt--) {
        const eGoing = flight() === 1;
        children++;
        exports.push({
          kind: 'audienceExportJob',
          name: `shard-export-${i}-${children}`,
          audienceGenerationJobArn: arn,
          audienceSize: { type: 'ABSOLUTE', value: 10_000 },
          ...times(eGoing),
          _going: eGoing,
          _i: exports.length,
        });
      }
      // A parent's children are listed every sweep while one of them is at work (or the parent changed
      // lately: the window's own changes, not counted here), else at the terminal interval.
      const busy = exports.slice(exports.length - children).some((e) => e['_going']);
      scopes.push({ operation: 'ListAudienceExportJobs', items: children, share: share(busy) });
      parentLists.set(arn, [{ key: `ListAudienceExportJobs ${arn}`, busy }]);
    }
  }
  sim.putJobs(jobs as never);
  for (const c of collabs) scopes.push({ operation: 'ListAudienceGenerationJobs', items: perCollab.get(c) ?? 0 });

  // One membership with trained models (versions), their export jobs, inference jobs and channels.
  const membership = rngUuid(rng);
  const mCollab = rngUuid(rng);
  const resources: Array<Record<string, unknown>> = [];
  const models: string[] = [];
  const modelBusy = new Map<string, boolean>();
  for (let i = 0; i < o.trainedModels; i++) {
    const arn = `${PREFIX}:membership/${membership}/trained-model/${rngUuid(rng)}`;
    models.push(arn);
    for (let v = 0; v < o.versions; v++) {
      const latest = v === o.versions - 1;
      const going = latest && flight() === 1;
      const t = going ? times(true) : { ...times(false), updateTime: iso(now - (o.versions - v) * 24 * HOUR) };
      resources.push({
        kind: 'trainedModel',
        name: `shard-model-${i}`,
        arn,
        ...(v > 0 ? { versionIdentifier: rngUuid(rng) } : {}),
        membershipId: membership,
        collaborationId: mCollab,
        stoppingCondition: { maxRuntimeInSeconds: 6 * 3600 },
        ...t,
        createTime: iso(now - (o.versions - v + 1) * 24 * HOUR),
        _going: going,
      });
      if (going) modelBusy.set(arn, true);
    }
  }
  const modelExports = new Map<string, number>();
  for (let i = 0; i < o.modelExportJobs; i++) {
    const model = models[(i * 7) % models.length]!;
    const going = flight() === 1;
    if (going) modelBusy.set(`${model}#exports`, true);
    modelExports.set(model, (modelExports.get(model) ?? 0) + 1);
    resources.push({
      kind: 'trainedModelExportJob',
      name: `shard-model-export-${i}`,
      membershipId: membership,
      collaborationId: mCollab,
      trainedModelArn: model,
      ...times(going),
      _going: going,
    });
  }
  for (let i = 0; i < o.inferenceJobs; i++) {
    const going = flight() === 1;
    resources.push({
      kind: 'trainedModelInferenceJob',
      name: `shard-inference-${i}`,
      arn: `${PREFIX}:membership/${membership}/trained-model-inference-job/${rngUuid(rng)}`,
      membershipId: membership,
      collaborationId: mCollab,
      ...(models.length > 0 ? { trainedModelArn: models[i % models.length]! } : {}),
      ...times(going),
      _going: going,
    });
  }
  for (let i = 0; i < o.channels; i++) {
    const going = flight() === 1;
    resources.push({
      kind: 'mlInputChannel',
      name: `shard-channel-${i}`,
      arn: `${PREFIX}:membership/${membership}/ml-input-channel/${rngUuid(rng)}`,
      membershipId: membership,
      collaborationId: mCollab,
      numberOfRecords: 1000 + i,
      sizeInGb: 1 + (i % 50),
      ...times(going),
      _going: going,
    });
  }
  const all = [...exports, ...resources];
  const answered = sim.putResources(all.map(({ _going, _i, ...r }) => r));
  answered.forEach((r, i) => {
    const id = r['id'] as string;
    const kind = r['kind'] as string;
    ids.set(id, kind);
    if (all[i]!['_going']) underWay.push({ id, kind, end: end(i) });
  });
  for (const m of models) {
    scopes.push({ operation: 'ListTrainedModelVersions', items: o.versions, share: share(modelBusy.get(m) ?? false) });
    parentLists.set(m, [
      { key: `ListTrainedModelVersions ${m}`, busy: modelBusy.get(m) ?? false },
      { key: `ListCollaborationTrainedModelExportJobs ${m}`, busy: modelBusy.get(`${m}#exports`) ?? false },
    ]);
    scopes.push({
      operation: 'ListCollaborationTrainedModelExportJobs',
      items: modelExports.get(m) ?? 0,
      share: share(modelBusy.get(`${m}#exports`) ?? false),
    });
  }
  scopes.push(
    { operation: 'ListTrainedModels', items: o.trainedModels },
    { operation: 'ListTrainedModelInferenceJobs', items: o.inferenceJobs },
    { operation: 'ListMLInputChannels', items: o.channels },
  );

  // Static jobs in a collaboration no entry discovers: read through their own List group.
  const staticCollab = rngUuid(rng);
  const statics = Array.from({ length: o.statics }, (_, i) => ({
    arn: `${PREFIX}:audience-generation-job/${rngUuid(rng)}`,
    name: `shard-static-${i}`,
    collaborationId: staticCollab,
    configuredAudienceModelArn: `${PREFIX}:configured-audience-model/shard-static-model`,
    ...times(false),
    metrics: { relevanceMetrics: [], recallMetric: 0.4 },
  }));
  if (statics.length > 0) {
    sim.putJobs(statics as never);
    for (const s of statics) ids.set(s.arn, 'audienceGenerationJob');
    scopes.push({ operation: 'ListAudienceGenerationJobs', items: statics.length, share: share(false) });
  }

  const discovery = [
    ...collabs.map((collaborationId, c) => ({
      collaborationId,
      kinds: c < o.exportCollaborations ? ['audienceGenerationJob', 'audienceExportJob'] : ['audienceGenerationJob'],
    })),
    ...(o.trainedModels + o.inferenceJobs + o.channels > 0
      ? [
          {
            membershipId: membership,
            collaborationId: mCollab,
            kinds: ['trainedModel', 'trainedModelExportJob', 'trainedModelInferenceJob', 'mlInputChannel'],
          },
        ]
      : []),
  ];
  return { ids, underWay, discovery, statics: statics.map((s) => ({ arn: s.arn })), scopes, parentLists };
}

/** The resource ids on one /metrics text (every kind's `_info{arn=...}` series). */
function idsOn(text: string): Set<string> {
  const out = new Set<string>();
  for (const snake of Object.values(KIND_SNAKE)) {
    const head = `cleanroomsml_${snake}_info{arn="`;
    for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
      const start = at + head.length;
      out.add(text.slice(start, text.indexOf('"', start)).replace(/\\"/g, '"').replace(/\\\\/g, '\\'));
    }
  }
  return out;
}

/** List and Get calls a daemon made (its own counter), by class. */
function ownCalls(text: string): { list: number; get: number } {
  let list = 0;
  let get = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cleanroomsml_monitor_api_requests_total{')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (/operation="List/.test(line)) list += v;
    else get += v;
  }
  return { list, get };
}

/** Calls the simulator answered and refused (throttled), by class. */
function simCalls(s: SimStats): { list: number; listAnswered: number; get: number } {
  let list = 0;
  let listAnswered = 0;
  let get = 0;
  for (const [op, outcomes] of Object.entries(s.requests)) {
    const n = Object.values(outcomes).reduce((a, b) => a + b, 0);
    if (op.startsWith('List')) {
      list += n;
      listAnswered += n - ((outcomes as Record<string, number>).throttled ?? 0);
    } else get += n;
  }
  return { list, listAnswered, get };
}

interface LayoutResult {
  total: number;
  fleet: Fleet;
  /** From the start of the daemons to the end of the steady window (s). */
  windowEndS: number;
  /** Per-parent List calls per interval the window's changes made due (a parent changed: its Lists every sweep). */
  changedParentLists: number;
  fullPictureS: number | undefined;
  unwatched: number;
  unwatchedByKind: Map<string, number>;
  onSeveral: number;
  listPerInterval: number;
  /** List calls the simulator answered (not refused as throttled). */
  listAnsweredPerInterval: number;
  getPerInterval: number;
  perShard: Array<{ resources: number; list: number; get: number }>;
  changes: number;
  missed: number;
  repeated: number;
  throttledShare: number;
}

async function runLayout(o: ShardOptions, total: number): Promise<LayoutResult> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const fleet = populate(sim, o, Date.now());
  sim.setFaults({ maxRequestsPerSecond: o.simRps });
  const received: Array<{ id: string; status: string; eventId: string }> = [];
  const sink = await startBodySink((b) => {
    const body = b as { id: string; data: { arn: string; status: string } };
    received.push({ id: body.data.arn, status: body.data.status, eventId: body.id });
  });
  const dir = await mkdtemp(join(tmpdir(), `crml-bench-shards-${total}-`));
  const daemons: Array<{ d: Daemon; base: string }> = [];
  const kinds = [...new Set(fleet.ids.values())];
  o.log(
    `shards x${total}: ${fleet.ids.size} resources (${kinds.map((k) => `${[...fleet.ids.values()].filter((v) => v === k).length} ${k}`).join(', ')}), ${fleet.underWay.length} under way`,
  );
  try {
    for (let i = 0; i < total; i++) {
      const port = await freePort();
      const shardDir = join(dir, `shard-${i}`);
      await mkdir(shardDir);
      const config = {
        aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 4 },
        ...(fleet.statics.length > 0 ? { jobs: fleet.statics } : {}),
        discovery: fleet.discovery,
        polling: {
          schedule: `*/${o.intervalS} * * * * *`,
          concurrency: 8,
          maxRequestsPerSecond: o.maxRps,
          terminalInterval: `${TERMINAL_INTERVAL_MS / 1000}s`,
        },
        notifications: { targets: [{ name: 'bench', type: 'webhook', url: `${sink.url}/hook`, allowHttp: true, ratePerSecond: 1000 }] },
        state: { dir: join(shardDir, 'state') },
        server: { host: '127.0.0.1', port, admin: { port: 0 } },
        log: { level: 'warn' },
      };
      const d = await startDaemon({
        root: o.daemonRoot,
        dir: shardDir,
        config,
        memoryLimitMiB: o.memoryLimitMiB,
        bare: o.bare,
        onEarlyExit: o.log,
        ...(total > 1 ? { args: ['--shard', String(i), '--total-shards', String(total)] } : {}),
      });
      daemons.push({ d, base: `http://127.0.0.1:${port}` });
    }
    const scrapeAll = () =>
      Promise.all(
        daemons.map(({ base }) =>
          fetch(`${base}/metrics`).then(
            (r) => r.text(),
            () => '',
          ),
        ),
      );
    const started = Date.now();
    const intervalMs = o.intervalS * 1000;

    // First full picture: every resource of the fleet on some shard's /metrics. A build that
    // leaves some unwatched never gets there: stop waiting once every shard has completed 3 sweeps
    // since anything new appeared (a sweep holding a long backfill delays the next one's Lists).
    let fullAt: number | undefined;
    let seen = 0;
    let sweepsAtGrowth: number[] = [];
    while (Date.now() - started < 900_000) {
      const texts = await scrapeAll();
      const union = new Set<string>();
      for (const t of texts) for (const id of idsOn(t)) union.add(id);
      const have = [...fleet.ids.keys()].filter((id) => union.has(id)).length;
      if (have === fleet.ids.size) {
        fullAt = Date.now();
        break;
      }
      const sweeps = texts.map((t) => metricValue(t, 'cleanroomsml_monitor_sweeps_total'));
      if (have > seen || sweepsAtGrowth.length === 0) {
        seen = have;
        sweepsAtGrowth = sweeps;
      } else if (seen > 0 && sweeps.every((n, i) => n - sweepsAtGrowth[i]! >= 3)) break;
      await sleep(250);
    }
    o.log(
      `shards x${total}: ${fullAt ? `full picture after ${((fullAt - started) / 1000).toFixed(1)} s` : `no full picture: ${seen} of ${fleet.ids.size} resources watched`}`,
    );

    // Backfill: wait until two whole intervals pass without a Get.
    let quietSince = Date.now();
    let gets = simCalls(sim.stats()).get;
    while (Date.now() - quietSince < 2 * intervalMs + 1000 && Date.now() - started < 1_800_000) {
      await sleep(1000);
      const g = simCalls(sim.stats()).get;
      if (g !== gets) {
        gets = g;
        quietSince = Date.now();
      }
    }
    o.log(`shards x${total}: backfill done ${((Date.now() - started) / 1000).toFixed(0)} s after start`);

    // Steady window: every resource under way finishes, spread over the window.
    const windowMs = o.steadyS * 1000;
    const startAt = Date.now();
    const s0 = sim.stats();
    const own0 = (await scrapeAll()).map(ownCalls);
    const changes = fleet.underWay.map((u, i) => ({
      ...u,
      at: startAt + Math.round(((i + 0.5) / fleet.underWay.length) * (windowMs - intervalMs)),
      done: false,
    }));
    const mover = setInterval(() => {
      const now = Date.now();
      for (const c of changes) {
        if (c.done || c.at > now) continue;
        c.done = true;
        const details = c.end === 'CREATE_FAILED' ? { statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'bench' } } : {};
        if (c.kind === 'audienceGenerationJob')
          sim.setStatus(c.id, {
            status: c.end,
            ...details,
            ...(c.end === 'ACTIVE' ? { metrics: { relevanceMetrics: [], recallMetric: 0.5 } } : {}),
          });
        else sim.setResourceStatus(c.id, { status: c.end, ...details });
      }
    }, 20);
    await sleep(windowMs);
    clearInterval(mover);
    const s1 = sim.stats();
    const own1 = (await scrapeAll()).map(ownCalls);
    const intervals = (Date.now() - startAt) / intervalMs;
    const a = simCalls(s0);
    const b = simCalls(s1);
    let throttled = 0;
    let calls = 0;
    for (const [op, outcomes] of Object.entries(s1.requests)) {
      const before: Record<string, number> = s0.requests[op] ?? {};
      for (const [k, v] of Object.entries(outcomes)) {
        calls += v - (before[k] ?? 0);
        if (k === 'throttled') throttled += v - (before[k] ?? 0);
      }
    }

    // The last notifications, then what each shard exports.
    const deadline = Date.now() + (o.intervalS + 20) * 1000;
    const notified = () => new Set(received.map((r) => `${r.id} ${r.status}`));
    while (Date.now() < deadline && changes.some((c) => !notified().has(`${c.id} ${c.end}`))) await sleep(250);
    await sleep(2 * intervalMs);
    const texts = await scrapeAll();
    const onShards = texts.map(idsOn);
    const count = new Map<string, number>();
    for (const s of onShards) for (const id of s) count.set(id, (count.get(id) ?? 0) + 1);
    const unwatchedByKind = new Map<string, number>();
    for (const [id, kind] of fleet.ids) if (!count.has(id)) unwatchedByKind.set(kind, (unwatchedByKind.get(kind) ?? 0) + 1);
    const byKey = new Map<string, number>();
    for (const r of received) byKey.set(`${r.id} ${r.status}`, (byKey.get(`${r.id} ${r.status}`) ?? 0) + 1);
    // A parent that changed has its children's Lists called every sweep from then on (the monitor's
    // rule for terminalInterval): the floor counts those from each parent's first change.
    const busyFrom = new Map<string, number>();
    for (const c of changes) {
      if (c.kind !== 'audienceGenerationJob' && c.kind !== 'trainedModel') continue;
      for (const l of fleet.parentLists.get(c.id.split('#')[0]!) ?? []) if (!l.busy && !busyFrom.has(l.key)) busyFrom.set(l.key, c.at);
    }
    const windowEnd = startAt + windowMs;
    const changedParentLists =
      [...busyFrom.values()].reduce((a, at) => a + Math.max(0, windowEnd - at) / intervalMs, 0) / (windowMs / intervalMs);
    return {
      total,
      fleet,
      changedParentLists,
      windowEndS: (startAt + windowMs - started) / 1000,
      fullPictureS: fullAt === undefined ? undefined : (fullAt - started) / 1000,
      unwatched: [...unwatchedByKind.values()].reduce((x, y) => x + y, 0),
      unwatchedByKind,
      onSeveral: [...count.values()].filter((c) => c > 1).length,
      listPerInterval: (b.list - a.list) / intervals,
      listAnsweredPerInterval: (b.listAnswered - a.listAnswered) / intervals,
      getPerInterval: (b.get - a.get) / intervals,
      perShard: onShards.map((s, i) => ({
        resources: s.size,
        list: (own1[i]!.list - own0[i]!.list) / intervals,
        get: (own1[i]!.get - own0[i]!.get) / intervals,
      })),
      changes: changes.length,
      missed: changes.filter((c) => !byKey.has(`${c.id} ${c.end}`)).length,
      repeated: changes.filter((c) => (byKey.get(`${c.id} ${c.end}`) ?? 0) > 1).length,
      throttledShare: calls === 0 ? 0 : throttled / calls,
    };
  } finally {
    for (const { d } of daemons) await d.stop();
    await sink.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function shardScenario(o: ShardOptions): Promise<string> {
  const t0 = Date.now();
  const results: LayoutResult[] = [];
  for (const total of o.totals) results.push(await runLayout(o, total));
  // The floor of one interval of each layout's window: the pages of every List the fleet needs,
  // the per-parent Lists of busy parents every sweep and those of quiet parents at their share
  // (none in a window that ends within terminalInterval of the start: every one was listed at the
  // start), plus one Get per change of a kind with a Get, spread over the window.
  const fleet = results[0]!.fleet;
  const intervals = o.steadyS / o.intervalS;
  const withGet = fleet.underWay.filter((u) => u.kind !== 'audienceExportJob' && u.kind !== 'trainedModelExportJob').length;
  const floorOf = (r: LayoutResult) => {
    const quiet = r.windowEndS * 1000 < TERMINAL_INTERVAL_MS ? 0 : (o.intervalS * 1000) / TERMINAL_INTERVAL_MS;
    const scopes = fleet.scopes.map((sc) => ((sc.share ?? 1) < 1 ? { ...sc, share: quiet } : sc));
    const f = floorPerSweep([scopes], [{ getOperation: 'Get', changes: Math.round(withGet) }], intervals);
    return { ...f, list: f.list + r.changedParentLists, total: f.total + r.changedParentLists };
  };
  const floor = floorOf(results[0]!);
  const one = results.find((r) => r.total === 1);
  const fmt = (x: number) => x.toFixed(1);
  const spread = (xs: number[]) => `${fmt(Math.max(...xs))} / ${fmt(Math.min(...xs))}`;
  const row = (r: LayoutResult) => {
    const unwatched = r.unwatched === 0 ? '0' : `${r.unwatched} (${[...r.unwatchedByKind].map(([k, n]) => `${n} ${k}`).join(', ')})`;
    const vsOne =
      one && r.total !== 1
        ? ` (${(r.listPerInterval / one.listPerInterval).toFixed(2)}x one pod; answered ${fmt(r.listAnsweredPerInterval)}, ${(r.listAnsweredPerInterval / one.listAnsweredPerInterval).toFixed(2)}x)`
        : ` (answered ${fmt(r.listAnsweredPerInterval)})`;
    const f = floorOf(r);
    return `| ${r.total === 1 ? '1 pod' : `${r.total} shards`} | ${unwatched} | ${r.onSeveral} | ${fmt(r.listPerInterval)}${vsOne} | ${(r.listAnsweredPerInterval / f.list).toFixed(2)}x of ${fmt(f.list)} | ${fmt(r.getPerInterval)} (${(r.getPerInterval / f.get).toFixed(2)}x of ${fmt(f.get)}) | ${spread(r.perShard.map((s) => s.resources))} | ${spread(r.perShard.map((s) => s.list))} | ${r.fullPictureS === undefined ? 'never' : `${fmt(r.fullPictureS)} s`} | ${r.changes - r.missed} of ${r.changes}, ${r.missed} missed, ${r.repeated} repeated | ${(r.throttledShare * 100).toFixed(1)} % |`;
  };
  const lines = [
    `cleanroomsml-monitor bench, shard scenario: ${fleet.ids.size} resources (${o.jobs} audience generation jobs over ${o.collaborations} collaborations, audience export jobs under ${o.exportCollaborations} of them, ${o.trainedModels} trained models x ${o.versions} versions, ${o.modelExportJobs} trained model export jobs, ${o.inferenceJobs} inference jobs, ${o.channels} ML input channels, ${o.statics} static jobs); ${fleet.underWay.length} finish during a ${o.steadyS} s window; simulator capped at ${o.simRps} req/s, interval ${o.intervalS} s, terminalInterval ${TERMINAL_INTERVAL_MS / 1000} s`,
    `daemon: ${o.daemonRoot}/dist/cli.js; machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    `floor per interval: ${fmt(floor.list)} List + ${fmt(floor.get)} Get (the pages of every List; per-parent Lists of busy parents every sweep (a child at work, or the parent changed in the window), of quiet ones at their share, none within terminalInterval of the start; one Get per change)`,
    '',
    '| layout | resources on no shard | on several shards | List calls / interval (all shards; answered: not throttled) | answered Lists / floor | Get calls / interval (/ floor) | resources per shard (max / min) | List calls per shard (max / min) | first full picture | changes notified once | throttled |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(row),
    '',
    `shard scenario wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  ];
  return `${lines.join('\n')}\n`;
}
