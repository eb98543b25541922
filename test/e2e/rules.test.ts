// The PrometheusRule's spec passes `promtool check rules`, and `promtool test rules` proves that each alert fires
// on a synthetic bad series and stays silent on a healthy one (the metric names of README "Metrics").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { execFileP, findObject, missingBinaries, renderChart } from './helpers.js';

const RELEASE = 'crml';
const NS = 'monitoring';
const JOB = 'crml-cleanroomsml-monitor';
const RUNBOOK = 'https://github.com/cleanroomsml-monitor/cleanroomsml-monitor/blob/main/docs/runbook.md';
const A = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const B = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
const COLLAB = '5f6e7d8c-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const skip = missingBinaries('promtool');

/** A series line in promtool's notation, with this release's job/namespace/instance labels. */
function s(metric: string, labels: Record<string, string>, values: string) {
  const all = { namespace: NS, job: JOB, instance: '10.0.0.7:9464', pod: `${JOB}-0`, ...labels };
  return { series: `${metric}{${Object.entries(all).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`, values };
}
const base = { namespace: NS, job: JOB };
const statusSeries = (arn: string, current: string, values: string, others = '0x400') =>
  ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_FAILED'].map((st) =>
    s('cleanroomsml_audience_generation_job_status', { arn, status: st }, st === current ? values : others),
  );
