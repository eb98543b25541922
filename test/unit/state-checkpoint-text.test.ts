// The checkpoint is written in chunks: joined, they must be exactly JSON.stringify's text, and no
// chunk may hold much more than the chunk size (else the point, no whole-text spike, is lost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyItem } from '../../src/kinds/history.js';
import { checkpointChunks, type Checkpoint } from '../../src/state/checkpoint-text.js';
import type { OutboxEntry } from '../../src/state/types.js';
import { ARN_A, ARN_B, job, snap } from '../helpers/snapshots.js';
import { resourceEventFromJobEvent } from '../../src/state/legacy-job.js';

const entry = (id: string): OutboxEntry => ({
  id,
  target: 'slack "ops"',
  event: resourceEventFromJobEvent({
    type: 'audience_generation_job.status_changed',
    transition: 'status_changed',
    arn: ARN_A,
    name: 'n',
    previousStatus: 'CREATE_IN_PROGRESS',
    status: 'ACTIVE',
    updateTime: 1,
    observedAt: 2,
    job: snap({ status: 'ACTIVE' }),
  }),
  createdAt: 5,
  attempts: 2,
  nextAttemptAt: 7,
  lastError: 'HTTP 503\nretry',
});

function cp(jobCount: number): Checkpoint {
  const resources = Array.from({ length: jobCount }, (_, i) =>
    job({
      arn: `${ARN_B.slice(0, -4)}${String(i).padStart(4, '0')}`,
      name: `job ${i} ✓ "q"\\`,
      status: i % 3 ? 'ACTIVE' : 'CREATE_IN_PROGRESS',
      metrics:
        i % 2
          ? { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 + i }, score: i / 7 }], recallMetric: 0.25 }
          : undefined,
    }),
  );
  return {
    version: 3,
    seq: 42,
    resources,
    outbox: [entry('evt_1'), entry('evt_2')],
    deadLetters: [{ ...entry('evt_0'), deadAt: 9, reason: 'gone' }],
    history: resources.map((r, i) =>
      historyItem(r.id, [
        { status: 'CREATE_IN_PROGRESS', startedAt: i, seenAt: i + 1, firstSight: true as const },
        { status: 'CREATE_FAILED', startedAt: i + 5, seenAt: i + 6, statusCode: 'E"1', message: 'why ✓\n' },
      ]),
    ),
    durations: [{ kind: 'trainedModel', status: 'CREATE_IN_PROGRESS', seconds: [1.5, 60, 3600] }],
  };
}

test('joined chunks equal JSON.stringify, for empty, small and chunked checkpoints', () => {
  for (const c of [{ version: 3, seq: 0, resources: [], outbox: [], deadLetters: [], history: [], durations: [] }, cp(1), cp(3), cp(200)]) {
    for (const size of [1, 50, 64 * 1024]) {
      const text = [...checkpointChunks(c, size)].join('');
      assert.equal(text, JSON.stringify(c), `resources ${c.resources.length}, chunk ${size}`);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(c)));
    }
  }
});

test('a big checkpoint comes in many chunks, none much over the chunk size', () => {
  const c = cp(2000);
  const whole = JSON.stringify(c).length;
  const chunks = [...checkpointChunks(c, 4096)];
  const longestItem = Math.max(...c.resources.map((j) => JSON.stringify(j).length));
  assert.ok(chunks.length > whole / 4096 / 2, `${chunks.length} chunks for ${whole} chars`);
  for (const ch of chunks) assert.ok(ch.length < 4096 + longestItem + 64, `chunk of ${ch.length} chars`);
});
