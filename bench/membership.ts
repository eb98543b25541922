import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KINDS } from '../src/kinds/index.js';
import type { KindName } from '../src/kinds/kind.js';
import { createRng, rngInt, rngUuid } from '../src/dev/sim/prng.js';
import { startSimulator, type SimStats, type Simulator } from '../src/dev/sim/server.js';
import { describeDaemon, startDaemon } from './daemon.js';
import { floorPerSweep, perParentShare, type ChangeLoad, type ParentHistory, type RefreshLoad, type ScopeLoad } from './floor.js';
import { freePort, metricValue, percentile, sleep, startBodySink } from './harness.js';

export interface MembershipOptions {
  root: string;
  intervalS: number;
  steadyS: number;
  simRps: number;
  maxRps: number;
  memoryLimitMiB: number | undefined;
  bare: boolean;
  trainedModels: number;
  versionsPerModel: number;
  inferenceJobs: number;
  mlInputChannels: number;
  audienceGenerationJobs: number;
  audienceModels: number;
  audienceExportJobs: number;
  trainedModelExportJobs: number;
  /** Share of every kind under way at the start of the steady window. */
  inFlight: number;
  /**
   * New versions of finished trained models created during the steady window (incremental
   * training): each appears (CREATE_PENDING), then moves on; the version it supersedes drops out of
   * ListTrainedModels. Default 0.
   */
  newVersions: number;
  /** tags.refreshInterval in seconds (0: off); every resource whose Get carries tags is tagged. */
  tagsRefreshS: number;
  log: (s: string) => void;
}

const ACCOUNT = '123456789012';
const MEMBERSHIP = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a';
const COLLABORATION = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const PREFIX = `arn:aws:cleanrooms-ml:us-east-1:${ACCOUNT}`;
const FAILURE = { statusCode: 'INTERNAL_ERROR', message: 'bench: the run failed' };
const HOUR = 3_600_000;

/** One resource the bench drives: where it starts, and the changes it will go through. */
interface Driven {
  kind: KindName;
  id: string;
  start: string;
  /** A first step `create` puts the resource (a new trained model version) instead of moving it. */
  steps: Array<{ status: string; at: number; doneAt?: number; create?: Record<string, unknown> }>;
  /** Trained model ARN of a trained model (its latest version) or of a trained model export job. */
  model?: string;
  /** A resource that does not exist yet: the control API input that creates it. */
  create?: Record<string, unknown>;
}

/** A webhook as received. */
interface Received {
  kind: string;
  id: string;
  status: string;
  transition: string;
  at: number;
}

function opCalls(s: SimStats): Map<string, { total: number; throttled: number }> {
  const out = new Map<string, { total: number; throttled: number }>();
  for (const [op, outcomes] of Object.entries(s.requests)) {
    out.set(op, { total: Object.values(outcomes).reduce((a, b) => a + b, 0), throttled: outcomes.throttled ?? 0 });
  }
  return out;
}

function delta(a: SimStats, b: SimStats): Map<string, { total: number; throttled: number }> {
  const before = opCalls(a);
  const out = new Map<string, { total: number; throttled: number }>();
  for (const [op, v] of opCalls(b)) {
    const p = before.get(op) ?? { total: 0, throttled: 0 };
    if (v.total - p.total > 0) out.set(op, { total: v.total - p.total, throttled: v.throttled - p.throttled });
  }
  return out;
}

const isList = (op: string) => op.startsWith('List');
const sumCalls = (m: Map<string, { total: number }>, keep: (op: string) => boolean) =>
  [...m].filter(([op]) => keep(op)).reduce((a, [, v]) => a + v.total, 0);