const info = (arn: string, name: string) =>
  s('cleanroomsml_audience_generation_job_info', { arn, name, collaboration_id: COLLAB, configured_audience_model_arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m1' }, '1x400');

interface Case { alertname: string; firing: { at: string; labels: Record<string, string>; annotations: Record<string, string> }[]; silentAt: string[] }
interface Group { name: string; series: { series: string; values: string }[]; cases: Case[] }

const GROUPS: Group[] = [
  {
    name: 'job failed: fires for a recent failure, silent for a healthy job',
    series: [
      ...statusSeries(A, 'CREATE_FAILED', '1x400'), info(A, 'seed-a'),
      s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: A }, '60x400'),
      ...statusSeries(B, 'ACTIVE', '1x400'), info(B, 'seed-b'),
      s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: B }, '60x400'),
    ],
    cases: [{
      alertname: 'CleanRoomsMLAudienceJobFailed',
      firing: [{
        at: '5m',
        labels: { ...base, arn: A, status: 'CREATE_FAILED', name: 'seed-a', collaboration_id: COLLAB, severity: 'warning' },
        annotations: {
          summary: 'Clean Rooms ML audience generation job seed-a is CREATE_FAILED',
          description: `Job seed-a (${A}) in collaboration ${COLLAB} ended in CREATE_FAILED. Read its statusDetails with GetAudienceGenerationJob.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlaudiencejobfailed`,
        },
      }],
      silentAt: [],
    }],
  },
  {
    name: 'job failed: an old failure (beyond lookbackSeconds) stays silent',
    series: [
      ...statusSeries(A, 'CREATE_FAILED', '1x2000', '0x2000'), info(A, 'seed-a'),
      s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: A }, '0x2000'),
    ],
    cases: [{ alertname: 'CleanRoomsMLAudienceJobFailed', firing: [], silentAt: ['25h'] }],
  },
  {
    name: 'job stuck: fires past 6h in CREATE_IN_PROGRESS, silent before and for ACTIVE jobs',
    series: [
      ...statusSeries(A, 'CREATE_IN_PROGRESS', '1x400'), info(A, 'seed-a'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: A }, '0x400'),
      ...statusSeries(B, 'ACTIVE', '1x400'), info(B, 'seed-b'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: B }, '0x400'),
    ],
    cases: [{
      alertname: 'CleanRoomsMLAudienceJobStuck',
      firing: [{
        at: '361m',
        labels: { ...base, arn: A, status: 'CREATE_IN_PROGRESS', name: 'seed-a', severity: 'warning' },
        annotations: {
          summary: 'Clean Rooms ML audience generation job seed-a is still CREATE_IN_PROGRESS',
          description: `Job seed-a (${A}) was created 6h 1m 0s ago and is still CREATE_IN_PROGRESS.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlaudiencejobstuck`,
        },
      }],
      silentAt: ['300m'],
    }],
  },
  {
    name: 'monitor down: up == 0 for 5m fires; up == 1 is silent',
    series: [s('up', {}, '1 1 0x20')],
    cases: [{
      alertname: 'CleanRoomsMLMonitorDown',
      firing: [{
        at: '10m',
        labels: { ...base, instance: '10.0.0.7:9464', pod: `${JOB}-0`, severity: 'critical' },
        annotations: {
          summary: 'cleanroomsml-monitor is down or not scraped',
          description: `Prometheus has no successful scrape of cleanroomsml-monitor (${NS}/${JOB}): job transitions are neither exported nor notified.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
        },
      }],
      silentAt: ['1m', '5m'],
    }],
  },
  {
    name: 'monitor down: no target at all (absent) fires',
    series: [s('up', { job: 'something-else' }, '1x20')],
    cases: [{
      alertname: 'CleanRoomsMLMonitorDown',
      firing: [{
        at: '10m',
        labels: { ...base, severity: 'critical' },
        annotations: {
          summary: 'cleanroomsml-monitor is down or not scraped',
          description: `Prometheus has no successful scrape of cleanroomsml-monitor (${NS}/${JOB}): job transitions are neither exported nor notified.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
        },
      }],
      silentAt: [],
    }],
  },
  {
    name: 'sweeps stalled: last success frozen fires; advancing every interval is silent',
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', {}, '0x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', {}, '30x20'),
    ],
    cases: [{
      alertname: 'CleanRoomsMLSweepsStalled',
      firing: [{
        at: '10m',
        labels: { ...base, severity: 'critical' },
        annotations: {
          summary: 'cleanroomsml-monitor has not completed a sweep recently',
          description: `The last successful sweep of ${NS}/${JOB} was 10m 0s ago: job statuses are stale.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlsweepsstalled`,
        },
      }],
      silentAt: ['2m', '7m'],
    }],
  },
  {
    name: 'sweeps stalled: healthy sweeps are silent',
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', {}, '0+60x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', {}, '30x20'),
      s('cleanroomsml_monitor_ready', {}, '1x20'),
      s('cleanroomsml_monitor_config_last_reload_successful', {}, '1x20'),
      s('cleanroomsml_monitor_outbox_oldest_pending_age_seconds', { target: 'ml-team-slack' }, '0x20'),
      s('cleanroomsml_monitor_dead_letters', { target: 'ml-team-slack' }, '0x20'),
      s('cleanroomsml_monitor_notifications_total', { target: 'ml-team-slack', outcome: 'delivered' }, '0+1x20'),
      s('cleanroomsml_monitor_notifications_total', { target: 'ml-team-slack', outcome: 'dead_lettered' }, '0x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'success' }, '0+100x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'throttled' }, '0+1x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'error' }, '0+1x20'),
      s('up', {}, '1x20'),
    ],
    cases: ['CleanRoomsMLSweepsStalled', 'CleanRoomsMLMonitorNotReady', 'CleanRoomsMLConfigReloadFailed', 'CleanRoomsMLOutboxBacklog',
      'CleanRoomsMLNotificationsDeadLettered', 'CleanRoomsMLApiErrorsHigh', 'CleanRoomsMLApiThrottlingHigh', 'CleanRoomsMLMonitorDown']
      .map((alertname) => ({ alertname, firing: [], silentAt: ['19m'] })),
  },
  {
    name: 'not ready for 15m fires',
    series: [s('cleanroomsml_monitor_ready', {}, '0x30')],
    cases: [{
      alertname: 'CleanRoomsMLMonitorNotReady',
      firing: [{
        at: '20m',
        labels: { ...base, severity: 'warning' },
        annotations: {
          summary: 'cleanroomsml-monitor is not ready',
          description: `${NS}/${JOB} reports not ready (/readyz fails): config, state directory or recent sweeps are unhealthy.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlmonitornotready`,
        },
      }],
      silentAt: ['10m'],
    }],
  },
  {
    name: 'API errors and throttling: half the calls failing fires',
    series: [
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'success' }, '0+60x40'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'access_denied' }, '0+30x40'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'ListAudienceGenerationJobs', outcome: 'throttled' }, '0+90x40'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLApiErrorsHigh',
        firing: [{
          at: '30m',
          labels: { ...base, severity: 'warning' },
          annotations: {
            summary: 'Clean Rooms ML API calls are failing',
            description: `16.67% of the Clean Rooms ML API calls of ${NS}/${JOB} end in an error, AccessDenied or ValidationException.`,
            runbook_url: `${RUNBOOK}#cleanroomsmlapierrorshigh`,
          },
        }],
        silentAt: ['5m'],
      },
      {
        alertname: 'CleanRoomsMLApiThrottlingHigh',
        firing: [{
          at: '30m',
          labels: { ...base, severity: 'warning' },
          annotations: {
            summary: 'Clean Rooms ML API calls are throttled',
            description: `50% of the Clean Rooms ML API calls of ${NS}/${JOB} are answered with ThrottlingException.`,
            runbook_url: `${RUNBOOK}#cleanroomsmlapithrottlinghigh`,
          },
        }],
        silentAt: ['10m'],
      },
    ],
  },
  {
    name: 'dead letters: a new dead letter fires; so does a non-empty dead-letter store after a restart',
    series: [
      s('cleanroomsml_monitor_notifications_total', { target: 'ml-team-slack', outcome: 'dead_lettered' }, '0 0 0 1 1 1 1 1 1 1'),
      s('cleanroomsml_monitor_dead_letters', { target: 'audit' }, '0 0 0 0 0 2 2 2 2 2'),
    ],
    cases: [{
      alertname: 'CleanRoomsMLNotificationsDeadLettered',
      firing: ['ml-team-slack', 'audit'].map((target) => ({
        at: '6m',
        labels: { ...base, target, severity: 'warning' },
        annotations: {
          summary: `Notifications to ${target} were dead-lettered`,
          description: `Notifications to target ${target} of ${NS}/${JOB} failed after every retry and were dead-lettered; the people waiting for them were not told.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlnotificationsdeadlettered`,
        },
      })),
      silentAt: ['2m'],
    }],
  },
  {
    name: 'outbox backlog: the oldest pending notification ageing past 15m fires',
    series: [s('cleanroomsml_monitor_outbox_oldest_pending_age_seconds', { target: 'ml-team-slack' }, '0+60x30')],
    cases: [{
      alertname: 'CleanRoomsMLOutboxBacklog',
      firing: [{
        at: '25m',
        labels: { ...base, target: 'ml-team-slack', severity: 'warning' },
        annotations: {
          summary: 'Notifications to ml-team-slack are backing up',
          description: `The oldest pending notification to ml-team-slack of ${NS}/${JOB} has waited 25m 0s.`,
          runbook_url: `${RUNBOOK}#cleanroomsmloutboxbacklog`,
        },
      }],
      silentAt: ['16m'],
    }],
  },
  {
    name: 'config reload failed for 5m fires',
    series: [s('cleanroomsml_monitor_config_last_reload_successful', {}, '1 1 0x20')],
    cases: [{
      alertname: 'CleanRoomsMLConfigReloadFailed',
      firing: [{
        at: '10m',
        labels: { ...base, severity: 'warning' },
        annotations: {
          summary: 'cleanroomsml-monitor rejected its new configuration',
          description: `${NS}/${JOB} failed to reload its config file and keeps running with the previous one; check-config tells which field is wrong.`,
          runbook_url: `${RUNBOOK}#cleanroomsmlconfigreloadfailed`,
        },
      }],
      silentAt: ['4m'],
    }],
  },
];

