// The generic kind client against the simulator over HTTP on 127.0.0.1, signatures verified:
// for every kind a resource put through /_sim/resources is listed and read with the client, a
// status set through the control API shows in Get and List, pages cut at 100, DELETE makes it
// vanish, filters narrow Lists, and the simulator counts every request per operation.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { createResourceClient, type ResourceClient } from '../../src/aws/resource-client.js';
import type { ApiOutcome } from '../../src/aws/api.js';
import { ALL_KINDS, KINDS } from '../../src/kinds/index.js';
import type { KindName, ListDecl, OperationParams } from '../../src/kinds/kind.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { listAll } from '../helpers/list-all.js';

const CREDS = { accessKeyId: 'AKIDSIMTEST', secretAccessKey: 'sim-secret-key' };
const M = '11111111-1111-4111-8111-111111111111';
const M2 = '22222222-2222-4222-8222-222222222222';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const C2 = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
const V1 = 'a1a1a1a1-0000-4000-8000-000000000001';
const V2 = 'a2a2a2a2-0000-4000-8000-000000000002';
const BASE = 'arn:aws:cleanrooms-ml:us-east-1:123456789012';
const TM_ARN = `${BASE}:membership/${M}/trained-model/tm-main`;
const AGJ_ARN = `${BASE}:audience-generation-job/agj-main`;
const BUDGET_ARN = 'arn:aws:cleanrooms:us-east-1:123456789012:membership/m1/configuredtableassociation/cta1';
const T0 = Date.parse('2026-11-28T12:00:00.000Z');

interface Case {
  kind: KindName;
  item: (i: number) => Record<string, unknown>;
  list: string;
  params: OperationParams;
  /** What the resource's fullest read (Get, or the List item) must carry. */
  check: (s: ResourceSnapshot) => void;
}

