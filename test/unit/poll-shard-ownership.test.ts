// Shards split the work and lose nothing, for any shard count: random fleets (audience generation
// jobs with export jobs, trained models with versions and export jobs, inference jobs, channels,
// static resources in and out of discovered scopes, overlapping discovery entries) swept through
// the pure core (sweepSpec, sweepLists, planSweep and the ownership rule) against a fake List
// answer written from the API's semantics (ListTrainedModels shows each model's latest version
// only; per-parent Lists show one parent's children), until nothing changes. Then: every resource
// one pod watches is watched by exactly one of N shards, and the Lists of the N shards together
// are the Lists of one pod (static Lists aside: their shards are by resource id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { createRng, rngInt, rngUuid, type Rng } from '../../src/dev/sim/prng.js';
import { mineOf } from '../../src/poll/owner.js';
import { planSweep, sweepLists, type PlannedList } from '../../src/poll/plan.js';
import type { ResourceFacts } from '../../src/poll/cover.js';
import { sweepSpec, type SweepSpec } from '../../src/poll/spec.js';

const A = 'arn:aws:cleanrooms-ml:us-east-1:123456789012';
const NOW = Date.parse('2026-12-01T00:00:00.000Z');

interface Fleet {
  all: ResourceSnapshot[];
  config: ReturnType<typeof configSchema.parse>;
}

function snap(kind: ResourceSnapshot['kind'], id: string, parents: ResourceSnapshot['parents'], over: Partial<ResourceSnapshot> = {}) {
  const s: ResourceSnapshot = {
    kind,
    id,
    name: id.slice(-12),
    status: 'ACTIVE',
    createTime: NOW - 86_400_000,
    updateTime: NOW - 3_600_000,
    parents,
    results: {},
    labels: {},
    detail: 'full',
    view: 'member',
    ...over,
  };
  return s;
}

function randomFleet(rng: Rng): Fleet {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const all: ResourceSnapshot[] = [];
  const jobs: Array<{ arn?: string; versionIdentifier?: string }> = [];
  const discovery: Array<Record<string, unknown>> = [];
  const collabs = Array.from({ length: rngInt(rng, 1, 5) }, () => rngUuid(rng));
  const models = collabs.map((_, c) => `${A}:configured-audience-model/m${c}`);
  for (const [c, collab] of collabs.entries()) {
    const discovered = rng() < 0.8;
    const exports = rng() < 0.6;
    if (discovered)
      discovery.push({
        collaborationId: collab,
        kinds: exports ? ['audienceGenerationJob', 'audienceExportJob'] : ['audienceGenerationJob'],
      });
    // An entry of the same jobs by their model: overlapping Lists.
    if (discovered && rng() < 0.25) discovery.push({ configuredAudienceModelArn: models[c]! });
    for (let i = rngInt(rng, 0, 25); i > 0; i--) {
      const arn = `${A}:audience-generation-job/${rngUuid(rng)}`;
      all.push(snap('audienceGenerationJob', arn, { collaborationId: collab, configuredAudienceModelArn: models[c]! }, { arn }));
      if (rng() < 0.15) jobs.push({ arn });
      for (let e = rngInt(rng, 0, 2); e > 0; e--)
        all.push(snap('audienceExportJob', `${arn}#export=e${e}@2026-11-30T00:00:00.000Z`, { audienceGenerationJobArn: arn }));
    }
  }
  for (let m = rngInt(rng, 0, 2); m > 0; m--) {
    const membership = rngUuid(rng);
    const collab = rngUuid(rng);
    const kinds = ['trainedModel', 'trainedModelExportJob', 'trainedModelInferenceJob', 'mlInputChannel'].filter(() => rng() < 0.8);
    if (rng() < 0.85 && kinds.length > 0) discovery.push({ membershipId: membership, collaborationId: collab, kinds });
    const parents = { membershipId: membership, collaborationId: collab };
    for (let t = rngInt(rng, 0, 6); t > 0; t--) {
      const arn = `${A}:membership/${membership}/trained-model/${rngUuid(rng)}`;
      const versions = rngInt(rng, 1, 3);
      for (let v = 0; v < versions; v++) {
        const versionIdentifier = v === 0 ? undefined : rngUuid(rng);
        const id = versionIdentifier ? `${arn}#version=${versionIdentifier}` : arn;
        all.push(
          snap(
            'trainedModel',
            id,
            { ...parents, trainedModelArn: arn },
            {
              arn,
              ...(versionIdentifier ? { versionIdentifier } : {}),
              createTime: NOW - (10 - v) * 86_400_000,
            },
          ),
        );
        if (rng() < 0.1) jobs.push({ arn, ...(versionIdentifier ? { versionIdentifier } : {}) });
      }
      for (let e = rngInt(rng, 0, 2); e > 0; e--)
        all.push(
          snap(
            'trainedModelExportJob',
            `${arn}#export=x${e}@2026-11-30T00:00:00.000Z`,
            { ...parents, trainedModelArn: arn },
            { view: 'collaboration' },
          ),
        );
    }
    for (let i = rngInt(rng, 0, 8); i > 0; i--) {
      const arn = `${A}:membership/${membership}/trained-model-inference-job/${rngUuid(rng)}`;
      all.push(snap('trainedModelInferenceJob', arn, parents, { arn }));
      if (rng() < 0.1) jobs.push({ arn });
    }
    for (let i = rngInt(rng, 0, 5); i > 0; i--) {
      const arn = `${A}:membership/${membership}/ml-input-channel/${rngUuid(rng)}`;
      all.push(snap('mlInputChannel', arn, parents, { arn }));
    }
  }
  if (discovery.length === 0) discovery.push({ collaborationId: pick(collabs) });
  const config = configSchema.parse({ aws: { region: 'us-east-1' }, jobs, discovery, polling: { schedule: '*/30 * * * * *' } });
  return { all, config };
}