/** The fleet, put through the control API; returns what the bench will drive and the ground truth the floor needs. */
function populate(sim: Simulator, o: MembershipOptions, now: number) {
  const rng = createRng(20261129);
  const iso = (t: number) => new Date(t).toISOString();
  // Owners, as AWS tags: every resource whose Get carries tags has some (export jobs inherit).
  const TEAMS = ['growth', 'risk', 'fraud', 'data', 'platform'];
  const tags = (i: number) => ({ tags: { team: TEAMS[i % TEAMS.length]!, 'cost-center': `cc-${i % 17}` } });
  const driven: Driven[] = [];
  // Resources at rest: created 3 hours to 6 days ago (within the default terminalRetention of 7
  // days, so every one of them is tracked), finished 1 to 3 hours later; some failed.
  const atRest = (i: number) => {
    const created = now - rngInt(rng, 3, 6 * 24) * HOUR;
    const failed = i % 15 === 7;
    return {
      status: failed ? 'CREATE_FAILED' : 'ACTIVE',
      ...(failed ? { statusDetails: FAILURE } : {}),
      createTime: iso(created),
      updateTime: iso(created + rngInt(rng, 1, 3) * HOUR),
    };
  };
  // Under way: started 1 to 20 minutes ago, every other one still pending.
  let underWayCount = 0;
  const underWay = () => {
    const created = now - rngInt(rng, 60, 1_200) * 1000;
    const status = underWayCount++ % 2 === 0 ? 'CREATE_PENDING' : 'CREATE_IN_PROGRESS';
    return { status, createTime: iso(created), updateTime: iso(created) };
  };
  // Which items of a kind are under way: `round(count * inFlight)` of them, evenly spread.
  const flightSet = (count: number, slots = count) => {
    const n = Math.round(count * o.inFlight);
    const every = n > 0 ? slots / n : Infinity;
    return new Set(Array.from({ length: Math.min(n, slots) }, (_, k) => Math.floor(k * every)));
  };
  const track = (kind: KindName, id: string, start: string, inFlight: boolean, model?: string) => {
    if (inFlight) driven.push({ kind, id, start, steps: [], ...(model ? { model } : {}) });
  };

  // Audience generation jobs (their own store; ARNs given).
  const agjFlight = flightSet(o.audienceGenerationJobs);
  const jobArns: string[] = [];
  const jobUpdates = new Map<string, number[]>();
  const jobs = Array.from({ length: o.audienceGenerationJobs }, (_, i) => {
    const arn = `${PREFIX}:audience-generation-job/${rngUuid(rng)}`;
    jobArns.push(arn);
    const s = agjFlight.has(i) ? underWay() : atRest(i);
    jobUpdates.set(arn, [Date.parse(s.updateTime)]);
    track('audienceGenerationJob', arn, s.status, agjFlight.has(i));
    return {
      arn,
      name: `bench-audience-${i}`,
      collaborationId: COLLABORATION,
      configuredAudienceModelArn: `${PREFIX}:configured-audience-model/bench-model`,
      ...tags(i),
      ...s,
      ...(s.status === 'ACTIVE' ? { metrics: { relevanceMetrics: [], recallMetric: 0.4 } } : {}),
    };
  });
  sim.putJobs(jobs);

  // Trained models: the versions of one model share its ARN; the latest (newest createTime) is
  // the one that can be under way (incremental training starts from a finished version).
  const resources: Array<Record<string, unknown>> = [];
  const meta: Array<{ inFlight: boolean; model?: string; updateTime: number }> = [];
  const push = (r: Record<string, unknown>, inFlight: boolean, model?: string) => {
    resources.push(r);
    meta.push({ inFlight, ...(model ? { model } : {}), updateTime: Date.parse(r['updateTime'] as string) });
  };
  const modelFlight = flightSet(o.trainedModels * o.versionsPerModel, o.trainedModels);
  const models: string[] = [];
  const restingModels: Array<{ arn: string; name: string }> = [];
  const modelUpdates = new Map<string, number[]>();
  for (let i = 0; i < o.trainedModels; i++) {
    const arn = `${PREFIX}:membership/${MEMBERSHIP}/trained-model/${rngUuid(rng)}`;
    models.push(arn);
    for (let v = 0; v < o.versionsPerModel; v++) {
      const latest = v === o.versionsPerModel - 1;
      const inFlight = latest && modelFlight.has(i);
      let s: Record<string, unknown> = inFlight ? underWay() : atRest(i);
      // Versions in creation order: each one starts after the previous finished.
      if (!inFlight) {
        const created = now - (o.versionsPerModel - v) * 24 * HOUR - rngInt(rng, 3, 20) * HOUR;
        s = { ...s, createTime: iso(created), updateTime: iso(created + 2 * HOUR) };
      }
      if (latest) modelUpdates.set(arn, [Date.parse(s['updateTime'] as string)]);
      if (latest && s['status'] === 'ACTIVE') restingModels.push({ arn, name: `bench-model-${i}` });
      push(
        {
          kind: 'trainedModel',
          name: `bench-model-${i}`,
          arn,
          ...(v > 0 ? { versionIdentifier: rngUuid(rng) } : {}),
          membershipId: MEMBERSHIP,
          collaborationId: COLLABORATION,
          stoppingCondition: { maxRuntimeInSeconds: 6 * 3600 },
          ...tags(i),
          ...s,
        },
        inFlight,
        latest ? arn : undefined,
      );
    }
  }
  const inferenceFlight = flightSet(o.inferenceJobs);
  for (let i = 0; i < o.inferenceJobs; i++) {
    push(
      {
        kind: 'trainedModelInferenceJob',
        name: `bench-inference-${i}`,
        arn: `${PREFIX}:membership/${MEMBERSHIP}/trained-model-inference-job/${rngUuid(rng)}`,
        membershipId: MEMBERSHIP,
        collaborationId: COLLABORATION,
        ...(models.length > 0 ? { trainedModelArn: models[i % models.length]! } : {}),
        ...tags(i),
        ...(inferenceFlight.has(i) ? underWay() : atRest(i)),
      },
      inferenceFlight.has(i),
    );
  }
  const channelFlight = flightSet(o.mlInputChannels);
  for (let i = 0; i < o.mlInputChannels; i++) {
    push(
      {
        kind: 'mlInputChannel',
        name: `bench-channel-${i}`,
        arn: `${PREFIX}:membership/${MEMBERSHIP}/ml-input-channel/${rngUuid(rng)}`,
        membershipId: MEMBERSHIP,
        collaborationId: COLLABORATION,
        numberOfRecords: rngInt(rng, 1_000, 5_000_000),
        sizeInGb: rngInt(rng, 1, 500),
        ...tags(i),
        ...(channelFlight.has(i) ? underWay() : atRest(i)),
      },
      channelFlight.has(i),
    );
  }
  const audienceModelFlight = flightSet(o.audienceModels);
  for (let i = 0; i < o.audienceModels; i++) {
    push(
      {
        kind: 'audienceModel',
        name: `bench-audience-model-${i}`,
        arn: `${PREFIX}:audience-model/${rngUuid(rng)}`,
        ...tags(i),
        ...(audienceModelFlight.has(i) ? underWay() : atRest(i)),
      },
      audienceModelFlight.has(i),
    );
  }
  const audienceExportFlight = flightSet(o.audienceExportJobs);
  const exportsPerJob = new Map<string, number>();
  for (let i = 0; i < o.audienceExportJobs; i++) {
    if (jobArns.length === 0) throw new Error('audience export jobs need audience generation jobs (their parents)');
    const job = jobArns[(i * 7) % jobArns.length]!;
    exportsPerJob.set(job, (exportsPerJob.get(job) ?? 0) + 1);
    push(
      {
        kind: 'audienceExportJob',
        name: `bench-audience-export-${i}`,
        audienceGenerationJobArn: job,
        audienceSize: { type: 'ABSOLUTE', value: 10_000 },
        ...(audienceExportFlight.has(i) ? underWay() : atRest(i)),
      },
      audienceExportFlight.has(i),
      job,
    );
  }
  const modelExportFlight = flightSet(o.trainedModelExportJobs);
  const exportsPerModel = new Map<string, number>();
  for (let i = 0; i < o.trainedModelExportJobs; i++) {
    if (models.length === 0) throw new Error('trained model export jobs need trained models (their parents)');
    const model = models[(i * 7) % models.length]!;
    exportsPerModel.set(model, (exportsPerModel.get(model) ?? 0) + 1);
    push(
      {
        kind: 'trainedModelExportJob',
        name: `bench-model-export-${i}`,
        membershipId: MEMBERSHIP,
        collaborationId: COLLABORATION,
        trainedModelArn: model,
        ...(modelExportFlight.has(i) ? underWay() : atRest(i)),
      },
      modelExportFlight.has(i),
      model,
    );
  }
  const answered = sim.putResources(resources);
  answered.forEach((r, i) => {
    const m = meta[i]!;
    track(r['kind'] as KindName, r['id'] as string, r['status'] as string, m.inFlight, m.model);
  });
  // New versions to come, of models at rest (each one once).
  const step = restingModels.length / Math.max(1, o.newVersions);
  const newVersions: Driven[] = Array.from({ length: Math.min(o.newVersions, restingModels.length) }, (_, k) => {
    const m = restingModels[Math.floor(k * step)]!;
    const versionIdentifier = rngUuid(rng);
    return {
      kind: 'trainedModel',
      id: `${m.arn}#version=${versionIdentifier}`,
      start: 'CREATE_PENDING',
      steps: [],
      model: m.arn,
      create: {
        kind: 'trainedModel',
        name: m.name,
        arn: m.arn,
        versionIdentifier,
        membershipId: MEMBERSHIP,
        collaborationId: COLLABORATION,
        stoppingCondition: { maxRuntimeInSeconds: 6 * 3600 },
      },
    };
  });
  return { driven, newVersions, models, modelUpdates, exportsPerModel, jobArns, jobUpdates, exportsPerJob };
}

