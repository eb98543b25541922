// Job series rendered as text: same samples as the prom-client gauges they replace, label escaping,
// the nonTerminalOnly cardinality option, caching per snapshot and per version, and promtool-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { JobSeriesRenderer } from '../../src/metrics/job-series.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ARN_A, ARN_B, snap } from '../helpers/snapshots.js';

const jobs = new Map([
  [ARN_A, snap({ status: 'ACTIVE', name: 'q"4\\x', metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 }], recallMetric: 0.4 } })],
  [ARN_B, snap({ arn: ARN_B, status: 'CREATE_IN_PROGRESS' })],
]);

test('all: one-hot over every status; nonTerminalOnly: finished jobs keep only their current status', () => {
  const r = new JobSeriesRenderer();
  const all = r.render(jobs, 'all');
  assert.equal(all.split('\n').filter((l) => l.startsWith('cleanroomsml_audience_generation_job_status{')).length, 14);
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="ACTIVE"} 1`));
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="CREATE_FAILED"} 0`));
  assert.ok(all.includes('name="q\\"4\\\\x"'), 'label values escaped');
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_relevance_score{arn="${ARN_A}",audience_size_type="ABSOLUTE",audience_size="1000"} 0.9`));
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_recall_ratio{arn="${ARN_A}"} 0.4`));
  const slim = r.render(jobs, 'nonTerminalOnly');
  const status = slim.split('\n').filter((l) => l.startsWith('cleanroomsml_audience_generation_job_status{'));
  assert.equal(status.length, 8, '7 for the running job + 1 for the finished one');
  assert.ok(status.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="ACTIVE"} 1`));
});

test('the text is cached per version and rebuilt when the version moves', () => {
  const r = new JobSeriesRenderer();
  const m = new Map(jobs);
  const a = r.render(m, 'all', 1);
  m.set(ARN_B, snap({ arn: ARN_B, status: 'ACTIVE' }));
  assert.equal(r.render(m, 'all', 1), a, 'same version: cached');
  assert.ok(r.render(m, 'all', 2).includes(`status{arn="${ARN_B}",status="ACTIVE"} 1`));
});

test('the whole registry output passes promtool check metrics (when promtool is installed)', async (t) => {
  let promtool = true;
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    promtool = false;
  }
  if (!promtool) return t.skip('promtool not installed');
  const registry = new Registry();
  createMetrics(registry, { jobs: () => jobs, pending: () => [], deadLetters: () => [], targetNames: () => ['t'], now: () => Date.now() }, 'test');
  const text = await registry.metrics();
  const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(out.trim(), '');
});
