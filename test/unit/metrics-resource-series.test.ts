// The per-kind series built from the declarations: names, one-hot status and enum results,
// declared labels only, ids for ARN-less kinds, and promtool-clean for every kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ALL_KINDS, KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { ResourceSeriesRenderer } from '../../src/metrics/resource-series.js';
import { oneOfEach, resource, T0 } from '../helpers/resources.js';

const byId = (...all: ResourceSnapshot[]) => new Map(all.map((s) => [s.id, s]));

test('trained model: status one-hot, info with declared labels, timestamps, numbers and one-hot enums', () => {
  const tm = resource(KINDS.trainedModel, {
    status: 'ACTIVE',
    statusSince: T0 + 5000,
    updateTime: T0 + 5000,
    statusDetails: { statusCode: 'X', message: 'free "text"' },
  });
  const text = new ResourceSeriesRenderer().render(byId(tm), 'all');
  const id = tm.id;
  assert.match(text, new RegExp(`cleanroomsml_trained_model_status\\{arn="${id}",status="ACTIVE"\\} 1\\n`));
  assert.match(text, new RegExp(`cleanroomsml_trained_model_status\\{arn="${id}",status="CANCEL_FAILED"\\} 0\\n`));
  assert.equal(text.match(/cleanroomsml_trained_model_status\{/g)!.length, KINDS.trainedModel.statuses.length);
  assert.match(
    text,
    /cleanroomsml_trained_model_info\{arn="[^"]+",name="trained_model-1",membership_id="membership_id-v",collaboration_id="collaboration_id-v",version_identifier="version_identifier-v",/,
  );
  assert.match(text, new RegExp(`cleanroomsml_trained_model_created_timestamp_seconds\\{arn="${id}"\\} ${T0 / 1000}\\n`));
  assert.match(text, new RegExp(`cleanroomsml_trained_model_status_since_timestamp_seconds\\{arn="${id}"\\} ${(T0 + 5000) / 1000}\\n`));
  assert.match(text, new RegExp(`cleanroomsml_trained_model_max_runtime_seconds\\{arn="${id}"\\} 2\\n`));
  assert.match(text, new RegExp(`cleanroomsml_trained_model_metrics_status\\{arn="${id}",value="PUBLISH_SUCCEEDED"\\} 1\\n`));
  assert.match(text, new RegExp(`cleanroomsml_trained_model_metrics_status\\{arn="${id}",value="PUBLISH_FAILED"\\} 0\\n`));
  // Never the failure message: free text is no label.
  assert.doesNotMatch(text, /free/);
  // Only its own kind's samples (the other kinds' families are headers only).
  assert.doesNotMatch(text, /cleanroomsml_ml_input_channel_status\{/);
});

test('unknown status and enum values are exported as given; nonTerminalOnly keeps only the current status at rest', () => {
  const ch = resource(KINDS.mlInputChannel, { status: 'BRAND_NEW', results: { records: [{ labels: {}, value: 10 }] } });
  const r = new ResourceSeriesRenderer();
  const text = r.render(byId(ch), 'all');
  assert.match(text, /cleanroomsml_ml_input_channel_status\{arn="[^"]+",status="BRAND_NEW"\} 1\n/);
  assert.match(text, /cleanroomsml_ml_input_channel_records\{arn="[^"]+"\} 10\n/);
  const failed = resource(KINDS.mlInputChannel, { status: 'CREATE_FAILED' });
  const slim = r.render(byId(failed), 'nonTerminalOnly');
  assert.equal(slim.match(/cleanroomsml_ml_input_channel_status\{/g)!.length, 1);
  const running = r.render(byId(resource(KINDS.mlInputChannel)), 'nonTerminalOnly');
  assert.equal(running.match(/cleanroomsml_ml_input_channel_status\{/g)!.length, KINDS.mlInputChannel.statuses.length);
});

test('ARN-less kinds are labelled with their stable id; labelled numbers carry their declared labels', () => {
  const exp = resource(KINDS.trainedModelExportJob);
  const text = new ResourceSeriesRenderer().render(byId(exp), 'all');
  assert.ok(text.includes(`cleanroomsml_trained_model_export_job_status{arn="${exp.id}",status="CREATE_IN_PROGRESS"} 1\n`));
  const ch = resource(KINDS.mlInputChannel, {
    results: {
      privacy_budget_remaining: [
        { labels: { resource_arn: 'arn:x' }, value: 7 },
        { labels: { resource_arn: 'arn:x' }, value: 8 },
      ],
    },
  });
  const t2 = new ResourceSeriesRenderer().render(byId(ch), 'all');
  // One sample per label set.
  assert.equal(t2.match(/cleanroomsml_ml_input_channel_privacy_budget_remaining\{arn="[^"]+",resource_arn="arn:x"\} 7\n/g)!.length, 1);
  assert.doesNotMatch(t2, / 8\n/);
  // A long list too (keyed rather than compared in place): the first sample of each label set.
  const budgets = Array.from({ length: 40 }, (_, i) => ({ labels: { resource_arn: `arn:r${i % 10}` }, value: i }));
  const t3 = new ResourceSeriesRenderer().render(
    byId(resource(KINDS.mlInputChannel, { results: { privacy_budget_remaining: budgets } })),
    'all',
  );
  const lines = t3.split('\n').filter((l) => l.startsWith('cleanroomsml_ml_input_channel_privacy_budget_remaining{'));
  assert.deepEqual(
    lines.map((l) => l.replace(/^.*resource_arn="([^"]+)"\} (\d+)$/, '$1=$2')),
    Array.from({ length: 10 }, (_, i) => `arn:r${i}=${i}`),
  );
});

test('every kind renders promtool-clean text (when promtool is installed)', (t) => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    return t.skip('promtool not installed');
  }
  const all = oneOfEach();
  const failed = new Map([...all].map(([k, s]) => [k, { ...s, id: `${s.id}-f`, status: 'CREATE_FAILED' }]));
  // Tags as labels too: a key that needs sanitizing, a value with characters to escape.
  const tagged = new Map([...all].map(([k, s]) => [k, { ...s, id: `${s.id}-t`, tags: { team: 'risk "a"\\b', 'cost-center': 'x\ny' } }]));
  const text = new ResourceSeriesRenderer().render(byId(...all.values(), ...failed.values(), ...tagged.values()), 'all', [
    'team',
    'cost-center',
  ]);
  for (const k of ALL_KINDS) assert.ok(text.includes(`cleanroomsml_${k.snake}_status{`), k.kind);
  assert.ok(text.includes('tag_cost_center="x\\ny"'), 'the tag series carries the sanitized key');
  assert.ok(text.startsWith('# HELP cleanroomsml_audience_generation_job_status '), 'no blank line before the first family');
  const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(out.trim(), '');
});

test('_tags: one series per resource, only the keys of tags.keys it carries; outside the tag filters: no series at all', () => {
  const m = resource(KINDS.trainedModel, { tags: { team: 'risk', 'cost-center': 'cc-1', secret: 'nope' } });
  const bare = resource(KINDS.trainedModel, { id: 'x', arn: 'x' });
  const hidden = resource(KINDS.trainedModel, { id: 'h', arn: 'h', tags: { team: 'growth' }, tagFiltered: true });
  const r = new ResourceSeriesRenderer();
  const lines = (keys: string[]) =>
    r
      .render(byId(m, bare, hidden), 'all', keys)
      .split('\n')
      .filter((l) => l.startsWith('cleanroomsml_trained_model_tags{'))
      .sort();
  assert.deepEqual(lines(['team', 'cost-center', 'owner']), [
    `cleanroomsml_trained_model_tags{arn="${m.id}",tag_team="risk",tag_cost_center="cc-1"} 1`,
    'cleanroomsml_trained_model_tags{arn="x"} 1',
  ]);
  // A reload that changes tags.keys re-renders the cached pieces.
  assert.deepEqual(lines([]), [`cleanroomsml_trained_model_tags{arn="${m.id}"} 1`, 'cleanroomsml_trained_model_tags{arn="x"} 1']);
  assert.ok(!r.render(byId(m, bare, hidden), 'all').includes('arn="h"'), 'a resource outside the discovery tag filters has no series');
});

test('monitor series carry the kind: transitions, failures by statusCode, jobs tracked per kind', async () => {
  const { Registry } = await import('prom-client');
  const { createMetrics } = await import('../../src/metrics/metrics.js');
  const registry = new Registry();
  const m = createMetrics(
    registry,
    { resources: () => new Map(), pending: () => [], deadLetters: () => [], targetNames: () => [], now: () => 0 },
    'test',
  );
  m.transition({
    kind: 'trainedModel',
    transition: 'status_changed',
    from: 'CREATE_IN_PROGRESS',
    to: 'CREATE_FAILED',
    statusCode: 'INTERNAL_ERROR',
  });
  m.transition({ kind: 'mlInputChannel', transition: 'status_changed', from: 'CREATE_IN_PROGRESS', to: 'ACTIVE' });
  m.transition({ kind: 'mlInputChannel', transition: 'status_changed', from: 'CREATE_IN_PROGRESS', to: 'DELETE_FAILED' });
  // First sight of a failed resource is old news, not a failure now.
  m.transition({ kind: 'trainedModel', transition: 'first_seen', from: null, to: 'CREATE_FAILED', statusCode: 'X' });
  const text = await registry.metrics();
  assert.match(text, /cleanroomsml_monitor_transitions_total\{kind="trainedModel",from="CREATE_IN_PROGRESS",to="CREATE_FAILED"\} 1/);
  assert.match(text, /cleanroomsml_monitor_transitions_total\{kind="trainedModel",from="none",to="CREATE_FAILED"\} 1/);
  assert.match(text, /cleanroomsml_monitor_failures_total\{kind="trainedModel",status="CREATE_FAILED",status_code="INTERNAL_ERROR"\} 1/);
  assert.match(text, /cleanroomsml_monitor_failures_total\{kind="mlInputChannel",status="DELETE_FAILED",status_code="none"\} 1/);
  assert.equal(text.match(/cleanroomsml_monitor_failures_total\{/g)!.length, 2);
  for (const k of ALL_KINDS) assert.match(text, new RegExp(`cleanroomsml_monitor_resources_tracked\\{kind="${k.kind}"\\} 0`));
});

test('from the resources of every kind: resources tracked per kind (and under the deprecated name), backfill pending, and promtool-clean registry output', async (t) => {
  const { Registry } = await import('prom-client');
  const { createMetrics } = await import('../../src/metrics/metrics.js');
  const all = [...oneOfEach().values()];
  // Known only from a List: counted while a Get can read them in detail (not the kinds without a Get).
  const summaries = [
    resource(KINDS.audienceGenerationJob, { id: 'arn:agj-summary', detail: 'summary' }),
    resource(KINDS.trainedModel, { id: 'arn:tm-summary', detail: 'summary' }),
    resource(KINDS.audienceExportJob, { id: 'export-summary', detail: 'summary' }),
    resource(KINDS.trainedModelExportJob, { id: 'tm-export-summary', detail: 'summary' }),
  ];
  const resources = byId(...all, ...summaries);
  const registry = new Registry();
  createMetrics(
    registry,
    { resources: () => resources, pending: () => [], deadLetters: () => [], targetNames: () => ['t'], now: () => T0 },
    'test',
  );
  const text = await registry.metrics();
  for (const k of ALL_KINDS) {
    const n = [...resources.values()].filter((s) => s.kind === k.kind).length;
    assert.match(text, new RegExp(`cleanroomsml_monitor_resources_tracked\\{kind="${k.kind}"\\} ${n}\\n`), k.kind);
    assert.match(text, new RegExp(`cleanroomsml_monitor_jobs_tracked\\{kind="${k.kind}"\\} ${n}\\n`), `${k.kind}, deprecated name`);
  }
  assert.match(text, /^cleanroomsml_monitor_jobs_backfill_pending 2$/m);
  assert.match(text, /cleanroomsml_monitor_api_requests_total\{operation="GetTrainedModel",outcome="throttled"\} 0/);
  assert.match(text, /cleanroomsml_monitor_api_requests_total\{operation="ListAudienceGenerationJobs",outcome="success"\} 0/);
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    return t.skip('promtool not installed');
  }
  assert.equal(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }).trim(), '');
});
