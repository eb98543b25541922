// The pure pieces the composition root used to hold: which identity reads each resource and List,
// the detail budget, and what a reload changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { onceSpec, sourceKey, sweepSpec } from '../../src/poll/spec.js';
import { spareDetailBudget } from '../../src/poll/budget.js';
import { reloadChanges } from '../../src/config/reload.js';
import { shardOf } from '../../src/poll/shard.js';
import { createConnections } from '../../src/poll/connections.js';
import type { ResourceClient } from '../../src/aws/resource-client.js';
import { KINDS } from '../../src/kinds/index.js';

const ROLE = 'arn:aws:iam::210987654321:role/reader';
const BASE_ROLE = 'arn:aws:iam::123456789012:role/base';
const JOB_US = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000001';
const JOB_EU = 'arn:aws:cleanrooms-ml:eu-west-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000002';
const JOB_ROLE = 'arn:aws:cleanrooms-ml:us-east-1:210987654321:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000003';
const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';

const config = (over: object = {}) =>
  configSchema.parse({
    aws: { region: 'us-east-1', roleArn: BASE_ROLE },
    jobs: [{ arn: JOB_US }, { arn: JOB_EU }, { arn: JOB_ROLE, roleArn: ROLE }],
    discovery: [{ collaborationId: COLLAB }, { collaborationId: COLLAB, region: 'eu-west-1', roleArn: ROLE }],
    ...over,
  });

const agjList = KINDS.audienceGenerationJob.lists[0]!;
const EU = { roleArn: ROLE, region: 'eu-west-1' };
const MEMBERSHIP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TIJ = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model-inference-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000004`;
const TM = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model/0f1e2d3c-aaaa-4bbb-8ccc-000000000005`;
const VERSION = '9a8b7c6d-0000-4000-8000-000000000002';

test('spec: each static resource and source names its identity only when it differs from the default (aws.roleArn in aws.region)', () => {
  const s = sweepSpec(config());
  assert.deepEqual(s.defaultConn, { roleArn: BASE_ROLE, region: 'us-east-1' });
  assert.deepEqual(
    [...s.statics.values()],
    [
      { id: JOB_US, kind: 'audienceGenerationJob', arn: JOB_US, params: {} },
      // region from the ARN, default role
      { id: JOB_EU, kind: 'audienceGenerationJob', arn: JOB_EU, params: {}, conn: { roleArn: BASE_ROLE, region: 'eu-west-1' } },
      { id: JOB_ROLE, kind: 'audienceGenerationJob', arn: JOB_ROLE, params: {}, conn: { roleArn: ROLE, region: 'us-east-1' } },
    ],
  );
  assert.deepEqual(
    s.sources.map((x) => [x.key, x.kind, x.list.name, x.params, x.view, x.region, x.conn]),
    [
      [
        sourceKey('audienceGenerationJob', agjList, { collaborationId: COLLAB }, undefined),
        'audienceGenerationJob',
        'ListAudienceGenerationJobs',
        { collaborationId: COLLAB },
        'member',
        undefined,
        undefined,
      ],
      [
        sourceKey('audienceGenerationJob', agjList, { collaborationId: COLLAB }, EU),
        'audienceGenerationJob',
        'ListAudienceGenerationJobs',
        { collaborationId: COLLAB },
        'member',
        'eu-west-1',
        EU,
      ],
    ],
  );
  assert.notEqual(s.sources[0]!.key, s.sources[1]!.key, 'the same List read by another identity is another source');
  // Spelling out the default identity changes no key (so a reload keeps the List's history).
  const spelled = sweepSpec(config({ discovery: [{ collaborationId: COLLAB, region: 'us-east-1', roleArn: BASE_ROLE }] }));
  assert.equal(spelled.sources[0]!.key, s.sources[0]!.key);
  assert.equal(spelled.sources[0]!.conn, undefined);
  assert.equal(s.notifyOnFirstSeenTerminal, false);
  assert.deepEqual(s.schedule, {
    activeIntervalMs: 30_000,
    terminalIntervalMs: 600_000,
    maxBackoffMs: 600_000,
    retentionMs: 7 * 86_400_000,
  });
});

