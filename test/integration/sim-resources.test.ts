// The simulator's resources of every kind over raw HTTP on 127.0.0.1: the control API
// (/_sim/resources, one store with /_sim/jobs) and the wire of the new operations (raw-path
// routing, validation, errors, pages, faults, stats), as any client built from the model sees it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { KINDS } from '../../src/kinds/index.js';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/dev/sim/scenario.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDRES', secretAccessKey: 'res-secret' };
const M = '11111111-1111-4111-8111-111111111111';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const BASE = 'arn:aws:cleanrooms-ml:us-east-1:123456789012';
const TM_ARN = `${BASE}:membership/${M}/trained-model/tm-1`;
const AGJ_ARN = `${BASE}:audience-generation-job/job-1`;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const T0 = Date.parse('2026-11-28T12:00:00.000Z');

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One GET signed like the daemon signs (the path as given: already encoded). */
async function signedGet(base: string, path: string, sign = true): Promise<Raw> {
  const url = new URL(base);
  let headers: Record<string, string> = { host: url.host };
  if (sign) {
    const [p, q] = path.split('?') as [string, string | undefined];
    const query: Record<string, string> = {};
    for (const kv of q ? q.split('&') : []) {
      const [k, v] = kv.split('=');
      query[decodeURIComponent(k!)] = decodeURIComponent(v ?? '');
    }
    const signer = new SignatureV4({
      service: 'cleanrooms-ml',
      region: 'us-east-1',
      sha256: Hash.bind(null, 'sha256'),
      credentials: CREDS,
    });
    headers = (
      await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: p, query, headers })
    ).headers as Record<string, string>;
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: url.port, path, method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function assertAwsError(r: Raw, status: number, type: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers['x-amzn-errortype'], type);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.ok(r.headers['x-amzn-requestid']);
  assert.deepEqual(Object.keys(r.json), ['message']);
  if (message) assert.match(r.json.message, message);
}