const CASES: Case[] = [
  {
    kind: 'audienceGenerationJob',
    item: (i) => ({
      name: `agj-${i}`,
      collaborationId: C,
      metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 5000 }, score: 0.7 }], recallMetric: 0.3 },
    }),
    list: 'ListAudienceGenerationJobs',
    params: {},
    check: (s) => {
      assert.deepEqual(s.results['relevance_score'], [{ labels: { audience_size_type: 'ABSOLUTE', audience_size: '5000' }, value: 0.7 }]);
      assert.deepEqual(s.results['recall_ratio'], [{ labels: {}, value: 0.3 }]);
      assert.equal(s.labels['collaboration_id'], C);
      assert.equal(s.parents.collaborationId, C);
    },
  },
  {
    kind: 'audienceModel',
    item: (i) => ({ name: `am-${i}`, trainingDataStartTime: '2026-01-01T00:00:00Z', trainingDataEndTime: '2026-06-30T00:00:00.500+02:00' }),
    list: 'ListAudienceModels',
    params: {},
    check: (s) => {
      assert.equal(s.results['training_data_start_timestamp_seconds'], Date.parse('2026-01-01T00:00:00Z'));
      assert.equal(s.results['training_data_end_timestamp_seconds'], Date.parse('2026-06-29T22:00:00.500Z'));
      assert.match(s.parents.trainingDatasetArn!, /:training-dataset\//);
    },
  },
  {
    kind: 'audienceExportJob',
    item: (i) => ({
      name: `export/${i} #x`,
      audienceGenerationJobArn: AGJ_ARN,
      audienceSize: { type: 'PERCENTAGE', value: 20 },
      outputLocation: 's3://bucket/exports/',
    }),
    list: 'ListAudienceExportJobs',
    params: {},
    check: (s) => {
      assert.deepEqual(s.results['audience_size'], [{ labels: { audience_size_type: 'PERCENTAGE' }, value: 20 }]);
      assert.equal(s.labels['output_location'], 's3://bucket/exports/');
      assert.equal(s.arn, undefined);
      assert.ok(s.id.startsWith(`${AGJ_ARN}#export=export%2F`), s.id);
    },
  },
  {
    kind: 'trainedModel',
    item: (i) => ({
      name: `tm-${i}`,
      membershipId: M,
      collaborationId: C,
      stoppingCondition: { maxRuntimeInSeconds: 7200 },
      metricsStatus: 'PUBLISH_SUCCEEDED',
      logsStatus: 'PUBLISH_FAILED',
    }),
    list: 'ListTrainedModels',
    params: { membershipId: M },
    check: (s) => {
      assert.deepEqual(s.results['max_runtime_seconds'], [{ labels: {}, value: 7200 }]);
      assert.equal(s.results['metrics_status'], 'PUBLISH_SUCCEEDED');
      assert.equal(s.results['logs_status'], 'PUBLISH_FAILED');
      assert.equal(s.labels['instance_type'], 'ml.m5.xlarge');
      assert.equal(s.parents.membershipId, M);
    },
  },
  {
    kind: 'trainedModelInferenceJob',
    item: (i) => ({
      name: `inf-${i}`,
      membershipId: M,
      collaborationId: C,
      trainedModelArn: TM_ARN,
      trainedModelVersionIdentifier: V1,
      metricsStatus: 'PUBLISH_SUCCEEDED',
    }),
    list: 'ListTrainedModelInferenceJobs',
    params: { membershipId: M },
    check: (s) => {
      assert.equal(s.results['metrics_status'], 'PUBLISH_SUCCEEDED');
      assert.equal(s.parents.trainedModelArn, TM_ARN);
      assert.equal(s.parents.trainedModelVersionIdentifier, V1);
      assert.deepEqual(s.results['instances'], [{ labels: {}, value: 1 }]);
    },
  },
  {
    kind: 'trainedModelExportJob',
    item: (i) => ({ name: `tmx-${i}`, membershipId: M, collaborationId: C, trainedModelArn: TM_ARN }),
    list: 'ListCollaborationTrainedModelExportJobs',
    params: { collaborationId: C, trainedModelArn: TM_ARN },
    check: (s) => {
      assert.equal(s.parents.trainedModelArn, TM_ARN);
      assert.equal(s.labels['creator_account_id'], '123456789012');
      assert.ok(s.id.startsWith(`${TM_ARN}#export=tmx-`), s.id);
    },
  },
  {
    kind: 'mlInputChannel',
    item: (i) => ({
      name: `ch-${i}`,
      membershipId: M,
      collaborationId: C,
      numberOfRecords: 1_200_000,
      sizeInGb: 2.5,
      numberOfFiles: 12,
      privacyBudgets: {
        accessBudgets: [
          {
            resourceArn: BUDGET_ARN,
            details: [{ startTime: '2026-11-28T00:00:00Z', remainingBudget: 7, budget: 10, budgetType: 'CALENDAR_DAY' }],
            aggregateRemainingBudget: 7,
          },
        ],
      },
    }),
    list: 'ListMLInputChannels',
    params: { membershipId: M },
    check: (s) => {
      assert.deepEqual(s.results['records'], [{ labels: {}, value: 1_200_000 }]);
      assert.deepEqual(s.results['size_bytes'], [{ labels: {}, value: 2.5 }]);
      assert.deepEqual(s.results['files'], [{ labels: {}, value: 12 }]);
      assert.deepEqual(s.results['retention_seconds'], [{ labels: {}, value: 7 }]);
      assert.deepEqual(s.results['privacy_budget_remaining'], [{ labels: { resource_arn: BUDGET_ARN }, value: 7 }]);
      // The channel's query (a sensitive shape) never enters a snapshot.
      assert.ok(!JSON.stringify(s).includes('SELECT'));
    },
  },
];

