// The simulator's fault additions used by the fault suite (test/faults): connection resets (random
// and mid-pagination), malformed 200 answers per job, and the request log. Through the real client.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { createResourceClient, type ResourceClient, type ResourceListOptions } from '../../src/aws/resource-client.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { KINDS } from '../../src/kinds/index.js';

const CREDS = { accessKeyId: 'AKIDFAULTS', secretAccessKey: 'faults-secret' };
const AGJ = KINDS.audienceGenerationJob;
const arn = (n: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;

async function failure(p: Promise<unknown>): Promise<CleanRoomsMlError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CleanRoomsMlError, String(err));
    return err;
  }
  assert.fail('expected a failure');
}

describe('simulator faults: resets, malformed answers, request log', () => {
  let sim: Simulator;
  let client: ResourceClient;
  const getJob = (a: string) => client.get(AGJ, { arn: a, parents: {} });
  const listJobs = (opts: ResourceListOptions = {}) => client.list(AGJ, AGJ.lists[0]!, {}, opts);
  before(async () => {
    sim = await startSimulator({ credentials: CREDS });
    client = createResourceClient({ region: 'us-east-1', endpoint: sim.url, credentials: async () => CREDS, requestTimeoutMs: 2000 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.putJobs(Array.from({ length: 150 }, (_, i) => ({ name: `job-${i}`, arn: arn(i + 1), status: 'CREATE_IN_PROGRESS' })));
  });

  it('resetListPage resets exactly that page of every pagination; resetRatio resets any call', async () => {
    sim.setFaults({ resetListPage: 2 });
    const first = await listJobs();
    assert.equal(first.items.length, 100);
    const e = await failure(listJobs({ nextToken: first.nextToken! }));
    assert.equal(e.name, 'NetworkError');
    assert.equal(e.retryable, true);
    sim.setFaults({ resetRatio: 1 });
    assert.equal((await failure(getJob(arn(1)))).name, 'NetworkError');
    const log = (await (await fetch(`${sim.url}/_sim/requests`)).json()) as {
      requests: Array<{ op: string; status: number; fault?: string }>;
    };
    // Page 2 went out on page 1's kept-alive connection: a reset there may be a connection the
    // server closed while idle, so the client sent it once more on a fresh one (reset too).
    assert.deepEqual(
      log.requests.map((r) => [r.op, r.status, r.fault]),
      [
        ['ListAudienceGenerationJobs', 200, undefined],
        ['ListAudienceGenerationJobs', 0, 'reset'],
        ['ListAudienceGenerationJobs', 0, 'reset'],
        ['GetAudienceGenerationJob', 0, 'reset'],
      ],
    );
    assert.equal(sim.stats().requests['GetAudienceGenerationJob']!.error, 1);
  });

  it('malformed answers of every kind: the Get is a MalformedResponseError; in a List, only that item is refused unless the page itself breaks', async () => {
    for (const kind of ['missingField', 'badTimestamp', 'wrongType', 'nonFinite', 'nonJson', 'hugeBody'] as const) {
      sim.setFaults({ malformed: { arn: arn(120), kind } });
      const g = await failure(getJob(arn(120)));
      assert.equal(g.name, 'MalformedResponseError', kind);
      assert.equal(g.retryable, false);
      // Page 1 (jobs 1-100) is fine, page 2 holds job 120.
      const p1 = await listJobs();
      if (kind === 'nonJson' || kind === 'hugeBody') {
        assert.equal((await failure(listJobs({ nextToken: p1.nextToken! }))).name, 'MalformedResponseError', kind);
      } else {
        const p2 = await listJobs({ nextToken: p1.nextToken! });
        assert.equal(p2.items.length, 49, `${kind}: the rest of the page is read`);
        assert.deepEqual(
          p2.refused?.map((r) => r.id),
          [arn(120)],
          kind,
        );
      }
      // Other jobs are unaffected.
      assert.equal((await getJob(arn(1))).status, 'CREATE_IN_PROGRESS');
    }
    sim.setFaults({ malformed: [{ arn: arn(1), kind: 'nonJson', operations: ['get'] }] });
    assert.equal((await listJobs()).items.length, 100, 'List untouched when only get is named');
  });

  it('PUT /_sim/faults keeps the documented four-member shape when the other faults are off, lists them when on, and validates them', async () => {
    const put = async (body: unknown) => {
      const r = await fetch(`${sim.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify(body) });
      return { status: r.status, json: (await r.json()) as any };
    };
    assert.deepEqual((await put({ errorRatio: 0.5 })).json.faults, {
      throttleRatio: 0,
      errorRatio: 0.5,
      latencyMs: 0,
      maxRequestsPerSecond: 0,
    });
    const on = await put({ resetRatio: 0.2, malformed: { arn: arn(1), kind: 'hugeBody' } });
    assert.deepEqual(on.json.faults, {
      throttleRatio: 0,
      errorRatio: 0,
      latencyMs: 0,
      maxRequestsPerSecond: 0,
      resetRatio: 0.2,
      malformed: [{ arn: arn(1), kind: 'hugeBody', operations: ['get', 'list'] }],
    });
    const bad = await put({ malformed: { arn: arn(1), kind: 'truncated' } });
    assert.equal(bad.status, 400);
    assert.match(
      bad.json.message,
      /malformed\[0\]\.kind: must be one of missingField, badTimestamp, wrongType, nonFinite, nonJson, hugeBody/,
    );
    for (const maxPageSize of [0, 101, 2.5]) assert.equal((await put({ maxPageSize })).status, 400, `maxPageSize ${maxPageSize}`);
    assert.equal((await put({ resetIdleAfterMs: -1 })).status, 400);
  });

  it('maxPageSize shortens every List page; /_sim/stats counts the connections that carried AWS requests', async () => {
    sim.setFaults({ maxPageSize: 7 });
    const first = await listJobs();
    assert.equal(first.items.length, 7);
    assert.equal((await listJobs({ nextToken: first.nextToken!, maxResults: 3 })).items.length, 3, 'a smaller maxResults still wins');
    let pages = 1;
    for (let t = first.nextToken; t; pages++) t = (await listJobs({ nextToken: t })).nextToken;
    assert.equal(pages, Math.ceil(150 / 7));
    const { connections } = sim.stats();
    assert.ok(connections >= 1 && connections <= 2, `${pages + 1} Lists on ${connections} kept-alive connections`);
    sim.reset();
    assert.equal(sim.stats().connections, 0);
    await getJob(arn(1)).catch(() => undefined);
    assert.equal(sim.stats().connections, 1, 'a connection kept alive across the reset is counted again');
  });
});
