// A fleet with every kind of child for the shard tests: audience generation jobs (with audience
// export jobs under two collaborations), trained models with versions and export jobs, inference
// jobs, a static job in a collaboration no entry discovers and one in a discovered collaboration;
// shard processes of the real daemon over it, and what each exports on /metrics.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Simulator } from '../../src/dev/sim/server.js';
import { startDaemon, workdir, type Daemon, type Workdir } from './daemon.js';

const A = 'arn:aws:cleanrooms-ml:us-east-1:123456789012';
export const FLEET_COLLABS = [
  'c1c1c1c1-0000-4000-8000-000000000001',
  'c2c2c2c2-0000-4000-8000-000000000002',
  'c3c3c3c3-0000-4000-8000-000000000003',
];
const STATIC_COLLAB = 'c9c9c9c9-0000-4000-8000-000000000009';
const MEMBERSHIP = 'a1a1a1a1-0000-4000-8000-00000000000a';
const M_COLLAB = 'cdcdcdcd-0000-4000-8000-00000000000c';
const hex = (n: number) => n.toString(16).padStart(12, '0');

const SNAKE: Record<string, string> = {
  audienceGenerationJob: 'audience_generation_job',
  audienceExportJob: 'audience_export_job',
  trainedModel: 'trained_model',
  trainedModelExportJob: 'trained_model_export_job',
  trainedModelInferenceJob: 'trained_model_inference_job',
};

export interface ShardFleet {
  /** Every resource id -> kind. */
  ids: Map<string, string>;
  /** Resources under way (each can move once), in a fixed order. */
  moving: Array<{ id: string; kind: string }>;
  discovery: unknown[];
  jobs: Array<{ arn: string }>;
}

/** Puts the fleet into the simulator; every resource but the older trained model versions is under way. */
export function putShardFleet(sim: Simulator): ShardFleet {
  const ids = new Map<string, string>();
  const moving: ShardFleet['moving'] = [];
  const now = Date.now();
  const jobs: Array<Record<string, unknown>> = [];
  const agj = (arn: string, collaborationId: string, i: number) => {
    jobs.push({
      arn,
      name: `shard-job-${i}`,
      collaborationId,
      configuredAudienceModelArn: `${A}:configured-audience-model/m-${collaborationId.slice(0, 2)}`,
      status: 'CREATE_IN_PROGRESS',
    });
    ids.set(arn, 'audienceGenerationJob');
    moving.push({ id: arn, kind: 'audienceGenerationJob' });
  };
  const parents: string[] = [];
  FLEET_COLLABS.forEach((c, ci) => {
    for (let i = 0; i < 4; i++) {
      const arn = `${A}:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${hex(ci * 100 + i)}`;
      agj(arn, c, ci * 100 + i);
      if (ci < 2) parents.push(arn);
    }
  });
  const staticOut = `${A}:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${hex(900)}`;
  const staticIn = `${A}:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${hex(901)}`;
  agj(staticOut, STATIC_COLLAB, 900);
  agj(staticIn, FLEET_COLLABS[0]!, 901);
  sim.putJobs(jobs as never);

  const resources: Array<Record<string, unknown>> = [];
  parents.forEach((p, i) => {
    for (let e = 0; e < 2; e++)
      resources.push({
        kind: 'audienceExportJob',
        name: `export-${i}-${e}`,
        audienceGenerationJobArn: p,
        audienceSize: { type: 'ABSOLUTE', value: 1000 },
        status: 'CREATE_IN_PROGRESS',
      });
  });
  const m = { membershipId: MEMBERSHIP, collaborationId: M_COLLAB };
  for (let t = 0; t < 3; t++) {
    const arn = `${A}:membership/${MEMBERSHIP}/trained-model/1e2d3c4b-aaaa-4bbb-8ccc-${hex(t)}`;
    resources.push({
      kind: 'trainedModel',
      name: `model-${t}`,
      arn,
      ...m,
      status: 'ACTIVE',
      createTime: new Date(now - 2 * 86_400_000).toISOString(),
      updateTime: new Date(now - 86_400_000).toISOString(),
    });
    resources.push({
      kind: 'trainedModel',
      name: `model-${t}`,
      arn,
      versionIdentifier: `7a6b5c4d-0000-4000-8000-${hex(t)}`,
      ...m,
      status: 'CREATE_IN_PROGRESS',
      createTime: new Date(now - 3_600_000).toISOString(),
    });
    for (let e = 0; e < 2; e++)
      resources.push({
        kind: 'trainedModelExportJob',
        name: `model-export-${t}-${e}`,
        ...m,
        trainedModelArn: arn,
        status: 'CREATE_IN_PROGRESS',
      });
    resources.push({
      kind: 'trainedModelInferenceJob',
      name: `inference-${t}`,
      arn: `${A}:membership/${MEMBERSHIP}/trained-model-inference-job/2e3d4c5b-aaaa-4bbb-8ccc-${hex(t)}`,
      ...m,
      trainedModelArn: arn,
      status: 'CREATE_IN_PROGRESS',
    });
  }
  for (const r of sim.putResources(resources)) {
    ids.set(r['id'] as string, r['kind'] as string);
    if (r['status'] !== 'ACTIVE') moving.push({ id: r['id'] as string, kind: r['kind'] as string });
  }
  return {
    ids,
    moving,
    discovery: [
      { collaborationId: FLEET_COLLABS[0], kinds: ['audienceGenerationJob', 'audienceExportJob'] },
      { collaborationId: FLEET_COLLABS[1], kinds: ['audienceGenerationJob', 'audienceExportJob'] },
      { collaborationId: FLEET_COLLABS[2] },
      { ...m, kinds: ['trainedModel', 'trainedModelExportJob', 'trainedModelInferenceJob'] },
    ],
    jobs: [{ arn: staticOut }, { arn: staticIn }],
  };
}