/** What AWS answers to one List, written from the API's semantics (not from the monitor's coverage rule). */
function answer(fleet: Fleet, l: PlannedList): ResourceSnapshot[] {
  const p = l.params;
  const latest = new Map<string, ResourceSnapshot>();
  for (const s of fleet.all)
    if (s.kind === 'trainedModel' && (!latest.has(s.arn!) || s.createTime > latest.get(s.arn!)!.createTime)) latest.set(s.arn!, s);
  const of = (kind: ResourceSnapshot['kind']) => fleet.all.filter((s) => s.kind === kind);
  switch (l.list.name) {
    case 'ListAudienceGenerationJobs':
      return of('audienceGenerationJob').filter(
        (s) =>
          (p.collaborationId === undefined || s.parents.collaborationId === p.collaborationId) &&
          (p.configuredAudienceModelArn === undefined || s.parents.configuredAudienceModelArn === p.configuredAudienceModelArn),
      );
    case 'ListAudienceExportJobs':
      return of('audienceExportJob').filter((s) => s.parents.audienceGenerationJobArn === p.audienceGenerationJobArn);
    case 'ListTrainedModels':
      return [...latest.values()].filter((s) => s.parents.membershipId === p.membershipId);
    case 'ListTrainedModelVersions':
      return of('trainedModel').filter((s) => s.parents.membershipId === p.membershipId && s.arn === p.trainedModelArn);
    case 'ListCollaborationTrainedModelExportJobs':
      return of('trainedModelExportJob').filter(
        (s) => s.parents.collaborationId === p.collaborationId && s.parents.trainedModelArn === p.trainedModelArn,
      );
    case 'ListTrainedModelInferenceJobs':
      return of('trainedModelInferenceJob').filter((s) => s.parents.membershipId === p.membershipId);
    case 'ListMLInputChannels':
      return of('mlInputChannel').filter((s) => s.parents.membershipId === p.membershipId);
    default:
      return [];
  }
}

/**
 * One replica swept until nothing changes: what it watches, and the Lists of its last sweep (the
 * steady state), as the sweep does it: Lists, plan, Gets (static ones another shard's List covers
 * are remembered and dropped), store.
 */