/**
 * Changes spread over the window: pending ones move to in progress first, then 30 s or more later
 * to their end; new versions appear, then move on the same way.
 */
function schedule(driven: Driven[], created: readonly Driven[], windowStart: number, windowMs: number, intervalMs: number): void {
  const gap = Math.max(3 * intervalMs, 30_000);
  // Room for the last change to be read by a sweep of the window.
  const end = windowMs - intervalMs;
  created.forEach((d, i) => {
    const first = windowStart + Math.round(((i + 0.5) / created.length) * Math.max(0, end - 2 * gap));
    d.steps = [
      { status: 'CREATE_PENDING', at: first, create: d.create! },
      { status: 'CREATE_IN_PROGRESS', at: first + gap },
      { status: 'ACTIVE', at: first + 2 * gap },
    ];
  });
  driven.forEach((d, i) => {
    const p = (i + 0.5) / driven.length;
    const fails = i % 5 === 2;
    const final = { status: fails ? 'CREATE_FAILED' : 'ACTIVE', at: 0 };
    if (d.start === 'CREATE_PENDING') {
      const first = windowStart + Math.round(p * Math.max(0, end - gap));
      d.steps = [
        { status: 'CREATE_IN_PROGRESS', at: first },
        { ...final, at: first + gap },
      ];
    } else d.steps = [{ ...final, at: windowStart + Math.round(p * end) }];
  });
}