describe('simulator resources of every kind', () => {
  let sim: Simulator;
  let now = T0;
  const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(sim.url + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const put = (resources: unknown[]) => control('PUT', '/_sim/resources', { resources });
  const get = (path: string) => signedGet(sim.url, path);

  before(async () => {
    sim = await startSimulator({ credentials: CREDS, clock: { now: () => now }, seed: 7 });
  });
  after(() => sim.close());
  beforeEach(async () => {
    now = T0;
    await control('POST', '/_sim/reset');
  });

  describe('control API', () => {
    it('tags: taken by kinds whose Get carries them, returned by that Get only; POST .../tags replaces them, updateTime kept', async () => {
      const r = (
        await put([{ kind: 'trainedModel', name: 'tm', arn: TM_ARN, membershipId: M, collaborationId: C, tags: { team: 'risk' } }])
      ).json.resources[0];
      assert.deepEqual(r.tags, { team: 'risk' });
      const path = `/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}`;
      assert.deepEqual((await get(path)).json.tags, { team: 'risk' });
      const listed = (await get(`/memberships/${M}/trained-models?maxResults=100`)).json;
      assert.ok(!JSON.stringify(listed).includes('risk'), 'a List item carries no tags');
      const collab = await get(`/collaborations/${C}/trained-models/${encodeURIComponent(TM_ARN)}`);
      assert.equal(collab.status, 200, collab.text);
      assert.equal(collab.json.tags, undefined, 'nor the collaboration Get');
      now += 60_000;
      const tagged = await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/tags`, {
        tags: { team: 'fraud', 'cost-center': 'c' },
      });
      assert.equal(tagged.status, 200);
      assert.deepEqual([tagged.json.tags, tagged.json.updateTime], [{ team: 'fraud', 'cost-center': 'c' }, r.updateTime]);
      assert.deepEqual((await get(path)).json.tags, { team: 'fraud', 'cost-center': 'c' });
      // An empty map removes them: the Get answers without the member.
      await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/tags`, { tags: {} });
      assert.equal((await get(path)).json.tags, undefined);
      const noGet = await put([{ kind: 'audienceExportJob', name: 'ex', audienceGenerationJobArn: AGJ_ARN, tags: { team: 'x' } }]);
      assert.equal(noGet.status, 400);
      assert.match(
        noGet.json.message,
        /resources\[0\]\.tags: audienceExportJob has no Get that carries tags; it takes those of its audienceGenerationJob/,
      );
      const bad = await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/tags`, { tags: { team: 7 } });
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /tags: team must be a string/);
      assert.equal((await control('POST', `/_sim/resources/${encodeURIComponent(`${TM_ARN}x`)}/tags`, { tags: {} })).status, 404);
    });

    it('GET lists every kind (or one); an unknown kind is a 400 naming it', async () => {
      assert.deepEqual((await control('GET', '/_sim/resources')).json, { resources: [] });
      await put([
        { kind: 'mlInputChannel', name: 'ch' },
        { kind: 'audienceModel', name: 'am' },
        { kind: 'audienceGenerationJob', name: 'j' },
      ]);
      const all = (await control('GET', '/_sim/resources')).json.resources;
      assert.deepEqual(
        all.map((r: any) => r.kind),
        ['audienceGenerationJob', 'audienceModel', 'mlInputChannel'],
      );
      assert.deepEqual(
        (await control('GET', '/_sim/resources?kind=audienceModel')).json.resources.map((r: any) => r.name),
        ['am'],
      );
      const bad = await control('GET', '/_sim/resources?kind=trainedModels');
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /unknown kind trainedModels/);
    });

    it('answers each resource as its Get returns it, with kind and id; ARN-less kinds as their List item', async () => {
      const r = (
        await put([
          { kind: 'trainedModel', name: 'tm', arn: TM_ARN, collaborationId: C, stoppingCondition: { maxRuntimeInSeconds: 600 } },
          { kind: 'audienceExportJob', name: 'ex', audienceGenerationJobArn: AGJ_ARN, createTime: '2026-11-28T11:00:00Z' },
        ])
      ).json.resources;
      const wire = (await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}`)).json;
      assert.deepEqual(r[0], { kind: 'trainedModel', id: TM_ARN, ...wire });
      assert.equal(r[0].membershipIdentifier, M, 'the membership comes from the ARN');
      assert.deepEqual(Object.keys(r[1]), [
        'kind',
        'id',
        ...KINDS.audienceExportJob.lists[0]!.members.filter((m) => r[1][m] !== undefined),
      ]);
      assert.equal(r[1].id, `${AGJ_ARN}#export=ex@2026-11-28T11:00:00.000Z`);
    });

    it('refuses bad items with a 400 naming the field, and keeps the store untouched', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ kind: 'trainedModel', name: 'x', bogus: 1 }, /resources\[0\]\.bogus: is not a member of trainedModel/],
        [{ kind: 'trainedModels', name: 'x' }, /resources\[0\]\.kind: must be one of/],
        [{ kind: 'trainedModel', name: 'x', membershipId: 'nope' }, /resources\[0\]\.membershipId: must be a lowercase UUID/],
        [
          { kind: 'trainedModel', name: 'x', stoppingCondition: { maxRuntimeInSeconds: '60' } },
          /resources\[0\]: .*stoppingCondition\.maxRuntimeInSeconds is not a finite number/,
        ],
        [{ kind: 'mlInputChannel', name: 'x', numberOfRecords: 'many' }, /resources\[0\]: .*numberOfRecords is not a finite number/],
        [{ kind: 'audienceExportJob', name: 'x', arn: AGJ_ARN }, /resources\[0\]\.arn: audienceExportJob has no ARN/],
        [
          { kind: 'trainedModel', name: 'x', arn: TM_ARN, membershipId: '22222222-2222-4222-8222-222222222222' },
          /membershipId: contradicts the membership of the ARN/,
        ],
        [{ kind: 'trainedModel', name: 'x', createTime: 'yesterday' }, /resources\[0\]\.createTime: must be an ISO-8601 timestamp/],
        [{ kind: 'audienceGenerationJob', name: 'x', collaborationId: 'nope' }, /resources\[0\]\.collaborationId/],
        [{ kind: 'mlInputChannel' }, /resources\[0\]\.name: is required/],
        [
          { kind: 'mlInputChannel', name: 'x', membershipIdentifier: 'nope' },
          /resources\[0\]\.membershipIdentifier: must be a lowercase UUID/,
        ],
        [{ kind: 'trainedModel', name: 'x', trainedModelArn: 'arn:nope' }, /resources\[0\]\.trainedModelArn: must be a trained model ARN/],
      ];
      for (const [item, re] of cases) {
        const r = await put([item]);
        assert.equal(r.status, 400, JSON.stringify(item));
        assert.match(r.json.message, re);
      }
      const mixed = await put([
        { kind: 'audienceModel', name: 'fine' },
        { kind: 'trainedModel', name: 'x', bogus: 1 },
      ]);
      assert.equal(mixed.status, 400);
      assert.match(mixed.json.message, /resources\[1\]\.bogus/);
      assert.deepEqual((await control('GET', '/_sim/resources')).json.resources, []);
    });

    it('/_sim/jobs and /_sim/resources are two views of the same audience generation jobs', async () => {
      const viaJobs = (await control('PUT', '/_sim/jobs', { jobs: [{ name: 'from-jobs', arn: AGJ_ARN }] })).json.jobs[0];
      const viaRes = (await put([{ kind: 'audienceGenerationJob', name: 'from-resources', collaborationId: C }])).json.resources[0];
      assert.equal(viaRes.kind, 'audienceGenerationJob');
      assert.equal(viaRes.id, viaRes.audienceGenerationJobArn);
      const jobs = (await control('GET', '/_sim/jobs')).json.jobs;
      assert.deepEqual(jobs.map((j: any) => j.name).sort(), ['from-jobs', 'from-resources']);
      const resources = (await control('GET', '/_sim/resources?kind=audienceGenerationJob')).json.resources;
      assert.deepEqual(
        resources.find((r: any) => r.id === AGJ_ARN),
        { kind: 'audienceGenerationJob', id: AGJ_ARN, ...viaJobs },
      );
      now += 1000;
      const moved = await control('POST', `/_sim/resources/${encodeURIComponent(AGJ_ARN)}/status`, { status: 'ACTIVE' });
      assert.equal(moved.status, 200);
      assert.equal(moved.json.kind, 'audienceGenerationJob');
      assert.equal(
        (await control('GET', '/_sim/jobs')).json.jobs.find((j: any) => j.audienceGenerationJobArn === AGJ_ARN).status,
        'ACTIVE',
      );
      await control('POST', `/_sim/jobs/${encodeURIComponent(viaRes.id)}/status`, { status: 'CREATE_FAILED' });
      assert.equal((await control('GET', '/_sim/resources')).json.resources.find((r: any) => r.id === viaRes.id).status, 'CREATE_FAILED');
      assert.equal((await control('DELETE', `/_sim/resources/${encodeURIComponent(AGJ_ARN)}`)).status, 200);
      assert.deepEqual(
        (await control('GET', '/_sim/jobs')).json.jobs.map((j: any) => j.name),
        ['from-resources'],
      );
      assertAwsError(await get(`/audience-generation-job/${encodeURIComponent(AGJ_ARN)}`), 404, 'ResourceNotFoundException');
    });

    it('status bodies are checked; unknown ids are 404', async () => {
      const r = (await put([{ kind: 'mlInputChannel', name: 'ch' }])).json.resources[0];
      const path = `/_sim/resources/${encodeURIComponent(r.id)}/status`;
      assert.match((await control('POST', path, { state: 'ACTIVE' })).json.message, /state: unknown key/);
      assert.match((await control('POST', path, {})).json.message, /status: must be a non-empty string/);
      assert.match(
        (await control('POST', path, { status: 'ACTIVE', statusDetails: { code: 'x' } })).json.message,
        /statusDetails: unknown key code/,
      );
      assert.equal((await control('POST', `/_sim/resources/${encodeURIComponent(`${r.id}x`)}/status`, { status: 'ACTIVE' })).status, 404);
      // Any status string is taken, to exercise values AWS may add.
      assert.equal((await control('POST', path, { status: 'SOMETHING_NEW' })).json.status, 'SOMETHING_NEW');
    });

    it('an ARN-less resource put again with its createTime is replaced, not duplicated', async () => {
      const item = { kind: 'audienceExportJob', name: 'ex', audienceGenerationJobArn: AGJ_ARN, createTime: '2026-11-28T11:00:00.000Z' };
      await put([item]);
      now += 5000;
      const again = (await put([{ ...item, status: 'ACTIVE' }])).json.resources[0];
      const all = (await control('GET', '/_sim/resources?kind=audienceExportJob')).json.resources;
      assert.equal(all.length, 1);
      assert.equal(all[0].status, 'ACTIVE');
      assert.equal(again.updateTime, new Date(now).toISOString());
    });

    it('reset forgets every resource', async () => {
      await put([
        { kind: 'trainedModel', name: 'tm' },
        { kind: 'audienceGenerationJob', name: 'j' },
      ]);
      await control('POST', '/_sim/reset');
      assert.deepEqual((await control('GET', '/_sim/resources')).json.resources, []);
      assert.deepEqual((await control('GET', '/_sim/jobs')).json.jobs, []);
    });
  });

  describe('wire', () => {
    it('Get and List carry exactly their declared members, timestamps ISO-8601', async () => {
      await put([
        {
          kind: 'trainedModel',
          name: 'tm',
          arn: TM_ARN,
          collaborationId: C,
          stoppingCondition: { maxRuntimeInSeconds: 600 },
          metricsStatus: 'PUBLISH_SUCCEEDED',
        },
      ]);
      const g = await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}`);
      assert.equal(g.status, 200);
      assert.match(g.json.createTime, ISO_MS);
      assert.match(g.json.updateTime, ISO_MS);
      assert.deepEqual(g.json.stoppingCondition, { maxRuntimeInSeconds: 600 });
      const allowed = new Set(KINDS.trainedModel.get.member!.members);
      for (const k of Object.keys(g.json)) assert.ok(allowed.has(k), k);
      const l = await get(`/memberships/${M}/trained-models?maxResults=100`);
      const item = l.json.trainedModels[0];
      assert.deepEqual(Object.keys(l.json), ['trainedModels']);
      assert.equal(item.stoppingCondition, undefined, 'List items have no stopping condition');
      assert.equal(item.metricsStatus, undefined);
      for (const k of Object.keys(item)) assert.ok(KINDS.trainedModel.lists[0]!.members.includes(k), k);
    });

    it('routes on the raw path: a literal / in the ARN label is another path', async () => {
      await put([{ kind: 'trainedModel', name: 'tm', arn: TM_ARN }]);
      assertAwsError(await get(`/memberships/${M}/trained-models/${TM_ARN}`), 404, 'UnknownOperationException');
      assertAwsError(
        await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN.replace('tm-1', 'tm-2'))}`),
        404,
        'ResourceNotFoundException',
        /tm-2/,
      );
      assertAwsError(
        await get(`/memberships/${M}/trained-model-inference-jobs/${encodeURIComponent(TM_ARN)}`),
        400,
        'ValidationException',
        /trainedModelInferenceJobArn.*regular expression/,
      );
      assertAwsError(
        await get(`/memberships/not-a-uuid/ml-input-channels`),
        400,
        'ValidationException',
        /'membershipIdentifier' failed to satisfy constraint: Member must have length equal to 36/,
      );
    });

    it('validates maxResults, nextToken and enum filters', async () => {
      for (const [q, re] of [
        ['maxResults=0', /greater than or equal to 1/],
        ['maxResults=101', /less than or equal to 100/],
        ['maxResults=x', /must be an integer/],
      ] as const) {
        assertAwsError(await get(`/memberships/${M}/ml-input-channels?${q}`), 400, 'ValidationException', re);
      }
      assertAwsError(await get(`/memberships/${M}/ml-input-channels?nextToken=bogus`), 400, 'ValidationException', /nextToken/);
      assertAwsError(
        await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}/versions?status=DONE`),
        400,
        'ValidationException',
        /'status' failed to satisfy constraint: Member must satisfy enum value set/,
      );
      assertAwsError(
        await get(`/audience-export-job?audienceGenerationJobArn=nope`),
        400,
        'ValidationException',
        /audienceGenerationJobArn/,
      );
    });

    it('a nextToken only continues the List and parameters it came from', async () => {
      await put(Array.from({ length: 3 }, (_, i) => ({ kind: 'mlInputChannel', name: `ch${i}`, membershipId: M, collaborationId: C })));
      const p1 = await get(`/memberships/${M}/ml-input-channels?maxResults=2`);
      assert.equal(p1.json.mlInputChannelsList.length, 2);
      const token = encodeURIComponent(p1.json.nextToken);
      const p2 = await get(`/memberships/${M}/ml-input-channels?maxResults=2&nextToken=${token}`);
      assert.equal(p2.json.mlInputChannelsList.length, 1);
      assert.equal(p2.json.nextToken, undefined);
      assertAwsError(await get(`/collaborations/${C}/ml-input-channels?nextToken=${token}`), 400, 'ValidationException', /nextToken/);
      assertAwsError(
        await get(`/memberships/22222222-2222-4222-8222-222222222222/ml-input-channels?nextToken=${token}`),
        400,
        'ValidationException',
        /nextToken/,
      );
    });

    it('unsigned requests are refused like every AWS request', async () => {
      const r = await signedGet(sim.url, `/memberships/${M}/ml-input-channels`, false);
      assertAwsError(r, 403, 'MissingAuthenticationTokenException');
    });

    it('faults and stats apply to the new operations', async () => {
      await put(Array.from({ length: 3 }, (_, i) => ({ kind: 'mlInputChannel', name: `ch${i}`, membershipId: M })));
      await control('PUT', '/_sim/faults', { throttleRatio: 1 });
      assertAwsError(await get(`/memberships/${M}/ml-input-channels`), 429, 'ThrottlingException');
      await control('PUT', '/_sim/faults', { resetListPage: 2 });
      const p1 = await get(`/memberships/${M}/ml-input-channels?maxResults=2`);
      assert.equal(p1.status, 200);
      await assert.rejects(
        get(`/memberships/${M}/ml-input-channels?maxResults=2&nextToken=${encodeURIComponent(p1.json.nextToken)}`),
        /socket hang up|ECONNRESET/,
      );
      await control('PUT', '/_sim/faults', {});
      assertAwsError(await get(`/audience-model/${encodeURIComponent(`${BASE}:audience-model/none`)}`), 404, 'ResourceNotFoundException');
      const stats = (await control('GET', '/_sim/stats')).json.requests;
      assert.deepEqual(stats.ListMLInputChannels, { success: 1, throttled: 1, not_found: 0, access_denied: 0, validation: 0, error: 1 });
      assert.equal(stats.GetAudienceModel.not_found, 1);
    });

    it('malformed answers for one resource of any kind, by id', async () => {
      const [tm] = (
        await put([
          { kind: 'trainedModel', name: 'tm', arn: TM_ARN },
          { kind: 'trainedModel', name: 'other', membershipId: M },
        ])
      ).json.resources;
      const bad = await control('PUT', '/_sim/faults', {
        malformed: { arn: `${TM_ARN}#version=a1a1a1a1-0000-4000-8000-000000000001`, kind: 'badTimestamp' },
      });
      assert.equal(bad.status, 200, 'a versioned id is a valid target');
      assert.equal((await control('PUT', '/_sim/faults', { malformed: { arn: 'arn:aws:s3:::bucket', kind: 'nonJson' } })).status, 400);
      await control('PUT', '/_sim/faults', { malformed: { arn: tm.id, kind: 'missingField', operations: ['get'] } });
      const g = await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.status, undefined);
      assert.equal(g.json.updateTime, undefined);
      assert.equal((await get(`/memberships/${M}/trained-models`)).json.trainedModels.length, 2, 'the List is untouched');
      await control('PUT', '/_sim/faults', { malformed: { arn: tm.id, kind: 'nonJson', operations: ['list'] } });
      const l = await get(`/memberships/${M}/trained-models`);
      assert.equal(l.status, 200);
      assert.match(l.text, /^<html>/);
      const log = (await control('GET', '/_sim/requests')).json.requests;
      assert.equal(log.at(-1).fault, 'malformed:nonJson');
    });
  });

  describe('values AWS may send that the model does not list', () => {
    it('any status, set over the control API, is served by Get and List as given, for every kind', async () => {
      const [tm, , job] = (
        await put([
          { kind: 'trainedModel', name: 'tm', arn: TM_ARN },
          { kind: 'audienceExportJob', name: 'ex', audienceGenerationJobArn: AGJ_ARN },
          { kind: 'audienceGenerationJob', name: 'j', arn: AGJ_ARN },
        ])
      ).json.resources;
      for (const [r, status] of [
        [tm, 'CANCELLED'],
        [job, 'UPDATE_FAILED'],
      ] as const) {
        const set = await control('POST', `/_sim/resources/${encodeURIComponent(r.id)}/status`, { status });
        assert.equal(set.status, 200);
        assert.equal(set.json.status, status);
      }
      now += 1000;
      assert.equal((await get(`/memberships/${M}/trained-models/${encodeURIComponent(TM_ARN)}`)).json.status, 'CANCELLED');
      assert.equal((await get(`/memberships/${M}/trained-models`)).json.trainedModels[0].status, 'CANCELLED');
      assert.equal((await get(`/audience-generation-job/${encodeURIComponent(AGJ_ARN)}`)).json.status, 'UPDATE_FAILED');
      assert.equal((await get('/audience-generation-job')).json.audienceGenerationJobs[0].status, 'UPDATE_FAILED');
    });

    it('numbers outside the documented ranges are taken and served; wrong types and 1e400 are served only as faults, for one item', async () => {
      const ex = (
        await put([
          {
            kind: 'audienceExportJob',
            name: 'big',
            audienceGenerationJobArn: AGJ_ARN,
            audienceSize: { type: 'ABSOLUTE', value: 25_000_000 },
          },
          { kind: 'audienceExportJob', name: 'inf', audienceGenerationJobArn: AGJ_ARN, createTime: '2026-11-28T11:00:00Z' },
          { kind: 'audienceExportJob', name: 'typed', audienceGenerationJobArn: AGJ_ARN, createTime: '2026-11-28T11:30:00Z' },
        ])
      ).json.resources;
      const [job] = sim.putJobs([
        {
          name: 'j',
          arn: AGJ_ARN,
          status: 'ACTIVE',
          metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 25_000_000 }, score: 11 }], recallMetric: 1.5 },
        },
      ]);
      assert.equal(job!['status'], 'ACTIVE');
      // A wrong type is still refused by the control API (it would not be a resource of the model).
      const bad = await put([
        { kind: 'audienceExportJob', name: 'x', audienceGenerationJobArn: AGJ_ARN, audienceSize: { type: 'ABSOLUTE', value: 'many' } },
      ]);
      assert.equal(bad.status, 400);
      assert.match(bad.json.message, /audienceSize\.value is not a finite number/);
      const faults = await control('PUT', '/_sim/faults', {
        malformed: [
          { arn: ex[1].id, kind: 'nonFinite', operations: ['list'] },
          { arn: ex[2].id, kind: 'wrongType', operations: ['list'] },
        ],
      });
      assert.equal(faults.status, 200, JSON.stringify(faults.json));
      const page = await get(`/audience-export-job?audienceGenerationJobArn=${encodeURIComponent(AGJ_ARN)}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /"audienceSize":\{"type":"ABSOLUTE","value":1e400\}/);
      assert.match(page.text, /"audienceSize":\{"type":"ABSOLUTE","value":25000000\}/);
      assert.equal(page.json.audienceExportJobs.find((e: any) => e.name === 'typed').status, 7);
      const g = await get(`/audience-generation-job/${encodeURIComponent(AGJ_ARN)}`);
      assert.equal(g.json.metrics.relevanceMetrics[0].audienceSize.value, 25_000_000);
      await control('PUT', '/_sim/faults', { malformed: { arn: AGJ_ARN, kind: 'nonFinite', operations: ['get'] } });
      assert.match((await get(`/audience-generation-job/${encodeURIComponent(AGJ_ARN)}`)).text, /"score":1e400/);
      // A List summary carries no number: its updateTime is the one written 1e400.
      await control('PUT', '/_sim/faults', { malformed: { arn: AGJ_ARN, kind: 'nonFinite', operations: ['list'] } });
      assert.match((await get('/audience-generation-job')).text, /"updateTime":1e400/);
    });
  });

  describe('scenario timelines', () => {
    const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
    const MS = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const CHURN = `${BASE}:membership/${MS}/trained-model/churn`;

    it('resources move along their timelines on the injected clock', async () => {
      let t = T0;
      const s2 = await startSimulator({
        credentials: CREDS,
        clock: { now: () => t },
        scenario: await loadScenarioFile(fixture('resources.yaml')),
      });
      try {
        const g = (path: string) => signedGet(s2.url, path);
        const model = `/memberships/${MS}/trained-models/${encodeURIComponent(CHURN)}`;
        assert.equal((await g(model)).json.status, 'CREATE_PENDING');
        assert.equal((await g(`/memberships/${MS}/ml-input-channels`)).json.mlInputChannelsList[0].status, 'CREATE_IN_PROGRESS');
        assert.deepEqual((await g('/audience-export-job')).json.audienceExportJobs, [], 'not created yet');
        t = T0 + 60_000;
        const m = (await g(model)).json;
        assert.equal(m.status, 'CREATE_IN_PROGRESS');
        assert.equal(m.updateTime, new Date(T0 + 30_000).toISOString());
        assert.equal(m.createTime, new Date(T0).toISOString());
        assert.equal((await g(`/memberships/${MS}/ml-input-channels`)).json.mlInputChannelsList[0].status, 'ACTIVE');
        assert.equal((await g('/audience-export-job')).json.audienceExportJobs[0].status, 'CREATE_IN_PROGRESS');
        t = T0 + 200_000;
        assert.equal((await g(model)).json.status, 'ACTIVE');
        const jobs = (await g(`/memberships/${MS}/trained-model-inference-jobs?trainedModelArn=${encodeURIComponent(CHURN)}`)).json
          .trainedModelInferenceJobs;
        assert.equal(jobs[0].status, 'CREATE_FAILED');
        const job = await g(`/memberships/${MS}/trained-model-inference-jobs/${encodeURIComponent(jobs[0].trainedModelInferenceJobArn)}`);
        assert.deepEqual(job.json.statusDetails, { statusCode: 'INSUFFICIENT_CAPACITY', message: 'no ml.m5.xlarge capacity' });
        // The control API freezes a timeline: from then on only it moves the resource.
        const moved = s2.setResourceStatus(CHURN, { status: 'DELETE_PENDING' });
        assert.equal(moved?.['status'], 'DELETE_PENDING');
        t = T0 + 900_000;
        assert.equal((await g(model)).json.status, 'DELETE_PENDING');
        assert.equal(s2.resources().length, 4);
      } finally {
        await s2.close();
      }
    });

    it('a bad resource in a scenario is refused at load, naming the step', async () => {
      await assert.rejects(
        loadScenarioFile(fixture('invalid-resource.yaml')),
        /invalid scenario .*invalid-resource\.yaml:\nresources\[0\]\.timeline\[1\]\.status: must be one of CREATE_PENDING/s,
      );
    });
  });
});