function converge(fleet: Fleet, spec: SweepSpec): { watched: Set<string>; lists: PlannedList[] } {
  const byId = new Map(fleet.all.map((s) => [s.id, s]));
  const known = new Map<string, ResourceSnapshot>();
  const seen = new Map<string, ResourceFacts>();
  let lists: PlannedList[] = [];
  for (let sweep = 0; sweep < 8; sweep++) {
    const before = JSON.stringify([...known.keys()].sort());
    const due = sweepLists({ watch: spec, known, now: NOW, lastListedAt: () => undefined }).due;
    lists = due;
    const plan = planSweep({
      watch: spec,
      known,
      results: due.map((l) => ({ list: l, items: answer(fleet, l) })),
      detailBudget: 1e9,
      now: NOW,
      seenStatics: seen,
    });
    const mine = mineOf({ sources: spec.sources, staticIds: spec.staticIds, shard: spec.shard }, known);
    for (const id of [...plan.unwatched, ...plan.retired, ...plan.gone]) known.delete(id);
    for (const s of [...plan.listed.values(), ...plan.adopt]) known.set(s.id, s);
    for (const ref of [...plan.get, ...plan.backfill]) {
      const s = byId.get(ref.id);
      if (!s) continue;
      if (!mine(s)) seen.set(s.id, s);
      else known.set(s.id, s);
    }
    if (sweep > 2 && JSON.stringify([...known.keys()].sort()) === before) break;
  }
  return { watched: new Set(known.keys()), lists };
}

test("every resource one pod watches is watched by exactly one shard, and the shards together make one pod's Lists, for 1..7 shards over 60 random fleets", () => {
  const rng = createRng(7_2026);
  let resources = 0;
  let children = 0;
  for (let f = 0; f < 60; f++) {
    const fleet = randomFleet(rng);
    const one = converge(fleet, sweepSpec(fleet.config));
    // One pod watches what the config names: every static, everything its Lists return.
    for (const j of fleet.config.jobs) {
      const id = j.versionIdentifier ? `${j.arn}#version=${j.versionIdentifier}` : j.arn;
      if (fleet.all.some((s) => s.id === id)) assert.ok(one.watched.has(id), `fleet ${f}: static ${id} watched by one pod`);
    }
    resources += one.watched.size;
    children += fleet.all.filter(
      (s) => one.watched.has(s.id) && (s.kind === 'audienceExportJob' || s.kind === 'trainedModelExportJob' || s.versionIdentifier),
    ).length;
    const isStaticList = (l: PlannedList) => !l.discovery;
    for (let total = 1; total <= 7; total++) {
      const shards = Array.from({ length: total }, (_, index) =>
        converge(fleet, sweepSpec(fleet.config, total > 1 ? { index, total } : undefined)),
      );
      const count = new Map<string, number>();
      for (const s of shards) for (const id of s.watched) count.set(id, (count.get(id) ?? 0) + 1);
      for (const id of one.watched)
        assert.equal(count.get(id), 1, `fleet ${f}, ${total} shards: ${id} watched by ${count.get(id) ?? 0} shards`);
      for (const id of count.keys())
        assert.ok(one.watched.has(id), `fleet ${f}, ${total} shards: ${id} watched by a shard, not by one pod`);
      const keys = (ls: PlannedList[]) => ls.filter((l) => !isStaticList(l)).map((l) => l.key);
      assert.deepEqual(
        shards.flatMap((s) => keys(s.lists)).sort(),
        keys(one.lists).sort(),
        `fleet ${f}, ${total} shards: each discovery List (per-parent ones included) called by one shard`,
      );
      const staticLists = shards.reduce((n, s) => n + s.lists.filter(isStaticList).length, 0);
      assert.ok(staticLists <= total * one.lists.filter(isStaticList).length);
    }
  }
  assert.ok(resources > 2000 && children > 300, `the fleets are not trivial: ${resources} resources, ${children} children`);
});