export async function membershipScenario(o: MembershipOptions): Promise<string> {
  const t0 = Date.now();
  const intervalMs = o.intervalS * 1000;
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const fleet = populate(sim, o, Date.now());
  sim.setFaults({ maxRequestsPerSecond: o.simRps });
  const kindsOrder = Object.keys(KINDS) as KindName[];
  const counts = new Map<KindName, number>();
  for (const r of sim.resources()) counts.set(r['kind'] as KindName, (counts.get(r['kind'] as KindName) ?? 0) + 1);
  o.log(
    `membership simulator ${sim.url}: ${kindsOrder.map((k) => `${counts.get(k) ?? 0} ${k}`).join(', ')}; ${fleet.driven.length} under way; capped at ${o.simRps} req/s`,
  );

  const received: Received[] = [];
  const receiver = await startBodySink((b, at) => {
    const body = b as { data: { kind?: string; arn: string; status: string; transition: string } };
    received.push({
      kind: body.data.kind ?? 'audienceGenerationJob',
      id: body.data.arn,
      status: body.data.status,
      transition: body.data.transition,
      at,
    });
  });
  const receiverUrl = receiver.url;

  const dir = await mkdtemp(join(tmpdir(), 'crml-bench-membership-'));
  const port = await freePort();
  const terminalIntervalMs = 600_000;
  const config = {
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 4 },
    // Every kind this entry can list: the membership's own kinds, the collaboration's audience
    // generation jobs and trained model export jobs, the account's audience models and export jobs.
    discovery: [{ membershipId: MEMBERSHIP, collaborationId: COLLABORATION, kinds: kindsOrder }],
    tags: { keys: ['team', 'cost-center'], refreshInterval: o.tagsRefreshS > 0 ? `${o.tagsRefreshS}s` : '0' },
    polling: {
      schedule: `*/${o.intervalS} * * * * *`,
      concurrency: 8,
      maxRequestsPerSecond: o.maxRps,
      terminalInterval: `${terminalIntervalMs / 1000}s`,
    },
    notifications: {
      // everyTransition: every change the daemon sees is delivered, so an unexpected one shows.
      targets: [
        { name: 'bench', type: 'webhook', url: `${receiverUrl}/hook`, allowHttp: true, ratePerSecond: 1000, everyTransition: true },
      ],
    },
    state: { dir: join(dir, 'state') },
    server: { host: '127.0.0.1', port, admin: { port: 0 } },
    log: { level: 'info' },
  };
  const daemon = await startDaemon({
    root: o.root,
    dir,
    config,
    memoryLimitMiB: o.memoryLimitMiB,
    bare: o.bare,
    onEarlyExit: o.log,
  });
  const base = `http://127.0.0.1:${port}`;
  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  const started = Date.now();
  let changer: NodeJS.Timeout | undefined;
  try {
    // Ready: /readyz and a fully successful sweep.
    let readyAt = 0;
    while (Date.now() - started < 120_000) {
      const ok =
        (await fetch(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        )) &&
        (await scrape().then(
          (m) => metricValue(m, 'cleanroomsml_monitor_last_successful_poll_timestamp_seconds'),
          () => 0,
        )) > 0;
      if (ok) {
        readyAt = Date.now();
        break;
      }
      await sleep(100);
    }
    if (!readyAt) throw new Error(`daemon not ready after 120 s: ${daemon.stderr()}`);
    o.log(`membership: ready after ${((readyAt - started) / 1000).toFixed(1)} s`);

    const sweepsNow = async () => metricValue(await scrape(), 'cleanroomsml_monitor_sweeps_total');
    const waitSweep = async () => {
      const s0 = await sweepsNow();
      while ((await sweepsNow()) === s0) await sleep(100);
    };
    // Backfill: nothing changes yet, so every Get is a first detailed read. Done after two whole
    // sweeps without a Get (but tag refreshes).
    const refreshPerSweep =
      o.tagsRefreshS > 0
        ? ((o.audienceGenerationJobs + o.audienceModels + o.trainedModels * o.versionsPerModel + o.inferenceJobs + o.mlInputChannels) *
            o.intervalS) /
          o.tagsRefreshS
        : 0;
    let quiet = 0;
    let backfillDoneAt = 0;
    await waitSweep();
    while (Date.now() - readyAt < 300_000) {
      const before = sim.stats();
      await waitSweep();
      const gets = sumCalls(delta(before, sim.stats()), (op) => !isList(op));
      // Tag refreshes go on for ever (each resource once per tags.refreshInterval): a sweep of
      // only those, with nothing left to backfill, is quiet too.
      const pending = metricValue(await scrape(), 'cleanroomsml_monitor_jobs_backfill_pending');
      quiet = gets === 0 || (pending === 0 && gets <= Math.ceil(refreshPerSweep * 4)) ? quiet + 1 : 0;
      if (quiet >= 2) {
        backfillDoneAt = Date.now();
        break;
      }
    }
    if (!backfillDoneAt) throw new Error('membership: Gets did not stop within 300 s of ready (backfill never ended)');
    const tracked = await scrape();
    const trackedBy = (k: KindName) => metricValue(tracked, 'cleanroomsml_monitor_resources_tracked', `kind="${k}"`);
    o.log(`membership: backfill done ${((backfillDoneAt - readyAt) / 1000).toFixed(0)} s after ready`);

    // Steady window: from one sweep's end; changes released through the control API.
    await sleep(500);
    const windowStart = Date.now();
    const windowMs = o.steadyS * 1000;
    schedule(fleet.driven, fleet.newVersions, windowStart, windowMs, intervalMs);
    fleet.driven.push(...fleet.newVersions);
    const pending = fleet.driven.flatMap((d) => d.steps.map((s) => ({ d, s }))).sort((a, b) => a.s.at - b.s.at);
    let next = 0;
    changer = setInterval(() => {
      const now = Date.now();
      while (next < pending.length && pending[next]!.s.at <= now) {
        const { d, s } = pending[next++]!;
        const details = s.status === 'CREATE_FAILED' ? { statusDetails: FAILURE } : {};
        const done = s.create
          ? sim.putResources([{ ...s.create, status: s.status }])[0]
          : d.kind === 'audienceGenerationJob'
            ? sim.setStatus(d.id, {
                status: s.status,
                ...details,
                ...(s.status === 'ACTIVE' ? { metrics: { relevanceMetrics: [], recallMetric: 0.5 } } : {}),
              })
            : sim.setResourceStatus(d.id, { status: s.status, ...details });
        // Counted as missed if the simulator refused it (doneAt stays unset).
        if (!done) {
          o.log(`membership: the simulator does not know ${d.id}`);
          continue;
        }
        s.doneAt = Date.now();
        if (d.kind === 'trainedModel' && d.model) fleet.modelUpdates.get(d.model)!.push(s.doneAt);
        if (d.kind === 'audienceGenerationJob') fleet.jobUpdates.get(d.id)?.push(s.doneAt);
      }
    }, 20);
    const s0 = sim.stats();
    const sw0 = await sweepsNow();
    await sleep(windowMs);
    await waitSweep();
    const sw1 = await sweepsNow();
    const windowEnd = Date.now();
    const s1 = sim.stats();
    const sweeps = sw1 - sw0;
    const calls = delta(s0, s1);
    o.log(`membership: steady window ${((windowEnd - windowStart) / 1000).toFixed(0)} s, ${sweeps} sweeps`);

    // The last webhooks.
    while (next < pending.length) await sleep(200);
    clearInterval(changer);
    changer = undefined;
    const deadline = Date.now() + (o.intervalS + 30) * 1000;
    const changes = fleet.driven.flatMap((d) => d.steps.map((s) => ({ d, s })));
    const matchOf = (c: { d: Driven; s: Driven['steps'][number] }) =>
      received.find((r) => r.id === c.d.id && r.status === c.s.status && r.transition === (c.s.create ? 'first_seen' : 'status_changed'));
    while (Date.now() < deadline && changes.some((c) => !matchOf(c))) await sleep(250);

    // Detection per kind, and what was delivered that no change explains.
    const used = new Set<Received>();
    const perKind = new Map<string, { lat: number[]; missed: number; unexpected: number; what: Map<string, number> }>();
    const row = (k: string) => {
      let r = perKind.get(k);
      if (!r) perKind.set(k, (r = { lat: [], missed: 0, unexpected: 0, what: new Map() }));
      return r;
    };
    for (const k of kindsOrder) row(k);
    for (const c of changes) {
      const m = c.s.doneAt === undefined ? undefined : matchOf(c);
      if (!m) row(c.d.kind).missed++;
      else {
        used.add(m);
        row(c.d.kind).lat.push((m.at - c.s.doneAt!) / 1000);
      }
    }
    // First sight of a resource under way is delivered once (everyTransition), at start-up.
    const firstSeen = new Map(fleet.driven.map((d) => [d.id, d.start]));
    for (const r of received) {
      if (used.has(r)) continue;
      if (r.transition === 'first_seen' && firstSeen.get(r.id) === r.status && r.at < windowStart) {
        firstSeen.delete(r.id);
        continue;
      }
      const k = row(r.kind);
      k.unexpected++;
      const what = `${r.transition} ${r.status} ${r.at < windowStart ? 'before' : 'during'} the window`;
      k.what.set(what, (k.what.get(what) ?? 0) + 1);
      if (k.unexpected <= 3) o.log(`membership: unexpected delivery: ${r.kind} ${what}: ${r.id}`);
    }

    // The floor over the window's sweeps (cron ticks), and the changes made within it.
    const firstTick = Math.ceil(windowStart / intervalMs) * intervalMs;
    const ticks = Array.from({ length: sweeps }, (_, k) => firstTick + k * intervalMs);
    // When children of each parent were under way, by child kind: export jobs of a model or of an
    // audience generation job, versions of a model (the monitor lists a parent's children every
    // sweep while one of them is under way).
    const unfinishedOf = (kind: KindName) => {
      const byParent = new Map<string, Array<[number, number]>>();
      for (const d of fleet.driven) {
        if (d.kind !== kind || !d.model) continue;
        const list = byParent.get(d.model) ?? [];
        list.push([-Infinity, d.steps[d.steps.length - 1]?.doneAt ?? Infinity]);
        byParent.set(d.model, list);
      }
      return byParent;
    };
    const unfinished = unfinishedOf('trainedModelExportJob');
    const versionsUnfinished = unfinishedOf('trainedModel');
    const jobExportsUnfinished = unfinishedOf('audienceExportJob');
    // The export jobs' per-model Lists by the reason they are due: for the documented rule, and a
    // strict variant that lists a model's export jobs every sweep only while one is unfinished.
    const whyShare = { changed: 0, unfinished: 0, quiet: 0 };
    const strictTicks: ScopeLoad[][] = [];
    const perTick: ScopeLoad[][] = ticks.map((tick) => {
      const scopes: ScopeLoad[] = [
        { operation: 'ListAudienceGenerationJobs', items: o.audienceGenerationJobs },
        { operation: 'ListAudienceModels', items: o.audienceModels },
        // One item per model (its latest version), as ListTrainedModels answers.
        { operation: 'ListTrainedModels', items: o.trainedModels },
        { operation: 'ListTrainedModelInferenceJobs', items: o.inferenceJobs },
        { operation: 'ListMLInputChannels', items: o.mlInputChannels },
      ];
      const strict = [...scopes];
      // Per-parent Lists the monitor calls by the same rule as export jobs of a model: the
      // versions of each model, the export jobs of each audience generation job.
      for (const model of fleet.models) {
        const h: ParentHistory = { updates: fleet.modelUpdates.get(model) ?? [], unfinished: versionsUnfinished.get(model) ?? [] };
        const due = perParentShare(h, tick, intervalMs, terminalIntervalMs);
        scopes.push({ operation: 'ListTrainedModelVersions', items: o.versionsPerModel, share: due.share });
        strict.push({ operation: 'ListTrainedModelVersions', items: o.versionsPerModel, share: due.share });
      }
      for (const job of fleet.jobArns) {
        const h: ParentHistory = { updates: fleet.jobUpdates.get(job) ?? [], unfinished: jobExportsUnfinished.get(job) ?? [] };
        const due = perParentShare(h, tick, intervalMs, terminalIntervalMs);
        scopes.push({ operation: 'ListAudienceExportJobs', items: fleet.exportsPerJob.get(job) ?? 0, share: due.share });
        strict.push({ operation: 'ListAudienceExportJobs', items: fleet.exportsPerJob.get(job) ?? 0, share: due.share });
      }
      for (const model of fleet.models) {
        const h: ParentHistory = { updates: fleet.modelUpdates.get(model) ?? [], unfinished: unfinished.get(model) ?? [] };
        const due = perParentShare(h, tick, intervalMs, terminalIntervalMs);
        whyShare[due.why] += due.share / ticks.length;
        const items = fleet.exportsPerModel.get(model) ?? 0;
        scopes.push({ operation: 'ListCollaborationTrainedModelExportJobs', items, share: due.share });
        strict.push({
          operation: 'ListCollaborationTrainedModelExportJobs',
          items,
          share: due.why === 'changed' ? intervalMs / terminalIntervalMs : due.share,
        });
      }
      strictTicks.push(strict);
      return scopes;
    });
    const changeLoads: ChangeLoad[] = kindsOrder.map((k) => ({
      getOperation: KINDS[k].get.member?.name,
      changes: changes.filter((c) => c.d.kind === k && c.s.doneAt! >= windowStart && c.s.doneAt! <= windowEnd).length,
    }));
    // Every resource whose Get carries its tags is read again once per tags.refreshInterval.
    const refreshShare = o.tagsRefreshS > 0 ? Math.min(1, o.intervalS / o.tagsRefreshS) : 0;
    const refreshLoads: RefreshLoad[] = [
      { getOperation: 'GetAudienceGenerationJob', resources: o.audienceGenerationJobs, share: refreshShare },
      { getOperation: 'GetAudienceModel', resources: o.audienceModels, share: refreshShare },
      { getOperation: 'GetTrainedModel', resources: o.trainedModels * o.versionsPerModel, share: refreshShare },
      { getOperation: 'GetTrainedModelInferenceJob', resources: o.inferenceJobs, share: refreshShare },
      { getOperation: 'GetMLInputChannel', resources: o.mlInputChannels, share: refreshShare },
    ];
    const refreshFloor = refreshLoads.reduce((a, l) => a + l.resources * l.share, 0);
    const floor = floorPerSweep(perTick, changeLoads, sweeps, refreshLoads);
    const strictFloor = floorPerSweep(strictTicks, changeLoads, sweeps, refreshLoads);
    const listCalls = sumCalls(calls, isList) / sweeps;
    const getCalls = sumCalls(calls, (op) => !isList(op)) / sweeps;
    const total = listCalls + getCalls;
    const ratio = total / floor.total;
    const throttled = [...calls.values()].reduce((a, v) => a + v.throttled, 0);
    const allCalls = [...calls.values()].reduce((a, v) => a + v.total, 0);
    const changesInWindow = changeLoads.reduce((a, c) => a + c.changes, 0);

    const r = (k: string, v: string, target: string, ok: boolean | undefined) =>
      `| ${k} | ${v} | ${target} | ${ok === undefined ? '' : ok ? 'yes' : 'NO'} |`;
    const fmt = (x: number) => x.toFixed(1);
    const fleetText = kindsOrder.map((k) => `${counts.get(k) ?? 0} ${k}`).join(', ');
    const lines = [
      `cleanroomsml-monitor bench, membership scenario: one discovery entry (membershipId + collaborationId, kinds: every kind) over ${fleetText} (${o.trainedModels} trained models x ${o.versionsPerModel} versions); ${fleet.driven.length} under way, moved through ${changes.length} status changes during a ${o.steadyS} s steady window; simulator capped at ${o.simRps} req/s, active interval ${o.intervalS} s, terminalInterval ${terminalIntervalMs / 1000} s, ceiling ${o.maxRps} req/s`,
      describeDaemon(daemon, o.bare),
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version} (daemon: same binary), ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| measure | value | target | met |',
      '|---|---|---|---|',
      r(
        'API calls per sweep (steady window; all List + Get requests)',
        `${fmt(total)} (${fmt(listCalls)} List, ${fmt(getCalls)} Get; ${fmt(changesInWindow / sweeps)} status changes per sweep, ${sweeps} sweeps)`,
        '',
        undefined,
      ),
      r(
        'connections opened per sweep (steady window; kept alive between calls and sweeps)',
        `${fmt((s1.connections - s0.connections) / sweeps)} (${Math.round(total * sweeps)} calls on ${s1.connections - s0.connections} connections)`,
        '',
        undefined,
      ),
      r(
        'physical floor per sweep (List pages per scope + 1 Get per change of a kind with a Get + 1 Get per tagged resource per tags.refreshInterval)',
        `${fmt(floor.total)} (${fmt(floor.list)} List, ${fmt(floor.get)} Get, of which ${fmt(refreshFloor)} tag refresh: every resource tagged, refreshInterval ${o.tagsRefreshS > 0 ? `${o.tagsRefreshS} s` : 'off'})`,
        '',
        undefined,
      ),
      r('steady calls per sweep / floor', `${ratio.toFixed(2)}x`, '<= 1.25x', ratio <= 1.25),
      r(
        "the floor's export job Lists (one per trained model), by why they are due",
        `${fmt(whyShare.unfinished)} for an unfinished export job, ${fmt(whyShare.changed)} for a model changed within terminalInterval, ${fmt(whyShare.quiet)} quiet models at 1 / ${terminalIntervalMs / intervalMs} sweeps`,
        '',
        undefined,
      ),
      r(
        'strict floor (export jobs listed every sweep only while one is unfinished)',
        `${fmt(strictFloor.total)}: measured / strict floor ${(total / strictFloor.total).toFixed(2)}x`,
        '',
        undefined,
      ),
      ...kindsOrder.map((k) => {
        const p = perKind.get(k)!;
        const p50 = percentile(p.lat, 50);
        const p99 = percentile(p.lat, 99);
        const ok = p.missed === 0 && p.unexpected === 0 && (p.lat.length === 0 || p99 <= o.intervalS + 5);
        const what = p.unexpected === 0 ? '' : `: ${[...p.what].map(([w, n]) => `${n} ${w}`).join(', ')}`;
        return r(
          `detection ${k} p50 / p99 (change -> webhook)`,
          p.lat.length === 0
            ? `no changes (${p.missed} missed, ${p.unexpected} unexpected${what})`
            : `${fmt(p50)} s / ${fmt(p99)} s (${p.lat.length} changes, ${p.missed} missed, ${p.unexpected} unexpected${what})`,
          `p99 <= ${o.intervalS + 5} s, 0 missed, 0 unexpected`,
          ok,
        );
      }),
      r(
        'tracked by kind after backfill (cleanroomsml_monitor_resources_tracked)',
        kindsOrder.map((k) => `${k} ${trackedBy(k)}`).join(', '),
        '',
        undefined,
      ),
      r('time to first full sweep (ready)', `${((readyAt - started) / 1000).toFixed(1)} s`, '', undefined),
      r(
        'detail backfill (until two sweeps without a Get but tag refreshes)',
        `${((backfillDoneAt - readyAt) / 1000).toFixed(0)} s`,
        '',
        undefined,
      ),
      r('throttled share (steady window)', `${((throttled / Math.max(1, allCalls)) * 100).toFixed(2)} %`, '', undefined),
      '',
      'Calls per sweep by operation (steady window) and their floor:',
      '',
      '| operation | measured | floor |',
      '|---|---|---|',
      ...[...new Set([...calls.keys(), ...Object.keys(floor.byOperation)])]
        .sort((a, b) => Number(isList(b)) - Number(isList(a)) || a.localeCompare(b))
        .map((op) => `| ${op} | ${fmt((calls.get(op)?.total ?? 0) / sweeps)} | ${fmt(floor.byOperation[op] ?? 0)} |`),
      '',
      `membership scenario wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    ];
    return `${lines.join('\n')}\n`;
  } finally {
    if (changer) clearInterval(changer);
    await daemon.stop();
    await receiver.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
