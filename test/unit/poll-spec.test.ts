// The pure pieces the composition root used to hold: which identity reads each job and scope,
// the detail budget, and what a reload changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { onceSpec, sweepSpec } from '../../src/poll/spec.js';
import { spareDetailBudget } from '../../src/poll/budget.js';
import { reloadChanges } from '../../src/config/reload.js';
import { shardOf } from '../../src/poll/shard.js';
import { createConnections } from '../../src/poll/connections.js';
import type { ResourceClient } from '../../src/aws/resource-client.js';
import type { CleanRoomsMlApi } from '../../src/aws/types.js';

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

test('spec: each static job and scope names its identity only when it differs from the default (aws.roleArn in aws.region)', () => {
  const s = sweepSpec(config());
  assert.deepEqual(s.defaultConn, { roleArn: BASE_ROLE, region: 'us-east-1' });
  assert.deepEqual([...s.staticArns], [JOB_US, JOB_EU, JOB_ROLE]);
  assert.deepEqual(Object.fromEntries(s.staticConn), {
    [JOB_EU]: { roleArn: BASE_ROLE, region: 'eu-west-1' }, // region from the ARN, default role
    [JOB_ROLE]: { roleArn: ROLE, region: 'us-east-1' },
  });
  assert.deepEqual(s.discovery, [
    { collaborationId: COLLAB },
    { collaborationId: COLLAB, region: 'eu-west-1', conn: { roleArn: ROLE, region: 'eu-west-1' } },
  ]);
  assert.equal(s.notifyOnFirstSeenTerminal, false);
  assert.deepEqual(s.schedule, {
    activeIntervalMs: 30_000,
    terminalIntervalMs: 600_000,
    maxBackoffMs: 600_000,
    retentionMs: 7 * 86_400_000,
  });
});

test('spec: a shard keeps only its static jobs and owns by ARN hash; once sees every job, notifies nobody, has no schedule', () => {
  const arns = [JOB_US, JOB_EU, JOB_ROLE];
  const s = sweepSpec(config(), { index: 1, total: 2 });
  assert.deepEqual(
    [...s.staticArns],
    arns.filter((a) => shardOf(a, 2) === 1),
  );
  for (const a of arns) assert.equal(s.owns?.(a), shardOf(a, 2) === 1);
  const o = onceSpec(
    config({
      notifications: {
        targets: [
          { name: 'ops', type: 'webhook', url: 'https://hooks.example.com/x', secret: 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==' },
        ],
      },
    }),
  );
  assert.deepEqual([...o.staticArns], arns);
  assert.equal(o.owns, undefined);
  assert.deepEqual(o.targets, []);
  assert.equal(o.schedule, undefined);
  assert.deepEqual(Object.fromEntries(o.staticConn), Object.fromEntries(sweepSpec(config()).staticConn), 'the same identities as run');
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
  });
  assert.deepEqual(reloadChanges(a, b), { needsRestart: ['state.dir', 'server'], scheduleChanged: true, logLevelChanged: true });
});

test('connections: one client per identity, one limiter per account and region; jobs follow their static entry or covering scope', () => {
  const made: string[] = [];
  const spec = sweepSpec(config());
  const conns = createConnections(spec, {
    resourceClient: (c) => {
      made.push(`${c.roleArn}@${c.region}`);
      return {} as ResourceClient;
    },
    client: () => ({}) as CleanRoomsMlApi,
    maxRequestsPerSecond: 5,
    clock: { now: () => 0 },
  });
  assert.deepEqual(made, [`${BASE_ROLE}@us-east-1`], 'the default connection is made at once');
  assert.equal(conns.forJob(JOB_US, undefined), conns.default);
  const eu = conns.forJob(JOB_EU, undefined);
  assert.notEqual(eu, conns.default);
  assert.equal(conns.forJob(JOB_EU, undefined), eu, 'cached');
  const viaRole = conns.forJob(JOB_ROLE, undefined);
  assert.notEqual(viaRole.limiter, conns.default.limiter, 'another account: its own limiter');
  // A discovered job takes its covering scope's identity; an uncovered one the default.
  const discovered = { arn: JOB_EU.replace('000000000002', '000000000009'), collaborationId: COLLAB, configuredAudienceModelArn: 'm' };
  assert.equal(conns.forJob(discovered.arn, discovered), conns.default, 'the first covering scope (config order) has no role');
  assert.equal(conns.forScope({ key: 'k', input: { collaborationId: COLLAB }, discovery: true }), conns.default);
  const euScope = conns.forScope({
    key: 'k2',
    input: { collaborationId: COLLAB },
    discovery: true,
    conn: { roleArn: ROLE, region: 'eu-west-1' },
  });
  assert.equal(
    euScope.limiter,
    conns.forScope({ key: 'k3', input: {}, discovery: false, conn: { roleArn: ROLE.replace('reader', 'other'), region: 'eu-west-1' } })
      .limiter,
    'two roles of one account share a limiter',
  );
  assert.equal(made.length, 5);
  assert.equal(conns.limiters().length, 4);
});
