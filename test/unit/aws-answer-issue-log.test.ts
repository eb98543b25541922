// Values outside the model's ranges and refused List items: every one is counted, each
// (resource, member) is logged once, not on every sweep that reads it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnswerIssue } from '../../src/aws/api.js';
import { createAnswerIssueLog } from '../../src/aws/answer-issue-log.js';

const big = (id: string): AnswerIssue => ({
  type: 'out_of_range',
  operation: 'ListAudienceExportJobs',
  id,
  member: 'audienceSize.value',
  field: 'audienceSize.value',
  problem: 'is 25000000, above its maximum 20000000',
});

test('counts every issue, logs each resource and member once', () => {
  const logged: Array<[Record<string, unknown>, string]> = [];
  const counted: AnswerIssue[] = [];
  const report = createAnswerIssueLog({ warn: (f, m) => logged.push([f, m]), count: (i) => counted.push(i) });
  // Ten sweeps read the same two resources again.
  for (let sweep = 0; sweep < 10; sweep++) {
    report(big('a'));
    report(big('b'));
  }
  report({ ...big('a'), type: 'refused', problem: 'ListAudienceExportJobs.audienceExportJobs[0]: member audienceSize.value is Infinity' });
  report({ ...big('a'), member: 'metrics.relevanceMetrics[3].score', field: 'metrics.relevanceMetrics[].score' });
  report({ ...big('a'), member: 'metrics.relevanceMetrics[4].score', field: 'metrics.relevanceMetrics[].score' });
  assert.equal(counted.length, 23);
  assert.deepEqual(
    logged.map(([f, m]) => [f['id'], f['member'], m.split(':')[0]]),
    [
      ['a', 'audienceSize.value', "value outside the service model's documented range"],
      ['b', 'audienceSize.value', "value outside the service model's documented range"],
      ['a', 'audienceSize.value', 'List item could not be read'],
      ['a', 'metrics.relevanceMetrics[3].score', "value outside the service model's documented range"],
    ],
  );
  assert.deepEqual(logged[0]![0], {
    operation: 'ListAudienceExportJobs',
    id: 'a',
    member: 'audienceSize.value',
    problem: 'is 25000000, above its maximum 20000000',
  });
});

test('without an id, once per operation and member; memory is bounded', () => {
  const logged: string[] = [];
  const report = createAnswerIssueLog({ warn: (f) => logged.push(String(f['id'] ?? f['operation'])), count: () => {}, maxKeys: 3 });
  const token: AnswerIssue = {
    type: 'out_of_range',
    operation: 'ListTrainedModels',
    member: 'nextToken',
    field: 'nextToken',
    problem: 'is long',
  };
  report(token);
  report(token);
  assert.deepEqual(logged, ['ListTrainedModels']);
  for (const id of ['a', 'b', 'c']) report(big(id));
  // The oldest key (the token) was forgotten to make room: it may be logged again, once.
  report(token);
  report(token);
  assert.deepEqual(logged, ['ListTrainedModels', 'a', 'b', 'c', 'ListTrainedModels']);
});
