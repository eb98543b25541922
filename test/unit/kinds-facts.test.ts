// Message facts from the declarations, rendered from plain snapshots with an injected `now`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, messageFacts, messageTables } from '../../src/kinds/facts.js';
import { ALL_KINDS, atRest, DEFAULT_NOTIFY_CLASSES, isKnownStatus, KINDS, STATUS_WORD, statusClass } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';

const T = Date.parse('2026-11-28T12:00:00.000Z');
const snap = (over: Partial<ResourceSnapshot>): ResourceSnapshot => ({
  kind: 'trainedModel',
  id: 'id',
  name: 'n',
  status: 'ACTIVE',
  createTime: T,
  updateTime: T,
  parents: {},
  results: {},
  labels: {},
  detail: 'full',
  view: 'member',
  ...over,
});

describe('messageFacts', () => {
  it('trained model: version, elapsed against max runtime (until now while running), instance, publish status', () => {
    const running = snap({
      status: 'CREATE_IN_PROGRESS',
      versionIdentifier: 'v-1',
      results: { max_runtime_seconds: [{ labels: {}, value: 7200 }], metrics_status: 'PUBLISH_SUCCEEDED' },
      labels: { instance_type: 'ml.m5.xlarge' },
    });
    assert.deepEqual(messageFacts(KINDS.trainedModel, running, T + 5_400_000), [
      { title: 'Version', value: 'v-1' },
      { title: 'Elapsed / max runtime', value: '1h 30m of 2h (75%)' },
      { title: 'Instance type', value: 'ml.m5.xlarge' },
      { title: 'Metrics', value: 'PUBLISH_SUCCEEDED' },
    ]);
    // A finished one is measured until its last update, whatever the time now.
    const done = { ...running, status: 'ACTIVE', updateTime: T + 3_600_000 };
    assert.equal(messageFacts(KINDS.trainedModel, done, T + 86_400_000)[1]!.value, '1h of 2h (50%)');
  });

  it('inference job: model and version; channel: records, size, files', () => {
    const job = snap({ kind: 'trainedModelInferenceJob', parents: { trainedModelArn: 'arn:tm', trainedModelVersionIdentifier: 'v-2' } });
    assert.deepEqual(messageFacts(KINDS.trainedModelInferenceJob, job, T), [
      { title: 'Trained model', value: 'arn:tm' },
      { title: 'Model version', value: 'v-2' },
    ]);
    const ch = snap({
      kind: 'mlInputChannel',
      results: { records: [{ labels: {}, value: 1_234_567 }], size_bytes: [{ labels: {}, value: 2.5 }] },
    });
    assert.deepEqual(messageFacts(KINDS.mlInputChannel, ch, T), [
      { title: 'Records', value: '1,234,567' },
      { title: 'Size', value: '2.5 GB' },
    ]);
  });

  it('audience generation job: collaboration and account as code, model, recall as a score, who started it', () => {
    const job = snap({
      kind: 'audienceGenerationJob',
      parents: { collaborationId: 'c-1', configuredAudienceModelArn: 'arn:cam' },
      results: { recall_ratio: [{ labels: {}, value: 0.42 }] },
      attributes: { startedBy: '111122223333', includeSeedInOutput: true },
    });
    assert.deepEqual(messageFacts(KINDS.audienceGenerationJob, job, T), [
      { title: 'Collaboration', value: 'c-1', code: true },
      { title: 'Configured audience model', value: 'arn:cam', code: true },
      { title: 'Recall', value: '0.420' },
      { title: 'Started by', value: '111122223333', code: true },
    ]);
  });

  it('tables: one row per item with its unit; a unit value from the answer is never a property lookup', () => {
    const job = snap({
      kind: 'audienceGenerationJob',
      results: {
        relevance_score: [
          { labels: { audience_size_type: 'ABSOLUTE', audience_size: '2500000' }, value: 0.91234 },
          { labels: { audience_size_type: 'PERCENTAGE', audience_size: '20' }, value: 1 },
          { labels: { audience_size_type: 'constructor', audience_size: '3' }, value: 0.5 },
        ],
      },
    });
    assert.deepEqual(messageTables(KINDS.audienceGenerationJob, job), [
      {
        title: 'Relevance by audience size',
        rowTitle: 'Audience size',
        valueTitle: 'Score',
        rows: [
          ['2,500,000', '0.912'],
          ['20 %', '1'],
          ['3 constructor', '0.500'],
        ],
      },
    ]);
    assert.deepEqual(messageTables(KINDS.audienceGenerationJob, snap({ kind: 'audienceGenerationJob' })), []);
    assert.deepEqual(messageTables(KINDS.mlInputChannel, snap({ kind: 'mlInputChannel' })), []);
  });

  it('states nothing it was not told', () => {
    assert.deepEqual(messageFacts(KINDS.mlInputChannel, snap({ kind: 'mlInputChannel' }), T), []);
  });

  it('formatDuration', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(59), '59s');
    assert.equal(formatDuration(90_061), '1d 1h 1m 1s');
    assert.equal(formatDuration(2_419_200), '28d');
  });
});

describe('status classes', () => {
  it('classify the model values and any value AWS adds by its shape', () => {
    assert.equal(statusClass('CANCEL_FAILED'), 'failure');
    assert.equal(statusClass('INACTIVE'), 'other');
    assert.equal(statusClass('DELETE_IN_PROGRESS'), 'inProgress');
    // Values no kind's model lists: the same grammar.
    assert.equal(statusClass('SOMETHING_FAILED'), 'failure');
    assert.equal(statusClass('FAILED'), 'failure');
    assert.equal(statusClass('UPDATE_IN_PROGRESS'), 'inProgress');
    assert.equal(statusClass('UPDATE_PENDING'), 'inProgress');
    assert.equal(statusClass('CANCELLED'), 'other');
    assert.equal(statusClass('SOMETHING_NEW'), 'other');
    assert.equal(statusClass('toString'), 'other');
    // A shape is a whole suffix: these are at rest, not failures or work.
    assert.equal(statusClass('FAILED_OVER'), 'other');
    assert.equal(statusClass('UNFAILED'), 'other');
    assert.equal(statusClass('ACTIVE_PENDINGS'), 'other');
    assert.equal(statusClass('active'), 'other');
  });

  it('at rest is every class but inProgress, known or not', () => {
    for (const s of ['ACTIVE', 'CREATE_FAILED', 'INACTIVE', 'CANCELLED', 'SOMETHING_FAILED', 'ARCHIVED']) assert.equal(atRest(s), true, s);
    for (const s of ['CREATE_PENDING', 'DELETE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'RESTORE_PENDING']) assert.equal(atRest(s), false, s);
  });

  it('notify by default on the success and failure classes', () => {
    assert.deepEqual(DEFAULT_NOTIFY_CLASSES, ['success', 'failure']);
  });

  it('the model lists only statuses of the status-word shape, and knows which it lists', () => {
    for (const k of ALL_KINDS) for (const s of k.statuses) assert.match(s, STATUS_WORD);
    assert.equal(isKnownStatus('CANCEL_FAILED'), true);
    assert.equal(isKnownStatus('CANCELLED'), false);
    assert.equal(isKnownStatus('VANISHED'), false);
  });
});
