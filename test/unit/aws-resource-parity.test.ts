// While the audience generation job client of the first releases still exists: the generic
// deserializer gives, for the same answers, the snapshot that client gave (as state/legacy-job.ts
// converts its record) and the same Get shape byte for byte (webhook `data.job`, `once --json`).
// Goes away with src/aws/{client,deserialize,snapshot,types}.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserializeGetJob, deserializeListJobs } from '../../src/aws/deserialize.js';
import { deserializeResourceGet, deserializeResourceList } from '../../src/aws/resource-deserialize.js';
import { resourceToWire } from '../../src/aws/resource-wire.js';
import { jobToWire, snapshotFromJob, snapshotFromSummary } from '../../src/aws/snapshot.js';
import { KINDS } from '../../src/kinds/index.js';
import { resourceFromJob } from '../../src/state/legacy-job.js';

const AGJ = KINDS.audienceGenerationJob;
const GET = AGJ.get.member!;
const LIST = AGJ.lists[0]!;
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/job-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const WIRE = {
  createTime: '2026-11-28T12:00:00.000Z',
  updateTime: '2026-11-28T12:05:30.250Z',
  audienceGenerationJobArn: ARN,
  name: 'lookalike',
  description: 'd',
  status: 'ACTIVE',
  statusDetails: { statusCode: 'OK', message: 'done' },
  configuredAudienceModelArn: MODEL,
  seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/r', sqlParameters: { queryString: 'SELECT secret FROM t' } },
  includeSeedInOutput: false,
  collaborationId: COLLAB,
  metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 4.2 }], recallMetric: 0.42 },
  startedBy: '123456789012',
  tags: { team: 'ml' },
  protectedQueryIdentifier: 'pq-1',
  someFutureMember: 1,
};
const MINIMAL = {
  createTime: '2026-11-28T12:00:00Z',
  updateTime: '2026-11-28T14:00:00+02:00',
  audienceGenerationJobArn: ARN,
  name: 'n',
  status: 'CREATE_IN_PROGRESS',
  configuredAudienceModelArn: MODEL,
};
describe('the generic deserializer and the first job client agree', () => {
  it('gives the snapshot and the Get shape the first client gave, byte for byte', () => {
    const bodies: unknown[] = [
      WIRE,
      MINIMAL,
      { ...MINIMAL, statusDetails: { message: 'only a message' }, description: null, collaborationId: null },
      { ...MINIMAL, status: 'ARCHIVED', metrics: { relevanceMetrics: [], recallMetric: 0 } },
      {
        ...WIRE,
        metrics: {
          relevanceMetrics: [
            { audienceSize: { type: 'ABSOLUTE', value: 1 }, score: 0 },
            { audienceSize: { type: 'PERCENTAGE', value: 20 }, score: 10 },
          ],
        },
      },
      {
        ...WIRE,
        name: 'x'.repeat(5000),
        description: 'y'.repeat(5000),
        statusDetails: { statusCode: 'C'.repeat(900), message: 'z'.repeat(5000) },
      },
      { ...MINIMAL, createTime: '2026-11-28T12:00:00.123456Z', updateTime: '2026-11-28t12:00:00.5z' },
    ];
    for (const b of bodies) {
      const text = JSON.stringify(b);
      const old = snapshotFromJob(deserializeGetJob(text));
      const now = deserializeResourceGet(AGJ, GET, text);
      const legacy = resourceFromJob(old);
      // An empty relevanceMetrics list stays an empty result (the Get shape requires the member).
      if (
        Array.isArray(now.results['relevance_score']) &&
        (now.results['relevance_score'] as unknown[]).length === 0 &&
        legacy.results['relevance_score'] === undefined
      )
        legacy.results['relevance_score'] = [];
      assert.deepEqual(now, legacy, text.slice(0, 120));
      assert.equal(JSON.stringify(resourceToWire(AGJ, now)), JSON.stringify(jobToWire(old)), text.slice(0, 120));
    }
  });

  it('on List summaries too', () => {
    const text = JSON.stringify({
      audienceGenerationJobs: [
        MINIMAL,
        { ...MINIMAL, audienceGenerationJobArn: `${ARN}-2`, description: 'd', collaborationId: COLLAB, startedBy: '123456789012' },
      ],
      nextToken: 'tok',
    });
    const old = deserializeListJobs(text);
    const now = deserializeResourceList(AGJ, LIST, text);
    assert.equal(now.nextToken, old.nextToken);
    assert.deepEqual(
      now.items,
      old.audienceGenerationJobs.map((j) => resourceFromJob(snapshotFromSummary(j))),
    );
  });
});