test('spec: statics of membership kinds carry their membership and version; a membership entry lists its kinds; export jobs are listed per parent', () => {
  const s = sweepSpec(
    config({
      jobs: [{ arn: TIJ }, { arn: TM, versionIdentifier: VERSION }],
      discovery: [{ membershipId: MEMBERSHIP }, { collaborationId: COLLAB, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
    }),
  );
  assert.deepEqual(
    [...s.statics.values()],
    [
      { id: TIJ, kind: 'trainedModelInferenceJob', arn: TIJ, params: { membershipId: MEMBERSHIP } },
      { id: `${TM}#version=${VERSION}`, kind: 'trainedModel', arn: TM, versionIdentifier: VERSION, params: { membershipId: MEMBERSHIP } },
    ],
  );
  assert.deepEqual(
    s.sources.map((x) => [x.kind, x.list.name, x.params, x.perParent]),
    [
      ['trainedModel', 'ListTrainedModels', { membershipId: MEMBERSHIP }, undefined],
      // The versions of each trained model the monitor knows: ListTrainedModels shows the latest only.
      [
        'trainedModel',
        'ListTrainedModelVersions',
        { membershipId: MEMBERSHIP },
        { key: 'trainedModelArn', kind: 'trainedModel', match: { membershipId: MEMBERSHIP } },
      ],
      ['trainedModelInferenceJob', 'ListTrainedModelInferenceJobs', { membershipId: MEMBERSHIP }, undefined],
      ['mlInputChannel', 'ListMLInputChannels', { membershipId: MEMBERSHIP }, undefined],
      ['audienceGenerationJob', 'ListAudienceGenerationJobs', { collaborationId: COLLAB }, undefined],
      // One List per audience generation job of the entry's collaboration, the job's ARN added per call.
      [
        'audienceExportJob',
        'ListAudienceExportJobs',
        {},
        { key: 'audienceGenerationJobArn', kind: 'audienceGenerationJob', match: { collaborationId: COLLAB } },
      ],
    ],
  );
  // Two entries whose per-parent Lists differ only by the parents they are called for are two sources.
  const two = sweepSpec(
    config({
      jobs: [],
      discovery: [
        { collaborationId: COLLAB, kinds: ['audienceExportJob'] },
        { collaborationId: COLLAB.replace(/1$/, '2'), kinds: ['audienceExportJob'] },
      ],
    }),
  );
  assert.equal(new Set(two.sources.map((x) => x.key)).size, 2);
});

test('spec: a shard reads its share of the statics (by id hash), knows them all, and every List has a shard; once sees every one, notifies nobody', () => {
  const arns = [JOB_US, JOB_EU, JOB_ROLE];
  const s = sweepSpec(config(), { index: 1, total: 2 });
  assert.deepEqual(
    [...s.statics.keys()],
    arns.filter((a) => shardOf(a, 2) === 1),
  );
  assert.ok(s.statics.size > 0 && s.statics.size < arns.length, 'the fixture splits across the two shards');
  assert.deepEqual([...s.staticIds].sort(), [...arns].sort(), "every static id, any shard's: a static is never retired");
  assert.deepEqual(s.shard, { index: 1, total: 2 });
  assert.deepEqual(s.sources.map((x) => x.shard).sort(), [0, 1], 'two Lists over two shards: one each, the same in every pod');
  assert.deepEqual(
    sweepSpec(config(), { index: 0, total: 2 }).sources.map((x) => x.shard),
    s.sources.map((x) => x.shard),
    'every pod places them alike',
  );
  const one = sweepSpec(config());
  assert.equal(one.shard, undefined, 'no shard: watches everything');
  assert.deepEqual(
    one.sources.map((x) => x.shard),
    [undefined, undefined],
  );
  const o = onceSpec(
    config({
      notifications: {
        targets: [
          { name: 'ops', type: 'webhook', url: 'https://hooks.example.com/x', secret: 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==' },
        ],
      },
    }),
  );
  assert.deepEqual([...o.statics.keys()], arns);
  assert.equal(o.shard, undefined);
  assert.deepEqual(o.targets, []);
  assert.equal(o.schedule, undefined);
  assert.deepEqual(o.statics, sweepSpec(config()).statics, 'the same identities as run');
  assert.deepEqual(o.sources, sweepSpec(config()).sources);
});

test('detail budget: ~80% of one interval at the current rate minus what the sweep already spent, at least 10', () => {
  assert.equal(spareDetailBudget(5, 30_000, 0), 120);
  assert.equal(spareDetailBudget(5, 30_000, 100), 20);
  assert.equal(spareDetailBudget(5, 30_000, 500), 10);
  assert.equal(spareDetailBudget(0.1, 30_000, 0), 10);
});

test('reload: state and server changes need a restart; schedule and log level changes are reported', () => {
  const a = config();
  assert.deepEqual(reloadChanges(a, a), { needsRestart: [], scheduleChanged: false, logLevelChanged: false });
  const b = config({
    state: { dir: '/elsewhere' },
    server: { port: 9999 },
    polling: { schedule: '*/5 * * * * *' },
    log: { level: 'debug' },
    sharding: { totalShards: 3 },
  });
  assert.deepEqual(reloadChanges(a, b), {
    needsRestart: ['state.dir', 'server', 'sharding.totalShards'],
    scheduleChanged: true,
    logLevelChanged: true,
  });
});

test('connections: one client per identity, one limiter per account and region, the default one made at once', () => {
  const made: string[] = [];
  const spec = sweepSpec(config());
  const conns = createConnections(spec, {
    client: (c) => {
      made.push(`${c.roleArn}@${c.region}`);
      return {} as ResourceClient;
    },
    maxRequestsPerSecond: 5,
    clock: { now: () => 0 },
  });
  assert.deepEqual(made, [`${BASE_ROLE}@us-east-1`], 'the default connection is made at once');
  assert.equal(conns.forConn(undefined), conns.default);
  assert.equal(conns.forConn(spec.defaultConn), conns.default, 'the default identity spelled out is the same connection');
  const eu = conns.forConn(spec.statics.get(JOB_EU)!.conn);
  assert.notEqual(eu, conns.default);
  assert.equal(conns.forConn({ roleArn: BASE_ROLE, region: 'eu-west-1' }), eu, 'cached');
  assert.notEqual(eu.limiter, conns.default.limiter, 'another region: its own limiter');
  const viaRole = conns.forConn(spec.statics.get(JOB_ROLE)!.conn);
  assert.notEqual(viaRole.limiter, conns.default.limiter, 'another account: its own limiter');
  const euRole = conns.forConn(spec.sources[1]!.conn);
  assert.equal(
    euRole.limiter,
    conns.forConn({ roleArn: ROLE.replace('reader', 'other'), region: 'eu-west-1' }).limiter,
    'two roles of one account share a limiter',
  );
  assert.equal(made.length, 5);
  assert.equal(conns.limiters().length, 4);
});