/** promtool's unit-test file for GROUPS. */
export function promtoolTests(ruleFile: string): string {
  return stringify({
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: GROUPS.map((g) => ({
      name: g.name,
      interval: '1m',
      input_series: g.series,
      alert_rule_test: g.cases.flatMap((c) => {
        const byTime = new Map<string, any[]>();
        for (const f of c.firing) byTime.set(f.at, [...(byTime.get(f.at) ?? []), { exp_labels: f.labels, exp_annotations: f.annotations }]);
        return [
          ...[...byTime].map(([at, exp]) => ({ eval_time: at, alertname: c.alertname, exp_alerts: exp })),
          ...c.silentAt.map((at) => ({ eval_time: at, alertname: c.alertname, exp_alerts: [] })),
        ];
      }),
    })),
  }, { lineWidth: 0 });
}

const dir = mkdtempSync(join(tmpdir(), 'crml-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function writeRules(extra: string[] = []): Promise<{ rules: string; alerts: string[] }> {
  const objs = await renderChart(['--release', RELEASE, '--namespace', NS, '--set', 'prometheusRule.enabled=true', ...extra]);
  const spec = findObject(objs, 'PrometheusRule').spec;
  const rules = join(dir, `rules-${extra.length ? 'variant' : 'default'}.yaml`);
  writeFileSync(rules, stringify(spec, { lineWidth: 0 }));
  const alerts = spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.alert).filter(Boolean);
  return { rules, alerts };
}

describe('alert rules under promtool', { skip }, () => {
  test('promtool check rules accepts the PrometheusRule spec', async () => {
    const { rules } = await writeRules();
    const r = await execFileP('promtool', ['check', 'rules', rules]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  });

  test('every alert has a firing case and a silent case', async () => {
    const { alerts } = await writeRules();
    for (const a of alerts) {
      const cases = GROUPS.flatMap((g) => g.cases).filter((c) => c.alertname === a);
      assert.ok(cases.some((c) => c.firing.length > 0), `${a} has no firing case`);
      assert.ok(cases.some((c) => c.silentAt.length > 0), `${a} has no silent case`);
    }
  });

  test('promtool test rules: each alert fires on a bad series and stays silent on a healthy one', async () => {
    const { rules } = await writeRules();
    const t = join(dir, 'rules.test.yaml');
    writeFileSync(t, promtoolTests(rules));
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  test('the unit tests bite: a changed threshold makes them fail', async () => {
    const { rules } = await writeRules(['--set', 'prometheusRule.rules.jobStuck.thresholdSeconds=99999']);
    const t = join(dir, 'rules-variant.test.yaml');
    writeFileSync(t, promtoolTests(rules));
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.notEqual(r.code ?? 0, 0);
    assert.match(`${r.stdout}${r.stderr}`, /CleanRoomsMLAudienceJobStuck/);
  });

  test('disabled alerts are left out and thresholds reach the expressions', async () => {
    const objs = await renderChart(['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.rules.jobStuck.enabled=false', '--set', 'prometheusRule.rules.outboxBacklog.thresholdSeconds=1234']);
    const rules = findObject(objs, 'PrometheusRule').spec.groups[0].rules;
    assert.ok(!rules.some((r: any) => r.alert === 'CleanRoomsMLAudienceJobStuck'));
    assert.match(rules.find((r: any) => r.alert === 'CleanRoomsMLOutboxBacklog').expr, /> 1234$/);
  });
});