/** Moves one resource of the fleet to `status` (through the simulator's control API, in process). */
export function move(sim: Simulator, r: { id: string; kind: string }, status: string): void {
  const details = status.endsWith('FAILED') ? { statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'shard test' } } : {};
  const done =
    r.kind === 'audienceGenerationJob' ? sim.setStatus(r.id, { status, ...details }) : sim.setResourceStatus(r.id, { status, ...details });
  if (!done) throw new Error(`the simulator does not know ${r.id}`);
}

/** The resource ids a /metrics text exports (every kind's `_info{arn=...}` series), with their status. */
export function exported(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const snake of Object.values(SNAKE)) {
    const re = new RegExp(`^cleanroomsml_${snake}_status\\{arn="([^"]+)",status="([^"]+)"\\} 1$`, 'gm');
    for (const m of text.matchAll(re)) out.set(m[1]!, m[2]!);
  }
  return out;
}

export interface ShardProcess {
  index: number;
  w: Workdir;
  daemon: Daemon;
  metrics(): Promise<string>;
}

/** One shard process of the daemon: its own state dir (an existing one when `w` is given). */
export async function startShard(
  opts: { simUrl: string; fleet: ShardFleet; hookUrl: string; index: number; total: number; handoverLookback?: string },
  w?: Workdir,
): Promise<ShardProcess> {
  const dir = w ?? (await workdir(`shard-${opts.index}`));
  await mkdir(join(dir.dir, 'state'), { recursive: true });
  await dir.writeConfig({
    aws: { region: 'us-east-1', endpoint: opts.simUrl, maxAttempts: 2, requestTimeoutMs: 2_000 },
    jobs: opts.fleet.jobs,
    discovery: opts.fleet.discovery,
    polling: { schedule: '* * * * * *', maxRequestsPerSecond: 100, concurrency: 8 },
    notifications: { targets: [{ name: 'hook', type: 'webhook', url: opts.hookUrl, allowHttp: true }] },
    state: { dir: dir.stateDir },
    sharding: { totalShards: opts.total, ...(opts.handoverLookback ? { handoverLookback: opts.handoverLookback } : {}) },
    server: { host: '127.0.0.1', port: 0, admin: { host: '127.0.0.1', port: 0 } },
    log: { level: 'info' },
  });
  const daemon = await startDaemon(dir, {
    args: opts.total > 1 ? ['--shard', String(opts.index), '--total-shards', String(opts.total)] : [],
  });
  return { index: opts.index, w: dir, daemon, metrics: () => fetch(`${daemon.url}/metrics`).then((r) => r.text()) };
}
