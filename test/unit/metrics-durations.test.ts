// The duration families with plain values and a fresh registry: the histogram per kind with the
// documented buckets, the usual quantiles only once minSamples phases are known, the count of
// resources slower than usual now (0 for every under-way status with a usual), promtool-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { createDurationMetrics, DURATION_BUCKETS } from '../../src/metrics/duration-metrics.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import type { DurationSettings } from '../../src/kinds/usual.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const MIN = 60_000;
const SETTINGS: DurationSettings = { samples: 100, slowerThanUsual: { factor: 2, minimum: 10 * MIN, minSamples: 3 } };

function setup(samples: Map<string, number[]>, resources: ResourceSnapshot[]) {
  const registry = new Registry();
  const m = createDurationMetrics(registry, {
    resources: () => new Map(resources.map((r) => [r.id, r])),
    durations: () => samples,
    settings: () => SETTINGS,
    now: () => NOW,
  });
  return { registry, m };
}

test('histogram per kind and status left, buckets from a minute to a week', async () => {
  const { registry, m } = setup(new Map(), []);
  m.phase('audienceGenerationJob', 'CREATE_IN_PROGRESS', 7980);
  m.phase('trainedModel', 'CREATE_IN_PROGRESS', 30);
  const text = await registry.metrics();
  assert.deepEqual(DURATION_BUCKETS, [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800]);
  assert.match(text, /^cleanroomsml_audience_generation_job_status_duration_seconds_bucket\{le="7200",status="CREATE_IN_PROGRESS"\} 0$/m);
  assert.match(text, /^cleanroomsml_audience_generation_job_status_duration_seconds_bucket\{le="14400",status="CREATE_IN_PROGRESS"\} 1$/m);
  assert.match(text, /^cleanroomsml_audience_generation_job_status_duration_seconds_sum\{status="CREATE_IN_PROGRESS"\} 7980$/m);
  assert.match(text, /^cleanroomsml_trained_model_status_duration_seconds_count\{status="CREATE_IN_PROGRESS"\} 1$/m);
  assert.doesNotMatch(text, /arn=/, 'never per resource');
});

test('usual quantiles once minSamples are known; slower-than-usual count of resources now', async () => {
  const samples = new Map([
    ['audienceGenerationJob CREATE_IN_PROGRESS', [600, 1200, 1800, 2400]],
    ['audienceGenerationJob CREATE_PENDING', [60, 120]], // below minSamples: no usual
  ]);
  const inProgress = (arn: string, since: number) => ({
    ...job({ arn, status: 'CREATE_IN_PROGRESS', updateTime: since }),
    statusSince: since,
  });
  const { registry } = setup(samples, [
    inProgress(ARN_A, NOW - 81 * MIN), // past 2 x p90 (2 x 40 min)
    inProgress(ARN_B, NOW - 79 * MIN),
    job({ arn: ARN_B.replace(/2$/, '3'), status: 'ACTIVE', updateTime: NOW - 1e9 }),
  ]);
  const text = await registry.metrics();
  assert.match(
    text,
    /^cleanroomsml_audience_generation_job_status_duration_usual_seconds\{status="CREATE_IN_PROGRESS",quantile="0.5"\} 1200$/m,
  );
  assert.match(
    text,
    /^cleanroomsml_audience_generation_job_status_duration_usual_seconds\{status="CREATE_IN_PROGRESS",quantile="0.9"\} 2400$/m,
  );
  assert.match(text, /^# TYPE cleanroomsml_audience_generation_job_status_duration_usual_seconds summary$/m);
  assert.match(text, /^cleanroomsml_audience_generation_job_status_duration_usual_seconds_count\{status="CREATE_IN_PROGRESS"\} 4$/m);
  assert.match(text, /^cleanroomsml_audience_generation_job_status_duration_usual_seconds_sum\{status="CREATE_IN_PROGRESS"\} 6000$/m);
  assert.doesNotMatch(text, /usual_seconds\{status="CREATE_PENDING"/);
  assert.match(text, /^cleanroomsml_monitor_slower_than_usual\{kind="audienceGenerationJob",status="CREATE_IN_PROGRESS"\} 1$/m);
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  }
});