describe('generic resource client <-> simulator', () => {
  let sim: Simulator;
  let client: ResourceClient;
  let now = T0;
  const observed = new Map<string, number>();

  const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(sim.url + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const listOf = (kind: KindName, name: string): ListDecl => KINDS[kind].lists.find((l) => l.name === name)!;
  const isNotFound = (e: unknown): boolean =>
    e instanceof CleanRoomsMlError && e.name === 'ResourceNotFoundException' && e.httpStatus === 404 && e.outcome === 'not_found';

  before(async () => {
    sim = await startSimulator({ credentials: CREDS, clock: { now: () => now } });
    client = createResourceClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => CREDS,
      requestTimeoutMs: 5000,
      observer: (op: string, outcome: ApiOutcome) => observed.set(`${op}/${outcome}`, (observed.get(`${op}/${outcome}`) ?? 0) + 1),
    });
  });
  after(() => sim.close());
  beforeEach(async () => {
    await control('POST', '/_sim/reset');
    observed.clear();
    now = T0;
  });

  for (const c of CASES) {
    describe(c.kind, () => {
      const kind = KINDS[c.kind];
      const list = (): ListDecl => listOf(c.kind, c.list);
      /** The fullest read the service offers: the Get, or the List item for kinds without one. */
      const read = async (item: ResourceSnapshot): Promise<ResourceSnapshot> => (kind.get.member ? client.get(kind, item) : item);
      const find = async (id: string): Promise<ResourceSnapshot | undefined> =>
        (await listAll(client, kind, list(), c.params)).find((s) => s.id === id);

      it('PUT through /_sim/resources, then List and Get with the client', async () => {
        const put = await control('PUT', '/_sim/resources', { resources: [{ kind: c.kind, ...c.item(1) }] });
        assert.equal(put.status, 200, JSON.stringify(put.json));
        const r = put.json.resources[0];
        assert.equal(r.kind, c.kind);
        assert.equal(typeof r.id, 'string');
        assert.equal(r.createTime, new Date(T0).toISOString());
        const item = await find(r.id);
        assert.ok(item, 'listed');
        assert.equal(item.detail, 'summary');
        assert.equal(item.status, 'CREATE_PENDING');
        assert.equal(item.createTime, T0);
        assert.equal(item.updateTime, T0);
        const full = await read(item);
        assert.equal(full.id, r.id);
        assert.equal(full.name, c.item(1)['name']);
        if (kind.get.member) assert.equal(full.detail, 'full');
        c.check(full);
        // The control API answers the resource as its Get (or List item) does.
        const shown = (await control('GET', `/_sim/resources?kind=${c.kind}`)).json.resources;
        assert.deepEqual(shown, [r]);
      });

      it('a status set through the control API shows in Get and List (updateTime = now)', async () => {
        const r = (await control('PUT', '/_sim/resources', { resources: [{ kind: c.kind, ...c.item(1), status: 'CREATE_IN_PROGRESS' }] }))
          .json.resources[0];
        now = T0 + 90_000;
        const failed = await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/status`, {
          status: 'CREATE_FAILED',
          statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'out of capacity' },
        });
        assert.equal(failed.status, 200, JSON.stringify(failed.json));
        assert.equal(failed.json.updateTime, new Date(now).toISOString());
        const item = (await find(r.id))!;
        assert.equal(item.status, 'CREATE_FAILED');
        assert.equal(item.updateTime, now);
        const full = await read(item);
        assert.equal(full.status, 'CREATE_FAILED');
        assert.deepEqual(full.statusDetails, { statusCode: 'INTERNAL_ERROR', message: 'out of capacity' });
        now = T0 + 120_000;
        await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/status`, { status: 'ACTIVE' });
        const active = await read((await find(r.id))!);
        assert.equal(active.status, 'ACTIVE');
        assert.equal(active.updateTime, now);
        assert.equal(active.statusDetails, undefined, 'statusDetails belong to the status they explain');
        assert.equal(active.createTime, T0);
      });

      it('pages hold 100 items; nextToken leads through all 150', async () => {
        const items = Array.from({ length: 150 }, (_, i) => ({ kind: c.kind, ...c.item(i) }));
        const put = await control('PUT', '/_sim/resources', { resources: items });
        assert.equal(put.status, 200, JSON.stringify(put.json).slice(0, 300));
        const p1 = await client.list(kind, list(), c.params);
        assert.equal(p1.items.length, 100);
        assert.ok(p1.nextToken);
        const p2 = await client.list(kind, list(), c.params, { nextToken: p1.nextToken! });
        assert.equal(p2.items.length, 50);
        assert.equal(p2.nextToken, undefined);
        const ids = new Set([...p1.items, ...p2.items].map((s) => s.id));
        assert.equal(ids.size, 150);
        assert.deepEqual(ids, new Set(put.json.resources.map((r: { id: string }) => r.id)));
        assert.equal((await listAll(client, kind, list(), c.params)).length, 150);
        // Every page was asked for with the model's maximum page size.
        const urls = ((await control('GET', '/_sim/requests')).json.requests as Array<{ op: string; url: string }>).filter(
          (q) => q.op === c.list,
        );
        assert.ok(urls.length >= 3 && urls.every((q) => /[?&]maxResults=100(&|$)/.test(q.url)));
      });

      it('DELETE makes it vanish: 404 from the Get, absent from the List', async () => {
        const r = (await control('PUT', '/_sim/resources', { resources: [{ kind: c.kind, ...c.item(1) }] })).json.resources[0];
        const item = (await find(r.id))!;
        assert.equal((await control('DELETE', `/_sim/resources/${encodeURIComponent(r.id)}`)).status, 200);
        assert.equal(await find(r.id), undefined);
        if (kind.get.member) await assert.rejects(client.get(kind, item), isNotFound);
        assert.equal((await control('DELETE', `/_sim/resources/${encodeURIComponent(r.id)}`)).status, 404);
        assert.equal((await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/status`, { status: 'ACTIVE' })).status, 404);
      });

      it('the simulator counts each request under its operation, as the client observed it', async () => {
        const r = (await control('PUT', '/_sim/resources', { resources: [{ kind: c.kind, ...c.item(1) }] })).json.resources[0];
        const item = (await find(r.id))!;
        await read(item);
        await control('DELETE', `/_sim/resources/${encodeURIComponent(r.id)}`);
        if (kind.get.member) await assert.rejects(client.get(kind, item));
        const stats = (await control('GET', '/_sim/stats')).json.requests;
        assert.equal(stats[c.list].success, observed.get(`${c.list}/success`));
        assert.equal(stats[c.list].success, 1);
        if (kind.get.member) {
          const g = kind.get.member.name;
          assert.equal(stats[g].success, 1);
          assert.equal(stats[g].not_found, 1);
          assert.equal(observed.get(`${g}/not_found`), 1);
        }
      });
    });
  }

  it('every kind has a case here', () => {
    assert.deepEqual(CASES.map((c) => c.kind).sort(), ALL_KINDS.map((k) => k.kind).sort());
  });

  describe('filters and views', () => {
    it('audience generation jobs by collaborationId', async () => {
      await control('PUT', '/_sim/resources', {
        resources: [
          { kind: 'audienceGenerationJob', name: 'in-c', collaborationId: C },
          { kind: 'audienceGenerationJob', name: 'in-c2', collaborationId: C2 },
        ],
      });
      const l = listOf('audienceGenerationJob', 'ListAudienceGenerationJobs');
      assert.deepEqual(
        (await listAll(client, KINDS.audienceGenerationJob, l, { collaborationId: C })).map((s) => s.name),
        ['in-c'],
      );
      assert.equal((await listAll(client, KINDS.audienceGenerationJob, l, {})).length, 2);
    });

    it('audience export jobs by audienceGenerationJobArn', async () => {
      const other = `${BASE}:audience-generation-job/agj-other`;
      await control('PUT', '/_sim/resources', {
        resources: [
          { kind: 'audienceExportJob', name: 'x', audienceGenerationJobArn: AGJ_ARN },
          { kind: 'audienceExportJob', name: 'x', audienceGenerationJobArn: other },
        ],
      });
      const l = listOf('audienceExportJob', 'ListAudienceExportJobs');
      const got = await listAll(client, KINDS.audienceExportJob, l, { audienceGenerationJobArn: other });
      assert.deepEqual(
        got.map((s) => s.parents.audienceGenerationJobArn),
        [other],
      );
      // The same name under two parents: two identities.
      const all = await listAll(client, KINDS.audienceExportJob, l, {});
      assert.equal(new Set(all.map((s) => s.id)).size, 2);
    });

    it('inference jobs by trainedModelArn and version, member and collaboration views', async () => {
      const otherModel = `${BASE}:membership/${M}/trained-model/tm-other`;
      await control('PUT', '/_sim/resources', {
        resources: [
          {
            kind: 'trainedModelInferenceJob',
            name: 'a',
            membershipId: M,
            collaborationId: C,
            trainedModelArn: TM_ARN,
            trainedModelVersionIdentifier: V1,
          },
          {
            kind: 'trainedModelInferenceJob',
            name: 'b',
            membershipId: M,
            collaborationId: C,
            trainedModelArn: TM_ARN,
            trainedModelVersionIdentifier: V2,
          },
          { kind: 'trainedModelInferenceJob', name: 'c', membershipId: M, collaborationId: C, trainedModelArn: otherModel },
          { kind: 'trainedModelInferenceJob', name: 'd', membershipId: M2, collaborationId: C, trainedModelArn: TM_ARN },
        ],
      });
      const k = KINDS.trainedModelInferenceJob;
      const mine = listOf('trainedModelInferenceJob', 'ListTrainedModelInferenceJobs');
      const collab = listOf('trainedModelInferenceJob', 'ListCollaborationTrainedModelInferenceJobs');
      const names = async (l: ListDecl, p: OperationParams) => (await listAll(client, k, l, p)).map((s) => s.name).sort();
      assert.deepEqual(await names(mine, { membershipId: M }), ['a', 'b', 'c']);
      assert.deepEqual(await names(mine, { membershipId: M, trainedModelArn: TM_ARN }), ['a', 'b']);
      assert.deepEqual(await names(mine, { membershipId: M, trainedModelArn: TM_ARN, trainedModelVersionIdentifier: V2 }), ['b']);
      assert.deepEqual(await names(collab, { collaborationId: C }), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await names(collab, { collaborationId: C, trainedModelArn: TM_ARN }), ['a', 'b', 'd']);
      const d = (await listAll(client, k, collab, { collaborationId: C })).find((s) => s.name === 'd')!;
      assert.equal(d.view, 'collaboration');
      assert.equal(d.labels['creator_account_id'], '123456789012');
      // Another member's job has no Get of ours: its membership answers 404.
      await assert.rejects(client.get(k, { ...d, parents: { ...d.parents, membershipId: M } }), isNotFound);
      await assert.rejects(client.get(k, d, { view: 'collaboration' }), /has no collaboration Get/);
    });

    it('trained model versions: List shows the latest, ListTrainedModelVersions all, Get one or the latest', async () => {
      const k = KINDS.trainedModel;
      await control('PUT', '/_sim/resources', {
        resources: [
          { kind: 'trainedModel', name: 'main', arn: TM_ARN, collaborationId: C, status: 'ACTIVE', createTime: '2026-11-28T09:00:00.000Z' },
          {
            kind: 'trainedModel',
            name: 'main',
            arn: TM_ARN,
            collaborationId: C,
            versionIdentifier: V1,
            status: 'ACTIVE',
            createTime: '2026-11-28T10:00:00.000Z',
          },
          {
            kind: 'trainedModel',
            name: 'main',
            arn: TM_ARN,
            collaborationId: C,
            versionIdentifier: V2,
            status: 'CREATE_IN_PROGRESS',
            createTime: '2026-11-28T11:00:00.000Z',
            stoppingCondition: { maxRuntimeInSeconds: 3600 },
          },
          { kind: 'trainedModel', name: 'other', membershipId: M, collaborationId: C },
          { kind: 'trainedModel', name: 'theirs', membershipId: M2, collaborationId: C },
        ],
      });
      const models = await listAll(client, k, listOf('trainedModel', 'ListTrainedModels'), { membershipId: M });
      assert.deepEqual(models.map((s) => `${s.name}:${s.versionIdentifier ?? 'base'}`).sort(), [`main:${V2}`, 'other:base']);
      const versions = listOf('trainedModel', 'ListTrainedModelVersions');
      const all = await listAll(client, k, versions, { membershipId: M, trainedModelArn: TM_ARN });
      assert.deepEqual(all.map((s) => s.id).sort(), [TM_ARN, `${TM_ARN}#version=${V1}`, `${TM_ARN}#version=${V2}`]);
      const active = await listAll(client, k, versions, { membershipId: M, trainedModelArn: TM_ARN, status: 'ACTIVE' });
      assert.equal(active.length, 2);
      const v1 = await client.get(k, { arn: TM_ARN, versionIdentifier: V1, parents: { membershipId: M } });
      assert.equal(v1.versionIdentifier, V1);
      assert.equal(v1.status, 'ACTIVE');
      const latest = await client.get(k, { arn: TM_ARN, parents: { membershipId: M } });
      assert.equal(latest.versionIdentifier, V2);
      assert.deepEqual(latest.results['max_runtime_seconds'], [{ labels: {}, value: 3600 }]);
      await assert.rejects(
        client.get(k, { arn: TM_ARN, versionIdentifier: 'ffffffff-0000-4000-8000-00000000ffff', parents: { membershipId: M } }),
        isNotFound,
      );
      await assert.rejects(
        listAll(client, k, versions, { membershipId: M, trainedModelArn: `${BASE}:membership/${M}/trained-model/nope` }),
        isNotFound,
      );
      // Collaboration view: every member's models, read through the collaboration Get.
      const collab = await listAll(client, k, listOf('trainedModel', 'ListCollaborationTrainedModels'), { collaborationId: C });
      assert.deepEqual(collab.map((s) => s.name).sort(), ['main', 'other', 'theirs']);
      const theirs = collab.find((s) => s.name === 'theirs')!;
      const got = await client.get(k, theirs, { view: 'collaboration' });
      assert.equal(got.view, 'collaboration');
      assert.equal(got.labels['creator_account_id'], '123456789012');
      assert.equal(got.parents.membershipId, M2);
      assert.deepEqual(await listAll(client, k, listOf('trainedModel', 'ListCollaborationTrainedModels'), { collaborationId: C2 }), []);
    });

    it('trained model export jobs need both the collaboration and the model, and filter by version', async () => {
      await control('PUT', '/_sim/resources', {
        resources: [
          {
            kind: 'trainedModelExportJob',
            name: 'e1',
            membershipId: M,
            collaborationId: C,
            trainedModelArn: TM_ARN,
            trainedModelVersionIdentifier: V1,
          },
          {
            kind: 'trainedModelExportJob',
            name: 'e2',
            membershipId: M,
            collaborationId: C,
            trainedModelArn: TM_ARN,
            trainedModelVersionIdentifier: V2,
          },
        ],
      });
      const k = KINDS.trainedModelExportJob;
      const l = listOf('trainedModelExportJob', 'ListCollaborationTrainedModelExportJobs');
      const got = await listAll(client, k, l, { collaborationId: C, trainedModelArn: TM_ARN, trainedModelVersionIdentifier: V2 });
      assert.deepEqual(
        got.map((s) => s.name),
        ['e2'],
      );
      assert.ok(got[0]!.id.startsWith(`${TM_ARN}#version=${V2}#export=e2@`));
      await assert.rejects(
        client.list(k, l, { collaborationId: C }),
        (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'ValidationException' && /trainedModelArn/.test(e.message),
      );
    });

    it('ML input channels: the collaboration view and its Get (no files or size there)', async () => {
      await control('PUT', '/_sim/resources', {
        resources: [{ kind: 'mlInputChannel', name: 'theirs', membershipId: M2, collaborationId: C, numberOfRecords: 10, sizeInGb: 1 }],
      });
      const k = KINDS.mlInputChannel;
      const items = await listAll(client, k, listOf('mlInputChannel', 'ListCollaborationMLInputChannels'), { collaborationId: C });
      assert.equal(items.length, 1);
      const got = await client.get(k, items[0]!, { view: 'collaboration' });
      assert.deepEqual(got.results['records'], [{ labels: {}, value: 10 }]);
      assert.equal(got.results['size_bytes'], undefined);
      assert.deepEqual(await listAll(client, k, listOf('mlInputChannel', 'ListMLInputChannels'), { membershipId: M }), []);
    });

    it('ARN labels travel as one encoded segment', async () => {
      const r = (
        await control('PUT', '/_sim/resources', {
          resources: [{ kind: 'mlInputChannel', name: 'enc', arn: `${BASE}:membership/${M}/ml-input-channel/team/a.b_c` }],
        })
      ).json.resources[0];
      const got = await client.get(KINDS.mlInputChannel, { arn: r.id, parents: { membershipId: M } });
      assert.equal(got.arn, `${BASE}:membership/${M}/ml-input-channel/team/a.b_c`);
      const reqs = (await control('GET', '/_sim/requests')).json.requests as Array<{ op: string; url: string }>;
      const url = reqs.find((q) => q.op === 'GetMLInputChannel')!.url;
      assert.equal(url, `/memberships/${M}/ml-input-channels/${encodeURIComponent(got.arn!)}`);
      assert.match(url, /%3A.*%2Fteam%2Fa\.b_c$/);
    });
  });

  describe('membership fleet', () => {
    const FLEET = {
      trainedModels: 50,
      versionsPerModel: 2,
      inferenceJobs: 200,
      mlInputChannels: 100,
      trainedModelExportJobs: 10,
      audienceExportJobs: 10,
    };
    const MF = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const CF = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';

    it('serves the seeded fleet through every List, about a tenth under way, all done ten minutes later', async () => {
      let t = T0;
      const fleet = await startSimulator({ credentials: CREDS, clock: { now: () => t }, seed: 3, jobs: 100, resourceFleet: FLEET });
      try {
        const c = createResourceClient({ region: 'us-east-1', endpoint: fleet.url, credentials: async () => CREDS });
        const all = async (kind: KindName, list: string, params: OperationParams) => listAll(c, KINDS[kind], listOf(kind, list), params);
        const models = await all('trainedModel', 'ListTrainedModels', { membershipId: MF });
        assert.equal(models.length, 50, 'one item per model');
        const versions = await all('trainedModel', 'ListTrainedModelVersions', { membershipId: MF, trainedModelArn: models[0]!.arn! });
        assert.equal(versions.length, 2);
        assert.equal(versions.filter((v) => v.versionIdentifier === undefined).length, 1, 'one base version');
        const inference = await all('trainedModelInferenceJob', 'ListTrainedModelInferenceJobs', { membershipId: MF });
        const channels = await all('mlInputChannel', 'ListMLInputChannels', { membershipId: MF });
        const audienceExports = await all('audienceExportJob', 'ListAudienceExportJobs', {});
        const jobs = await all('audienceGenerationJob', 'ListAudienceGenerationJobs', {});
        assert.deepEqual([inference.length, channels.length, audienceExports.length, jobs.length], [200, 100, 10, 100]);
        const jobArns = new Set(jobs.map((j) => j.arn));
        assert.ok(audienceExports.every((e) => jobArns.has(e.parents.audienceGenerationJobArn)));
        let modelExports = 0;
        for (const m of models)
          modelExports += (
            await all('trainedModelExportJob', 'ListCollaborationTrainedModelExportJobs', { collaborationId: CF, trainedModelArn: m.arn! })
          ).length;
        assert.equal(modelExports, 10);
        const resources = fleet.resources().filter((r) => r['kind'] !== 'audienceGenerationJob');
        assert.equal(resources.length, 100 + 200 + 100 + 10 + 10);
        const running = resources.filter((r) => /_(PENDING|IN_PROGRESS)$/.test(String(r['status']))).length;
        assert.ok(running >= 15 && running <= 70, `${running} of 420 under way`);
        const failed = resources.filter((r) => r['status'] === 'CREATE_FAILED');
        assert.ok(
          failed.length > 0 &&
            failed.every((r) => typeof (r['statusDetails'] as { statusCode?: string } | undefined)?.statusCode === 'string'),
        );
        const again = await startSimulator({ clock: { now: () => T0 }, seed: 3, jobs: 100, resourceFleet: FLEET });
        try {
          assert.deepEqual(again.resources(), fleet.resources(), 'same seed, same fleet');
        } finally {
          await again.close();
        }
        t = T0 + 15 * 60_000;
        const still = fleet
          .resources()
          .filter((r) => r['kind'] !== 'audienceGenerationJob' && /_(PENDING|IN_PROGRESS)$/.test(String(r['status'])));
        assert.deepEqual(still, []);
      } finally {
        await fleet.close();
      }
    });
  });
});
