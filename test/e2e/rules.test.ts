// The PrometheusRule's spec passes `promtool check rules`, and `promtool test rules` proves that each alert fires
// on a synthetic bad series and stays silent on a healthy one, per pod when shards run (one bad shard fires on
// its own), keeping `cluster` where it exists. Also: the dashboard's queries parse and compute what their
// titles say, and the Alertmanager example renders the Slack text it claims (amtool template render).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { ALL_KINDS, KINDS, type KindName, statusClass } from '../../src/kinds/index.js';
import { CHART, ROOT, execFileP, findObject, missingBinaries, NO_RENDERER, renderChart } from './helpers.js';

const RELEASE = 'crml';
const NS = 'monitoring';
const JOB = 'crml-cleanroomsml-monitor';
const RUNBOOK = 'https://github.com/cleanroomsml-monitor/cleanroomsml-monitor/blob/main/docs/runbook.md';
const A = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const B = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
const COLLAB = '5f6e7d8c-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const skip = missingBinaries('promtool');
const POD = `${JOB}-0`;
const POD1 = `${JOB}-1`;
/** Pod 1 of a sharded release: its own pod and instance labels. */
const pod1 = { pod: POD1, instance: '10.0.0.8:9464' };

/** A series line in promtool's notation, with this release's job/namespace/instance labels. */
function s(metric: string, labels: Record<string, string>, values: string) {
  const all = { namespace: NS, job: JOB, instance: '10.0.0.7:9464', pod: POD, ...labels };
  return {
    series: `${metric}{${Object.entries(all)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`,
    values,
  };
}
const base = { namespace: NS, job: JOB };
const onPod = { ...base, pod: POD };
/**
 * The status of a job as the monitor exports it by default (metrics.statusSeries: nonTerminalOnly): under way,
 * the one-hot over the model's values, then a value it does not list (as given); at rest, the current status alone.
 */
const statusSeries = (arn: string, current: string, values: string, others = '0x400') =>
  [...KINDS.audienceGenerationJob.statuses, ...(KINDS.audienceGenerationJob.statuses.includes(current) ? [] : [current])]
    .filter((st) => st === current || statusClass(current) === 'inProgress')
    .map((st) => s('cleanroomsml_audience_generation_job_status', { arn, status: st }, st === current ? values : others));
/** Every status of the model, and values it does not list (new ones AWS may add, or of no known shape). */
const STATUS_SAMPLES = [
  ...new Set([
    ...ALL_KINDS.flatMap((k) => k.statuses),
    'FAILED',
    'PENDING',
    'IN_PROGRESS',
    'UPDATE_FAILED',
    'UPDATE_PENDING',
    'UPDATE_IN_PROGRESS',
    'CANCELLED',
    'ARCHIVED',
    'FAILED_OVER',
    'PENDING_DELETION',
  ]),
];
/**
 * Whether some selector of `expr` that matches on `status` selects this status: every `status=~` of the
 * selector matches and no `status!~` does (Prometheus anchors both ends; RE2 reads these regexes like JS).
 */
function statusMatched(expr: string, status: string): boolean {
  return [...expr.matchAll(/\{[^{}]*\}/g)].some(([sel]) => {
    const eq = [...sel.matchAll(/status=~"([^"]+)"/g)].map((m) => new RegExp(`^(?:${m[1]})$`));
    const ne = [...sel.matchAll(/status!~"([^"]+)"/g)].map((m) => new RegExp(`^(?:${m[1]})$`));
    return eq.length > 0 && eq.every((re) => re.test(status)) && !ne.some((re) => re.test(status));
  });
}
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m1';
/** `scope` label values as the monitor writes them: c=<collaborationId>|m=<configuredAudienceModelArn>. */
const SCOPE_C = `c=${COLLAB}|m=`;
const SCOPE_M = `c=|m=${MODEL}`;
const info = (arn: string, name: string, values = '1x400') =>
  s(
    'cleanroomsml_audience_generation_job_info',
    {
      arn,
      name,
      collaboration_id: COLLAB,
      configured_audience_model_arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m1',
    },
    values,
  );

// ---- the other kinds: one-hot status over the kind's declared statuses, info, status start ----
const MEMBERSHIP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TM = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model/churn`;
const ids: Record<Exclude<KindName, 'audienceGenerationJob'>, string> = {
  audienceModel: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-model/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  audienceExportJob: `${A}#export=seed-export@2026-11-29T00:00:00.000Z`,
  trainedModel: TM,
  trainedModelInferenceJob: `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model-inference-job/score-1`,
  trainedModelExportJob: `${TM}#export=to-s3@2026-11-29T00:00:00.000Z`,
  mlInputChannel: `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/ml-input-channel/events`,
};
/** The alert name part of a kind (CleanRoomsML<part>Stuck / Failed). */
const alertPart = (k: KindName) => (k === 'mlInputChannel' ? 'MLInputChannel' : k[0]!.toUpperCase() + k.slice(1));
/** One resource of a kind: its status one-hot over every status the kind declares, its info and status start. */
function resource(
  kind: KindName,
  id: string,
  name: string,
  current: string,
  since: number,
  len = 1600,
  infoLabels: Record<string, string> = {},
) {
  const snake = KINDS[kind].snake;
  // A status the model does not list is exported after the others, as given (src/metrics/resource-families.ts).
  const statuses = [...KINDS[kind].statuses, ...(KINDS[kind].statuses.includes(current) ? [] : [current])];
  return [
    ...statuses.map((st) => s(`cleanroomsml_${snake}_status`, { arn: id, status: st }, `${st === current ? 1 : 0}x${len}`)),
    s(`cleanroomsml_${snake}_info`, { arn: id, name, ...infoLabels }, `1x${len}`),
    s(`cleanroomsml_${snake}_created_timestamp_seconds`, { arn: id }, `0x${len}`),
    s(`cleanroomsml_${snake}_status_since_timestamp_seconds`, { arn: id }, `${since}x${len}`),
  ];
}
const STUCK_DEFAULTS: [Exclude<KindName, 'audienceGenerationJob' | 'trainedModel'>, string, number][] = [
  ['audienceModel', 'audience model', 93600],
  ['audienceExportJob', 'audience export job', 21600],
  ['trainedModelInferenceJob', 'trained model inference job', 43200],
  ['trainedModelExportJob', 'trained model export job', 21600],
  ['mlInputChannel', 'ML input channel', 21600],
];
/** Prometheus' humanizeDuration of a whole number of minutes. */
const humanMinutes = (min: number) => {
  const [d, h, m] = [Math.floor(min / 1440), Math.floor((min % 1440) / 60), min % 60];
  return d > 0 ? `${d}d ${h}h ${m}m 0s` : h > 0 ? `${h}h ${m}m 0s` : `${m}m 0s`;
};
const FAILURE_TITLES: Record<Exclude<KindName, 'audienceGenerationJob'>, string> = {
  audienceModel: 'audience model',
  audienceExportJob: 'audience export job',
  trainedModel: 'trained model',
  trainedModelInferenceJob: 'trained model inference job',
  trainedModelExportJob: 'trained model export job',
  mlInputChannel: 'ML input channel',
};
const failureAlert = (
  kind: Exclude<KindName, 'audienceGenerationJob'>,
  at: string,
  status: string,
  code: string,
  n: number,
  extra: Record<string, string> = {},
) => ({
  at,
  labels: { ...base, ...extra, kind, status, status_code: code, severity: 'warning' },
  annotations: {
    summary: `Clean Rooms ML ${FAILURE_TITLES[kind]}(s) failed: ${status} (${code})`,
    description: `${n} ${FAILURE_TITLES[kind]}(s) watched by ${NS}/${JOB} entered ${status} with status code ${code} in the last 24h. Which ones: cleanroomsml_${KINDS[kind].snake}_status{status="${status}"} == 1, or the notification with the statusDetails message.`,
    runbook_url: `${RUNBOOK}#cleanroomsml${alertPart(kind).toLowerCase()}failed`,
  },
});

/** Stuck (per kind, at its default threshold) and failure (per kind and statusCode) alerts of the kinds besides audience generation jobs. */
const KIND_GROUPS: Group[] = [
  ...STUCK_DEFAULTS.map(([kind, title, threshold]): Group => {
    const min = threshold / 60;
    const id = ids[kind];
    const statuses = KINDS[kind].statuses;
    // the first pending status; a second resource sits in the kind's last in-progress status, entered 30 min later;
    // a third in a status under way the model does not list yet, a fourth in a new status at rest
    const pending = statuses.find((st) => statusClass(st) === 'inProgress')!;
    const lastInProgress = statuses.filter((st) => statusClass(st) === 'inProgress').at(-1)!;
    const len = min + 60;
    return {
      name: `${kind} stuck: fires past ${threshold}s in its current status (measured from the status start, not creation); finished ones are silent`,
      series: [
        ...resource(kind, id, 'slow', pending, 0, len),
        ...resource(kind, `${id}-2`, 'late', lastInProgress, 1800, len),
        ...resource(kind, `${id}-3`, 'done', 'ACTIVE', 0, len),
        ...resource(kind, `${id}-4`, 'updating', 'UPDATE_IN_PROGRESS', 1800, len),
        ...resource(kind, `${id}-5`, 'cancelled', 'CANCELLED', 0, len),
      ],
      cases: [
        {
          alertname: `CleanRoomsML${alertPart(kind)}Stuck`,
          firing: [
            { at: `${min + 1}m`, name: 'slow', id, status: pending, elapsed: min + 1 },
            { at: `${min + 31}m`, name: 'slow', id, status: pending, elapsed: min + 31 },
            { at: `${min + 31}m`, name: 'late', id: `${id}-2`, status: lastInProgress, elapsed: min + 1 },
            { at: `${min + 31}m`, name: 'updating', id: `${id}-4`, status: 'UPDATE_IN_PROGRESS', elapsed: min + 1 },
          ].map((f) => ({
            at: f.at,
            labels: { ...base, arn: f.id, status: f.status, name: f.name, kind, severity: 'warning' },
            annotations: {
              summary: `Clean Rooms ML ${title} ${f.name} is still ${f.status}`,
              description: `The ${title} ${f.name} (${f.id}) has been ${f.status} for ${humanMinutes(f.elapsed)} (threshold ${threshold}s).`,
              runbook_url: `${RUNBOOK}#cleanroomsml${alertPart(kind).toLowerCase()}stuck`,
            },
          })),
          // "late" was created at 0 like "slow": at min + 1 it is past the threshold since creation, not since its status began
          silentAt: [`${min - 1}m`],
        },
      ],
    };
  }),
  {
    name: 'trained model stuck: past its max runtime plus the margin; without a known max runtime past the fallback; a long max runtime stays silent; delete/cancel past thresholdSeconds',
    series: [
      // max runtime 2 h: stuck after 2 h + 1 h margin
      ...resource('trainedModel', TM, 'churn', 'CREATE_IN_PROGRESS', 0, 1600, { version_identifier: '' }),
      s('cleanroomsml_trained_model_max_runtime_seconds', { arn: TM }, '7200x1600'),
      // a version whose Get has not been read: no max runtime, the 25 h fallback
      ...resource('trainedModel', `${TM}#version=v2`, 'churn', 'CREATE_PENDING', 0, 1600, { version_identifier: 'v2' }),
      // 28 days of max runtime: long past the fallback, still within its own limit
      ...resource('trainedModel', `${TM}#version=v3`, 'churn', 'CREATE_IN_PROGRESS', 0, 1600, { version_identifier: 'v3' }),
      s('cleanroomsml_trained_model_max_runtime_seconds', { arn: `${TM}#version=v3` }, '2419200x1600'),
      // cancel under way since 0: 6 h
      ...resource('trainedModel', `${TM}#version=v4`, 'churn', 'CANCEL_IN_PROGRESS', 0, 1600, { version_identifier: 'v4' }),
      s('cleanroomsml_trained_model_max_runtime_seconds', { arn: `${TM}#version=v4` }, '86400x1600'),
      // finished
      ...resource('trainedModel', `${TM}#version=v5`, 'churn', 'ACTIVE', 0, 1600, { version_identifier: 'v5' }),
      s('cleanroomsml_trained_model_max_runtime_seconds', { arn: `${TM}#version=v5` }, '60x1600'),
      // a status under way the model does not list yet, since 0: the thresholdSeconds branch (6 h)
      ...resource('trainedModel', `${TM}#version=v6`, 'churn', 'UPDATE_IN_PROGRESS', 0, 1600, { version_identifier: 'v6' }),
      // a new status at rest: silent
      ...resource('trainedModel', `${TM}#version=v7`, 'churn', 'CANCELLED', 0, 1600, { version_identifier: 'v7' }),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLTrainedModelStuck',
        firing: (
          [
            ['181m', TM, '', 'CREATE_IN_PROGRESS', '3h 1m 0s'],
            ['361m', TM, '', 'CREATE_IN_PROGRESS', '6h 1m 0s'],
            ['361m', `${TM}#version=v4`, 'v4', 'CANCEL_IN_PROGRESS', '6h 1m 0s'],
            ['361m', `${TM}#version=v6`, 'v6', 'UPDATE_IN_PROGRESS', '6h 1m 0s'],
            ['1501m', TM, '', 'CREATE_IN_PROGRESS', '1d 1h 1m 0s'],
            ['1501m', `${TM}#version=v2`, 'v2', 'CREATE_PENDING', '1d 1h 1m 0s'],
            ['1501m', `${TM}#version=v4`, 'v4', 'CANCEL_IN_PROGRESS', '1d 1h 1m 0s'],
            ['1501m', `${TM}#version=v6`, 'v6', 'UPDATE_IN_PROGRESS', '1d 1h 1m 0s'],
          ] as const
        ).map(([at, arn, version, status, elapsed]) => ({
          at,
          labels: {
            ...base,
            arn,
            status,
            name: 'churn',
            kind: 'trainedModel',
            severity: 'warning',
            ...(version ? { version_identifier: version } : {}),
          },
          annotations: {
            summary: `Clean Rooms ML trained model churn is still ${status}`,
            description: `Trained model churn${version ? ` version ${version}` : ''} (${arn}) has been ${status} for ${elapsed}: CREATE_* past its max runtime plus 3600s (90000s when the max runtime is not known), other statuses past 21600s.`,
            runbook_url: `${RUNBOOK}#cleanroomsmltrainedmodelstuck`,
          },
        })),
        silentAt: ['179m'],
      },
    ],
  },
  {
    name: 'failures: a trained model failure with a statusCode fires by kind, status and code (a counter born at its first failure too); other kinds fire on their own',
    series: [
      // born at 10 min with its first failure (no earlier sample for increase() to see)
      s(
        'cleanroomsml_monitor_failures_total',
        { kind: 'trainedModel', status: 'CREATE_FAILED', status_code: 'INSUFFICIENT_CAPACITY' },
        '_x10 1x60',
      ),
      // on another shard, existing since start, counting one failure at 30 min
      s(
        'cleanroomsml_monitor_failures_total',
        { kind: 'trainedModel', status: 'CANCEL_FAILED', status_code: 'none', ...pod1 },
        '0x30 1x40',
      ),
      ...(['audienceModel', 'audienceExportJob', 'trainedModelInferenceJob', 'trainedModelExportJob', 'mlInputChannel'] as const).map(
        (kind) => s('cleanroomsml_monitor_failures_total', { kind, status: 'CREATE_FAILED', status_code: 'ACCESS_DENIED' }, '_x40 1x30'),
      ),
      // a failure status the model does not list yet, counted by the monitor's class (src/kinds/statuses.ts)
      s('cleanroomsml_monitor_failures_total', { kind: 'trainedModel', status: 'SOMETHING_FAILED', status_code: 'none' }, '_x50 1x20'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLTrainedModelFailed',
        firing: [
          failureAlert('trainedModel', '15m', 'CREATE_FAILED', 'INSUFFICIENT_CAPACITY', 1),
          failureAlert('trainedModel', '45m', 'CREATE_FAILED', 'INSUFFICIENT_CAPACITY', 1),
          failureAlert('trainedModel', '45m', 'CANCEL_FAILED', 'none', 1),
          failureAlert('trainedModel', '55m', 'CREATE_FAILED', 'INSUFFICIENT_CAPACITY', 1),
          failureAlert('trainedModel', '55m', 'CANCEL_FAILED', 'none', 1),
          failureAlert('trainedModel', '55m', 'SOMETHING_FAILED', 'none', 1),
        ],
        silentAt: ['5m'],
      },
      ...(['audienceModel', 'audienceExportJob', 'trainedModelInferenceJob', 'trainedModelExportJob', 'mlInputChannel'] as const).map(
        (kind) => ({
          alertname: `CleanRoomsML${alertPart(kind)}Failed`,
          firing: [failureAlert(kind, '45m', 'CREATE_FAILED', 'ACCESS_DENIED', 1)],
          silentAt: ['35m'],
        }),
      ),
    ],
  },
  {
    name: 'failures: a failure older than the window stays silent',
    series: [s('cleanroomsml_monitor_failures_total', { kind: 'mlInputChannel', status: 'DELETE_FAILED', status_code: 'none' }, '1x1600')],
    cases: [
      {
        alertname: 'CleanRoomsMLMLInputChannelFailed',
        firing: [failureAlert('mlInputChannel', '60m', 'DELETE_FAILED', 'none', 1)],
        silentAt: ['1445m', '1500m'],
      },
    ],
  },
];

interface Case {
  alertname: string;
  firing: { at: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  silentAt: string[];
}
interface Group {
  name: string;
  series: { series: string; values: string }[];
  cases: Case[];
}

const GROUPS: Group[] = [
  // A failure the model lists, and one it does not list yet: the rule matches the failure class by shape.
  ...(
    [
      ['CREATE_FAILED', 'ACTIVE', 'job failed: fires for a recent failure, silent for a healthy job'],
      [
        'UPDATE_FAILED',
        'CANCELLED',
        'job failed: a failure status the model does not list yet (UPDATE_FAILED) fires like a known one; a new status at rest is silent',
      ],
    ] as const
  ).map(
    ([failed, healthy, name]): Group => ({
      name,
      series: [
        ...statusSeries(A, failed, '1x400'),
        info(A, 'seed-a'),
        s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: A }, '60x400'),
        ...statusSeries(B, healthy, '1x400'),
        info(B, 'seed-b'),
        s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: B }, '60x400'),
      ],
      cases: [
        {
          alertname: 'CleanRoomsMLAudienceJobFailed',
          firing: [
            {
              at: '5m',
              labels: { ...base, arn: A, status: failed, name: 'seed-a', collaboration_id: COLLAB, severity: 'warning' },
              annotations: {
                summary: `Clean Rooms ML audience generation job seed-a is ${failed}`,
                description: `Job seed-a (${A}) in collaboration ${COLLAB} ended in ${failed}. Read its statusDetails with GetAudienceGenerationJob.`,
                runbook_url: `${RUNBOOK}#cleanroomsmlaudiencejobfailed`,
              },
            },
          ],
          silentAt: [],
        },
      ],
    }),
  ),
  {
    name: 'job stuck: DELETE_* and statuses under way the model does not list count from when the status began; new statuses at rest are silent',
    series: [
      ...statusSeries(A, 'DELETE_IN_PROGRESS', '1x600', '0x600'),
      info(A, 'seed-a', '1x600'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: A }, '0x600'),
      s('cleanroomsml_audience_generation_job_status_since_timestamp_seconds', { arn: A }, '3600x600'),
      ...statusSeries(B, 'UPDATE_IN_PROGRESS', '1x600', '0x600'),
      info(B, 'seed-b', '1x600'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: B }, '0x600'),
      s('cleanroomsml_audience_generation_job_status_since_timestamp_seconds', { arn: B }, '7200x600'),
      ...statusSeries(`${A}-c`, 'CANCELLED', '1x600', '0x600'),
      info(`${A}-c`, 'seed-c', '1x600'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: `${A}-c` }, '0x600'),
      s('cleanroomsml_audience_generation_job_status_since_timestamp_seconds', { arn: `${A}-c` }, '0x600'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLAudienceJobStuck',
        firing: (
          [
            ['421m', A, 'seed-a', 'DELETE_IN_PROGRESS', '6h 1m 0s'],
            ['481m', A, 'seed-a', 'DELETE_IN_PROGRESS', '7h 1m 0s'],
            ['481m', B, 'seed-b', 'UPDATE_IN_PROGRESS', '6h 1m 0s'],
          ] as const
        ).map(([at, arn, name, status, waited]) => ({
          at,
          labels: { ...base, arn, status, name, severity: 'warning' },
          annotations: {
            summary: `Clean Rooms ML audience generation job ${name} is still ${status}`,
            description: `Job ${name} (${arn}) has been waiting ${waited} and is still ${status} (CREATE_* counted from its creation, other statuses under way from when they began).`,
            runbook_url: `${RUNBOOK}#cleanroomsmlaudiencejobstuck`,
          },
        })),
        // 6 h after creation but not 6 h in the status: a measure from creation would fire here
        silentAt: ['361m', '419m'],
      },
    ],
  },
  {
    name: 'job failed: an old failure (beyond lookbackSeconds) stays silent',
    series: [
      ...statusSeries(A, 'CREATE_FAILED', '1x2000', '0x2000'),
      info(A, 'seed-a'),
      s('cleanroomsml_audience_generation_job_updated_timestamp_seconds', { arn: A }, '0x2000'),
    ],
    cases: [{ alertname: 'CleanRoomsMLAudienceJobFailed', firing: [], silentAt: ['25h'] }],
  },
  {
    name: 'job stuck: fires past 6h in CREATE_IN_PROGRESS, silent before and for ACTIVE jobs',
    series: [
      ...statusSeries(A, 'CREATE_IN_PROGRESS', '1x400'),
      info(A, 'seed-a'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: A }, '0x400'),
      ...statusSeries(B, 'ACTIVE', '1x400'),
      info(B, 'seed-b'),
      s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: B }, '0x400'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLAudienceJobStuck',
        firing: [
          {
            at: '361m',
            labels: { ...base, arn: A, status: 'CREATE_IN_PROGRESS', name: 'seed-a', severity: 'warning' },
            annotations: {
              summary: 'Clean Rooms ML audience generation job seed-a is still CREATE_IN_PROGRESS',
              description: `Job seed-a (${A}) has been waiting 6h 1m 0s and is still CREATE_IN_PROGRESS (CREATE_* counted from its creation, other statuses under way from when they began).`,
              runbook_url: `${RUNBOOK}#cleanroomsmlaudiencejobstuck`,
            },
          },
        ],
        silentAt: ['300m'],
      },
    ],
  },
  {
    name: 'monitor down: up == 0 for 5m fires; up == 1 is silent',
    series: [s('up', {}, '1 1 0x20')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorDown',
        firing: [
          {
            at: '10m',
            labels: { ...base, instance: '10.0.0.7:9464', pod: POD, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor is down or not scraped',
              description: `Prometheus has no successful scrape of cleanroomsml-monitor ${NS}/${JOB} pod ${POD} (1 shard(s) expected): the transitions of the jobs it watches are neither exported nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
            },
          },
        ],
        silentAt: ['1m', '5m'],
      },
    ],
  },
  {
    name: 'monitor down: no target at all (absent) fires',
    series: [s('up', { job: 'something-else' }, '1x20')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorDown',
        firing: [
          {
            at: '10m',
            labels: { ...base, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor is down or not scraped',
              description: `Prometheus has no successful scrape of cleanroomsml-monitor ${NS}/${JOB} (1 shard(s) expected): the transitions of the jobs it watches are neither exported nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
            },
          },
        ],
        silentAt: [],
      },
    ],
  },
  {
    name: 'sweeps stalled: last success frozen fires; advancing every interval is silent',
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', {}, '0x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', {}, '30x20'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLSweepsStalled',
        firing: [
          {
            at: '10m',
            labels: { ...onPod, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor has not completed a sweep recently',
              description: `The last successful sweep of ${NS}/${JOB} pod ${POD} was 10m 0s ago: the statuses of the jobs it watches are stale.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlsweepsstalled`,
            },
          },
        ],
        silentAt: ['2m', '7m'],
      },
    ],
  },
  {
    name: 'sweeps stalled: healthy sweeps are silent',
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', {}, '0+60x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', {}, '30x20'),
      s('cleanroomsml_monitor_ready', {}, '1x20'),
      s('cleanroomsml_monitor_config_last_reload_successful', {}, '1x20'),
      s('cleanroomsml_monitor_outbox_oldest_pending_age_seconds', { target: 'ml-team-slack' }, '0x20'),
      s('cleanroomsml_monitor_slower_than_usual', { kind: 'trainedModel', status: 'CREATE_IN_PROGRESS' }, '0x20'),
      s('cleanroomsml_monitor_dead_letters', { target: 'ml-team-slack' }, '0x20'),
      s('cleanroomsml_monitor_notifications_total', { target: 'ml-team-slack', outcome: 'delivered' }, '0+1x20'),
      s('cleanroomsml_monitor_notifications_total', { target: 'ml-team-slack', outcome: 'dead_lettered' }, '0x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'success' }, '0+100x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'throttled' }, '0+1x20'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'error' }, '0+1x20'),
      s('up', {}, '1x20'),
      s('cleanroomsml_monitor_state_write_errors_total', {}, '0x20'),
      s('cleanroomsml_monitor_state_health', { state: 'ok' }, '1x20'),
      s('cleanroomsml_monitor_state_health', { state: 'degraded' }, '0x20'),
      s('cleanroomsml_monitor_state_health', { state: 'unwritable' }, '0x20'),
      s('cleanroomsml_monitor_state_journal_bytes', {}, '0+1000x20'),
      s('cleanroomsml_monitor_state_journal_limit_bytes', {}, '67108864x20'),
      s('cleanroomsml_monitor_process_start_time_seconds', {}, '0x20'),
      ...ALL_KINDS.map((k, i) => s('cleanroomsml_monitor_resources_tracked', { kind: k.kind }, `${i}x20`)),
      s('cleanroomsml_monitor_discovery_scope_up', { scope: SCOPE_C }, '1x20'),
      s('cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds', { scope: SCOPE_C }, '0+60x20'),
      s('cleanroomsml_monitor_shard_info', { shard: '0', total_shards: '1', layout: 'a1b2c3d4e5f6' }, '1x20'),
    ],
    cases: [
      'CleanRoomsMLShardLayoutMismatch',
      'CleanRoomsMLSweepsStalled',
      'CleanRoomsMLMonitorNotReady',
      'CleanRoomsMLConfigReloadFailed',
      'CleanRoomsMLOutboxBacklog',
      'CleanRoomsMLSlowerThanUsual',
      'CleanRoomsMLNotificationsDeadLettered',
      'CleanRoomsMLApiErrorsHigh',
      'CleanRoomsMLApiThrottlingHigh',
      'CleanRoomsMLApiItemsRefused',
      'CleanRoomsMLMonitorDown',
      'CleanRoomsMLStateWriteErrors',
      'CleanRoomsMLStateDegraded',
      'CleanRoomsMLStateFilesQuarantined',
      'CleanRoomsMLNothingTracked',
      'CleanRoomsMLDiscoveryScopeDown',
    ].map((alertname) => ({ alertname, firing: [], silentAt: ['19m'] })),
  },
  {
    name: 'not ready for 15m fires',
    series: [s('cleanroomsml_monitor_ready', {}, '0x30')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorNotReady',
        firing: [
          {
            at: '20m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor is not ready',
              description: `${NS}/${JOB} pod ${POD} reports not ready (/readyz fails): its config is not loaded or its state directory is not writable.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitornotready`,
            },
          },
        ],
        silentAt: ['10m'],
      },
    ],
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
        firing: [
          {
            at: '30m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'Clean Rooms ML API calls are failing',
              description: `16.67% of the Clean Rooms ML API calls of ${NS}/${JOB} pod ${POD} end in an error, AccessDenied or ValidationException.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlapierrorshigh`,
            },
          },
        ],
        silentAt: ['5m'],
      },
      {
        alertname: 'CleanRoomsMLApiThrottlingHigh',
        firing: [
          {
            at: '30m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'Clean Rooms ML API calls are throttled',
              description: `50% of the Clean Rooms ML API calls of ${NS}/${JOB} pod ${POD} are answered with ThrottlingException.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlapithrottlinghigh`,
            },
          },
        ],
        silentAt: ['10m'],
      },
    ],
  },
  {
    name: 'refused List items: counted on every read, fire per operation and member; resolve a window after the item reads again',
    series: [
      // refused from 10 min on, once a minute (every sweep that calls the List), readable again at 30 min
      s(
        'cleanroomsml_monitor_api_items_refused_total',
        { operation: 'ListAudienceExportJobs', member: 'audienceSize.value' },
        '_x10 1+1x20 21x100',
      ),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLApiItemsRefused',
        firing: [
          {
            at: '15m',
            labels: { ...onPod, operation: 'ListAudienceExportJobs', member: 'audienceSize.value', severity: 'warning' },
            annotations: {
              summary: 'Clean Rooms ML ListAudienceExportJobs answers items that cannot be read',
              description: `${NS}/${JOB} pod ${POD} refused 6 item(s) of ListAudienceExportJobs in the last 1h (audienceSize.value of the wrong type, not a finite number, or missing): those resources keep their last state and their changes are missed until AWS answers them readably. The log names each resource.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlapiitemsrefused`,
            },
          },
        ],
        silentAt: ['5m', '95m'],
      },
    ],
  },
  {
    name: 'dead letters: the gauge fires, and the alert resolves once they are discarded or re-sent',
    series: [
      // 2 dead letters at 2m; `outbox discard --all` at 6m
      s('cleanroomsml_monitor_dead_letters', { target: 'audit' }, '0 0 2 2 2 2 0 0 0 0 0'),
      // restored from the state after a restart: fires at once; `outbox retry` at 5m
      s('cleanroomsml_monitor_dead_letters', { target: 'ml-team-slack' }, '1 1 1 1 1 0 0 0 0 0 0'),
      // the counter of past dead letters alone does not keep the alert firing
      s('cleanroomsml_monitor_notifications_total', { target: 'audit', outcome: 'dead_lettered' }, '0 0 2 2 2 2 2 2 2 2 2'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLNotificationsDeadLettered',
        firing: [
          ...[
            ['ml-team-slack', '1'],
            ['audit', '2'],
          ].map(([target, n]) => ({
            at: '4m',
            labels: { ...onPod, target: target!, severity: 'warning' },
            annotations: {
              summary: `Notifications to ${target} were dead-lettered`,
              description: `${n} notification(s) to target ${target} of ${NS}/${JOB} pod ${POD} failed after every retry and sit in its dead-letter store; the people waiting for them were not told. Re-send them with outbox retry or drop them with outbox discard.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlnotificationsdeadlettered`,
            },
          })),
          {
            at: '5m',
            labels: { ...onPod, target: 'audit', severity: 'warning' },
            annotations: {
              summary: 'Notifications to audit were dead-lettered',
              description: `2 notification(s) to target audit of ${NS}/${JOB} pod ${POD} failed after every retry and sit in its dead-letter store; the people waiting for them were not told. Re-send them with outbox retry or drop them with outbox discard.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlnotificationsdeadlettered`,
            },
          },
        ],
        silentAt: ['6m', '10m'],
      },
    ],
  },
  {
    name: 'dead letters dropped past their bounds: fires for the hour after, for that target only',
    series: [
      // 3 dropped for their age at 3m
      s('cleanroomsml_monitor_dead_letters_evicted_total', { target: 'audit', reason: 'max_age' }, '0 0 0 3x90'),
      s('cleanroomsml_monitor_dead_letters_evicted_total', { target: 'audit', reason: 'max_count' }, '0x93'),
      s('cleanroomsml_monitor_dead_letters_evicted_total', { target: 'ml-team-slack', reason: 'max_age' }, '0x93'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLDeadLettersEvicted',
        firing: [
          {
            at: '10m',
            labels: { ...onPod, target: 'audit', severity: 'warning' },
            annotations: {
              summary: 'Dead letters of audit were dropped unsent',
              description: `Dead letters of target audit of ${NS}/${JOB} pod ${POD} were dropped in the last hour, older than its deadLetters.maxAgeMs or over its deadLetters.maxCount; they can no longer be re-sent. The logs name each one.`,
              runbook_url: `${RUNBOOK}#cleanroomsmldeadlettersevicted`,
            },
          },
        ],
        silentAt: ['2m', '70m'],
      },
    ],
  },
  {
    name: 'slower than usual: resources counted on two shards fire per kind and status, after 1m',
    series: [
      s('cleanroomsml_monitor_slower_than_usual', { kind: 'trainedModel', status: 'CREATE_IN_PROGRESS' }, '0 0 1x10 0x5'),
      s('cleanroomsml_monitor_slower_than_usual', { kind: 'trainedModel', status: 'CREATE_IN_PROGRESS', ...pod1 }, '0 0 0 1x9 0x5'),
      s('cleanroomsml_monitor_slower_than_usual', { kind: 'audienceModel', status: 'CREATE_PENDING' }, '0x16'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLSlowerThanUsual',
        firing: [
          {
            at: '5m',
            labels: { ...base, kind: 'trainedModel', status: 'CREATE_IN_PROGRESS', severity: 'info' },
            annotations: {
              summary: '2 trainedModel resource(s) slower than usual in CREATE_IN_PROGRESS',
              description: `2 trainedModel resource(s) watched by ${NS}/${JOB} have been in CREATE_IN_PROGRESS for longer than their kind usually takes (durations.slowerThanUsual). The status page, GET /api/resources?class=inProgress and the history verb show which, with the usual duration.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlslowerthanusual`,
            },
          },
        ],
        silentAt: ['2m', '15m'],
      },
    ],
  },
  {
    name: 'outbox backlog: the oldest pending notification ageing past 15m fires',
    series: [s('cleanroomsml_monitor_outbox_oldest_pending_age_seconds', { target: 'ml-team-slack' }, '0+60x30')],
    cases: [
      {
        alertname: 'CleanRoomsMLOutboxBacklog',
        firing: [
          {
            at: '25m',
            labels: { ...onPod, target: 'ml-team-slack', severity: 'warning' },
            annotations: {
              summary: 'Notifications to ml-team-slack are backing up',
              description: `The oldest pending notification to ml-team-slack of ${NS}/${JOB} pod ${POD} has waited 25m 0s.`,
              runbook_url: `${RUNBOOK}#cleanroomsmloutboxbacklog`,
            },
          },
        ],
        silentAt: ['16m'],
      },
    ],
  },
  {
    name: 'config reload failed for 5m fires',
    series: [s('cleanroomsml_monitor_config_last_reload_successful', {}, '1 1 0x20')],
    cases: [
      {
        alertname: 'CleanRoomsMLConfigReloadFailed',
        firing: [
          {
            at: '10m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor rejected its new configuration',
              description: `${NS}/${JOB} pod ${POD} failed to reload its config file and keeps running with the previous one; check-config tells which field is wrong.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlconfigreloadfailed`,
            },
          },
        ],
        silentAt: ['4m'],
      },
    ],
  },
  {
    name: 'state write errors: a failed write fires for the window, then resolves',
    series: [s('cleanroomsml_monitor_state_write_errors_total', {}, '0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')],
    cases: [
      {
        alertname: 'CleanRoomsMLStateWriteErrors',
        firing: [
          {
            at: '5m',
            labels: { ...onPod, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor cannot write its state',
              description: `${NS}/${JOB} pod ${POD} failed 1 state write(s) in the last 10m (full or read-only volume?): transitions it cannot record are neither exported as changed nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlstatewriteerrors`,
            },
          },
        ],
        silentAt: ['2m', '15m'],
      },
    ],
  },
  {
    name: 'state degraded: checkpoints failing for 10m fires with the share of the journal limit in use; a short failure and a healthy pod do not',
    series: [
      // Degraded from minute 2 on; the journal grows 2 MiB a minute towards its 64 MiB limit.
      s('cleanroomsml_monitor_state_health', { state: 'degraded' }, '0 0 1x20'),
      s('cleanroomsml_monitor_state_health', { state: 'ok' }, '1 1 0x20'),
      s('cleanroomsml_monitor_state_journal_bytes', {}, '0 0 0+2097152x20'),
      s('cleanroomsml_monitor_state_journal_limit_bytes', {}, '67108864x22'),
      // pod 1: degraded for 5 minutes only
      s('cleanroomsml_monitor_state_health', { ...pod1, state: 'degraded' }, '0 1 1 1 1 1 0x16'),
      s('cleanroomsml_monitor_state_journal_bytes', pod1, '0 1000x21'),
      s('cleanroomsml_monitor_state_journal_limit_bytes', pod1, '67108864x22'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLStateDegraded',
        firing: [
          {
            at: '12m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor cannot checkpoint its state',
              description: `${NS}/${JOB} pod ${POD} fails to write state checkpoints (no free inode or space for a new file?): every transition is still recorded in the journal and notified, but the journal grows and is at 31.25% of its limit, where new records are refused.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlstatedegraded`,
            },
          },
        ],
        silentAt: ['1m', '11m'],
      },
    ],
  },
  {
    name: 'quarantined state files: fire after the start that moved them aside, for lookbackSeconds; not after a clean restart',
    series: [
      s('cleanroomsml_monitor_state_files_quarantined_total', { file: 'journal.ndjson' }, '1x1500'),
      s('cleanroomsml_monitor_process_start_time_seconds', {}, '0x1500'),
      // pod 1 restarted cleanly: no counter series at all
      s('cleanroomsml_monitor_process_start_time_seconds', pod1, '0x30'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLStateFilesQuarantined',
        firing: [
          {
            at: '5m',
            labels: { ...onPod, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor moved corrupt state files aside',
              description: `${NS}/${JOB} pod ${POD} found 1 corrupt state file(s) at start and moved them aside (*.corrupt-*): the jobs, pending notifications or dead letters they held may be forgotten.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlstatefilesquarantined`,
            },
          },
        ],
        silentAt: ['1441m'],
      },
    ],
  },
  {
    name: 'nothing tracked: the whole release at 0 (every kind) for 30m fires; one empty shard beside a busy one, or one busy kind, is silent',
    series: [
      ...ALL_KINDS.map((k) => s('cleanroomsml_monitor_resources_tracked', { kind: k.kind }, '0x60')),
      ...ALL_KINDS.map((k) => s('cleanroomsml_monitor_resources_tracked', { job: 'other-release', kind: k.kind }, '0x60')),
      ...ALL_KINDS.map((k) =>
        s(
          'cleanroomsml_monitor_resources_tracked',
          { job: 'other-release', kind: k.kind, ...pod1 },
          k.kind === 'trainedModel' ? '5x60' : '0x60',
        ),
      ),
      ...ALL_KINDS.map((k) =>
        s('cleanroomsml_monitor_resources_tracked', { job: 'third-release', kind: k.kind }, k.kind === 'mlInputChannel' ? '1x60' : '0x60'),
      ),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLNothingTracked',
        firing: [
          {
            at: '35m',
            labels: { ...base, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor watches nothing',
              description: `${NS}/${JOB} tracks no Clean Rooms ML resource of any kind: its discovery scopes find nothing (a wrong collaboration or membership id or model ARN, another region or account?) and no static resource is configured.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlnothingtracked`,
            },
          },
        ],
        silentAt: ['25m'],
      },
    ],
  },
  {
    name: 'discovery scope down for 15m fires for that scope only, and resolves when it lists again',
    series: [
      s('cleanroomsml_monitor_discovery_scope_up', { scope: SCOPE_C }, '1 1 0x25 1x10'),
      s('cleanroomsml_monitor_discovery_scope_up', { scope: SCOPE_M }, '1x40'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLDiscoveryScopeDown',
        firing: [
          {
            at: '20m',
            labels: { ...onPod, scope: SCOPE_C, severity: 'warning' },
            annotations: {
              summary: `Discovery scope ${SCOPE_C} cannot be listed`,
              description: `The last ListAudienceGenerationJobs of scope ${SCOPE_C} by ${NS}/${JOB} pod ${POD} failed: new jobs there are not found and their transitions are missed.`,
              runbook_url: `${RUNBOOK}#cleanroomsmldiscoveryscopedown`,
            },
          },
        ],
        silentAt: ['10m', '30m'],
      },
    ],
  },
  ...KIND_GROUPS,
  // ---- shards: two pods of one release, one of them bad ----
  {
    name: 'shards: pod 1 stalled for 25 minutes fires for pod 1 while pod 0 sweeps',
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', {}, '0+60x30'),
      s('cleanroomsml_monitor_poll_interval_seconds', {}, '30x30'),
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', pod1, '0x30'),
      s('cleanroomsml_monitor_poll_interval_seconds', pod1, '30x30'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLSweepsStalled',
        firing: [
          {
            at: '25m',
            labels: { ...base, pod: POD1, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor has not completed a sweep recently',
              description: `The last successful sweep of ${NS}/${JOB} pod ${POD1} was 25m 0s ago: the statuses of the jobs it watches are stale.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlsweepsstalled`,
            },
          },
        ],
        silentAt: ['5m'],
      },
    ],
  },
  {
    name: 'shards: pod 1 not ready fires for pod 1 while pod 0 is ready',
    series: [s('cleanroomsml_monitor_ready', {}, '1x30'), s('cleanroomsml_monitor_ready', pod1, '0x30')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorNotReady',
        firing: [
          {
            at: '20m',
            labels: { ...base, pod: POD1, severity: 'warning' },
            annotations: {
              summary: 'cleanroomsml-monitor is not ready',
              description: `${NS}/${JOB} pod ${POD1} reports not ready (/readyz fails): its config is not loaded or its state directory is not writable.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitornotready`,
            },
          },
        ],
        silentAt: ['10m'],
      },
    ],
  },
  {
    name: 'shards: access denied on pod 1 alone fires for pod 1, not diluted by pod 0',
    series: [
      s('cleanroomsml_monitor_api_requests_total', { operation: 'ListAudienceGenerationJobs', outcome: 'success' }, '0+1000x40'),
      s('cleanroomsml_monitor_api_requests_total', { operation: 'ListAudienceGenerationJobs', outcome: 'success', ...pod1 }, '0+10x40'),
      s(
        'cleanroomsml_monitor_api_requests_total',
        { operation: 'ListAudienceGenerationJobs', outcome: 'access_denied', ...pod1 },
        '0+10x40',
      ),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLApiErrorsHigh',
        firing: [
          {
            at: '30m',
            labels: { ...base, pod: POD1, severity: 'warning' },
            annotations: {
              summary: 'Clean Rooms ML API calls are failing',
              description: `50% of the Clean Rooms ML API calls of ${NS}/${JOB} pod ${POD1} end in an error, AccessDenied or ValidationException.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlapierrorshigh`,
            },
          },
        ],
        silentAt: ['5m'],
      },
    ],
  },
  {
    name: "cluster: the label is kept where it exists, and one cluster's stalled pod fires alone",
    series: [
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', { cluster: 'eu-1' }, '0x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', { cluster: 'eu-1' }, '30x20'),
      s('cleanroomsml_monitor_last_successful_poll_timestamp_seconds', { cluster: 'us-1' }, '0+60x20'),
      s('cleanroomsml_monitor_poll_interval_seconds', { cluster: 'us-1' }, '30x20'),
      s('cleanroomsml_monitor_dead_letters', { cluster: 'us-1', target: 'audit' }, '3x20'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLSweepsStalled',
        firing: [
          {
            at: '10m',
            labels: { cluster: 'eu-1', ...onPod, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor has not completed a sweep recently',
              description: `The last successful sweep of ${NS}/${JOB} pod ${POD} was 10m 0s ago: the statuses of the jobs it watches are stale.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlsweepsstalled`,
            },
          },
        ],
        silentAt: [],
      },
      {
        alertname: 'CleanRoomsMLNotificationsDeadLettered',
        firing: [
          {
            at: '10m',
            labels: { cluster: 'us-1', ...onPod, target: 'audit', severity: 'warning' },
            annotations: {
              summary: 'Notifications to audit were dead-lettered',
              description: `3 notification(s) to target audit of ${NS}/${JOB} pod ${POD} failed after every retry and sit in its dead-letter store; the people waiting for them were not told. Re-send them with outbox retry or drop them with outbox discard.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlnotificationsdeadlettered`,
            },
          },
        ],
        silentAt: [],
      },
    ],
  },
];

/** The layout series of pod 0 and pod 1 of two shards. */
const layoutOf = (layout: string, shard: string, pod: Record<string, string> = {}, values = '1x30', total = '2') =>
  s('cleanroomsml_monitor_shard_info', { shard, total_shards: total, layout, ...pod }, values);
const mismatch = (description: string, labels: Record<string, string> = {}) => ({
  at: '20m',
  labels: { ...base, ...labels, severity: 'warning' },
  annotations: {
    summary: 'cleanroomsml-monitor pods disagree on the shard layout',
    description,
    runbook_url: `${RUNBOOK}#cleanroomsmlshardlayoutmismatch`,
  },
});
const notOneLayout = (extra: string) =>
  `The pods of ${NS}/${JOB}${extra} do not sweep under one shard layout of 2 shard(s): some discovery Lists are called by two pods (a change notified twice, with the same event id) or by none (changes missed until the layout settles).`;

/** Rendered with config.sharding.totalShards=2: a pod that is missing altogether (Pending, deleted) fires too. */
const SHARDED_GROUPS: Group[] = [
  {
    name: 'shards: both pods under one layout is silent; a rollout that settles within 15 minutes too',
    series: [
      layoutOf('aaaa', '0'),
      layoutOf('aaaa', '1', pod1, '_x5 1x25'),
      layoutOf('bbbb', '1', { ...pod1, instance: '10.0.0.9:9464' }, '1x5 _x25', '1'),
    ],
    cases: [{ alertname: 'CleanRoomsMLShardLayoutMismatch', firing: [], silentAt: ['3m', '20m', '29m'] }],
  },
  {
    name: 'shards: two layouts for 20 minutes fires; so do a shard run twice and a pod with another shard count',
    series: [
      layoutOf('aaaa', '0'),
      layoutOf('bbbb', '1', pod1),
      layoutOf('aaaa', '0', { pod: `${JOB}-2`, instance: '10.0.0.10:9464' }),
      layoutOf('cccc', '1', { pod: `${JOB}-3`, instance: '10.0.0.11:9464' }, '1x30', '3'),
    ],
    cases: [
      {
        alertname: 'CleanRoomsMLShardLayoutMismatch',
        firing: [
          mismatch(notOneLayout('')),
          mismatch(notOneLayout(' (shard 0 runs more than once)'), { shard: '0' }),
          mismatch(notOneLayout(' (shard 1 runs more than once)'), { shard: '1' }),
          mismatch(notOneLayout(' (a pod runs with 3 shards)'), { total_shards: '3' }),
        ],
        silentAt: ['10m'],
      },
    ],
  },
  {
    name: 'shards: pod 1 never scraped (absent, not down) fires with 2 shards expected',
    series: [s('up', {}, '1x20')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorDown',
        firing: [
          {
            at: '10m',
            labels: { ...base, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor is down or not scraped',
              description: `Prometheus has no successful scrape of cleanroomsml-monitor ${NS}/${JOB} (2 shard(s) expected): the transitions of the jobs it watches are neither exported nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
            },
          },
        ],
        silentAt: ['3m'],
      },
    ],
  },
  {
    name: 'shards: both pods scraped is silent; pod 1 down fires for pod 1 (and the count)',
    series: [s('up', {}, '1x20'), s('up', pod1, '1x5 0x15')],
    cases: [
      {
        alertname: 'CleanRoomsMLMonitorDown',
        firing: [
          {
            at: '15m',
            labels: { ...base, ...pod1, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor is down or not scraped',
              description: `Prometheus has no successful scrape of cleanroomsml-monitor ${NS}/${JOB} pod ${POD1} (2 shard(s) expected): the transitions of the jobs it watches are neither exported nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
            },
          },
          {
            at: '15m',
            labels: { ...base, severity: 'critical' },
            annotations: {
              summary: 'cleanroomsml-monitor is down or not scraped',
              description: `Prometheus has no successful scrape of cleanroomsml-monitor ${NS}/${JOB} (2 shard(s) expected): the transitions of the jobs it watches are neither exported nor notified.`,
              runbook_url: `${RUNBOOK}#cleanroomsmlmonitordown`,
            },
          },
        ],
        silentAt: ['4m'],
      },
    ],
  },
];

/** promtool's unit-test file for GROUPS. */
export function promtoolTests(ruleFile: string, groups: Group[] = GROUPS): string {
  return stringify(
    {
      rule_files: [ruleFile],
      evaluation_interval: '1m',
      tests: groups.map((g) => ({
        name: g.name,
        interval: '1m',
        input_series: g.series,
        alert_rule_test: g.cases.flatMap((c) => {
          const byTime = new Map<string, any[]>();
          for (const f of c.firing)
            byTime.set(f.at, [...(byTime.get(f.at) ?? []), { exp_labels: f.labels, exp_annotations: f.annotations }]);
          return [
            ...[...byTime].map(([at, exp]) => ({ eval_time: at, alertname: c.alertname, exp_alerts: exp })),
            ...c.silentAt.map((at) => ({ eval_time: at, alertname: c.alertname, exp_alerts: [] })),
          ];
        }),
      })),
    },
    { lineWidth: 0 },
  );
}

const dir = mkdtempSync(join(tmpdir(), 'crml-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let variants = 0;
async function writeRules(extra: string[] = []): Promise<{ rules: string; alerts: string[] }> {
  const objs = await renderChart([
    '--release',
    RELEASE,
    '--namespace',
    NS,
    '-f',
    join(CHART, 'ci/default-values.yaml'),
    '--set',
    'prometheusRule.enabled=true',
    ...extra,
  ]);
  const spec = findObject(objs, 'PrometheusRule').spec;
  const rules = join(dir, `rules-${extra.length ? `variant-${++variants}` : 'default'}.yaml`);
  writeFileSync(rules, stringify(spec, { lineWidth: 0 }));
  const alerts = spec.groups
    .flatMap((g: any) => g.rules)
    .map((r: any) => r.alert)
    .filter(Boolean);
  return { rules, alerts };
}

// The rules come from the rendered chart; the dashboard suites below read its JSON file directly.
describe('alert rules under promtool', { skip: skip ?? NO_RENDERER }, () => {
  test('promtool check rules accepts the PrometheusRule spec', async () => {
    const { rules } = await writeRules();
    const r = await execFileP('promtool', ['check', 'rules', rules]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  });

  test('every alert has a firing case and a silent case', async () => {
    const { alerts } = await writeRules();
    for (const a of alerts) {
      const cases = [...GROUPS, ...SHARDED_GROUPS].flatMap((g) => g.cases).filter((c) => c.alertname === a);
      assert.ok(
        cases.some((c) => c.firing.length > 0),
        `${a} has no firing case`,
      );
      assert.ok(
        cases.some((c) => c.silentAt.length > 0),
        `${a} has no silent case`,
      );
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

  test('promtool test rules, 2 shards: a pod that is missing or down fires', async () => {
    const { rules } = await writeRules(['--set', 'config.sharding.totalShards=2']);
    const t = join(dir, 'rules-sharded.test.yaml');
    writeFileSync(t, promtoolTests(rules, SHARDED_GROUPS));
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
  });

  test('the per-pod cases bite: the old max by (namespace, job) aggregation misses the stalled and unready shard', async () => {
    const { rules } = await writeRules();
    const old = join(dir, 'rules-old-aggregation.yaml');
    const text = readFileSync(rules, 'utf8').replaceAll('by (cluster, namespace, job, pod)', 'by (namespace, job)');
    writeFileSync(old, text);
    const t = join(dir, 'rules-old.test.yaml');
    writeFileSync(
      t,
      promtoolTests(
        old,
        GROUPS.filter((g) => g.name.startsWith('shards:')),
      ),
    );
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.notEqual(r.code ?? 0, 0, 'the shard cases must fail against per-job aggregation');
    for (const a of ['CleanRoomsMLSweepsStalled', 'CleanRoomsMLMonitorNotReady', 'CleanRoomsMLApiErrorsHigh'])
      assert.match(`${r.stdout}${r.stderr}`, new RegExp(a));
  });

  test('the unit tests bite: a changed threshold makes them fail', async () => {
    const { rules } = await writeRules(['--set', 'prometheusRule.rules.jobStuck.thresholdSeconds=99999']);
    const t = join(dir, 'rules-variant.test.yaml');
    writeFileSync(t, promtoolTests(rules));
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.notEqual(r.code ?? 0, 0);
    assert.match(`${r.stdout}${r.stderr}`, /CleanRoomsMLAudienceJobStuck/);
  });

  /** Runs GROUPS against a rules file rewritten by `edit`; returns promtool's result. */
  async function testEdited(name: string, edit: ((rules: string) => string) | undefined, extra: string[] = []) {
    const { rules } = await writeRules(extra);
    const edited = join(dir, `rules-${name}.yaml`);
    const text = readFileSync(rules, 'utf8');
    const changed = edit ? edit(text) : text;
    if (edit) assert.notEqual(changed, text, `${name}: the edit changed nothing`);
    writeFileSync(edited, changed);
    const t = join(dir, `rules-${name}.test.yaml`);
    writeFileSync(t, promtoolTests(edited));
    return execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
  }

  test('the kind cases bite: a smaller margin past the max runtime, creation time for status start, or no born-counter part make them fail', async () => {
    let r = await testEdited('margin', undefined, ['--set', 'prometheusRule.rules.trainedModelStuck.marginSeconds=0']);
    assert.notEqual(r.code ?? 0, 0);
    assert.match(`${r.stdout}${r.stderr}`, /CleanRoomsMLTrainedModelStuck/);
    r = await testEdited('created', (x) =>
      x.replace(/(cleanroomsml_(?!audience_generation_job)[a-z_]+)_status_since_timestamp_seconds/g, '$1_created_timestamp_seconds'),
    );
    assert.notEqual(r.code ?? 0, 0);
    assert.match(`${r.stdout}${r.stderr}`, /CleanRoomsMLAudienceModelStuck/);
    r = await testEdited('no-born', (x) =>
      x.replace(/\n *or\n *sum by \(cluster, namespace, job, kind, status, status_code\) \(\n[^)]*offset 24h\n *\) > 0/g, ''),
    );
    assert.notEqual(r.code ?? 0, 0);
    assert.match(`${r.stdout}${r.stderr}`, /CleanRoomsMLTrainedModelFailed/);
  });

  test('the status matchers of every alert classify like src/kinds/statuses.ts, for the model values and new ones', async () => {
    const objs = await renderChart(['-f', join(CHART, 'ci/default-values.yaml'), '--set', 'prometheusRule.enabled=true']);
    const rules = findObject(objs, 'PrometheusRule').spec.groups[0].rules;
    const stuck = (k: KindName) =>
      rules.find(
        (r: any) => r.alert === (k === 'audienceGenerationJob' ? 'CleanRoomsMLAudienceJobStuck' : `CleanRoomsML${alertPart(k)}Stuck`),
      );
    for (const k of ALL_KINDS) {
      const rule = stuck(k.kind);
      assert.ok(rule, `no stuck alert for ${k.kind}`);
      if (k.kind !== 'audienceGenerationJob') assert.equal(rule.labels.kind, k.kind);
      assert.deepEqual(
        STATUS_SAMPLES.filter((st) => statusMatched(rule.expr, st)),
        STATUS_SAMPLES.filter((st) => statusClass(st) === 'inProgress'),
        `${k.kind}: the stuck alert's statuses differ from the inProgress class`,
      );
      assert.match(rule.expr, new RegExp(`cleanroomsml_${k.snake}_status_since_timestamp_seconds\\{`));
      if (k.kind === 'audienceGenerationJob') continue;
      const failed = rules.find((r: any) => r.alert === `CleanRoomsML${alertPart(k.kind)}Failed`);
      assert.ok(failed, `no failure alert for ${k.kind}`);
      // failures_total counts the failure class (src/metrics/metrics.ts): the rule must not narrow it by status.
      assert.match(failed.expr, new RegExp(`cleanroomsml_monitor_failures_total\\{[^}]*kind="${k.kind}"`));
      assert.doesNotMatch(failed.expr, /status=~|status!~|status="/);
    }
    const agjFailed = rules.find((r: any) => r.alert === 'CleanRoomsMLAudienceJobFailed');
    assert.deepEqual(
      STATUS_SAMPLES.filter((st) => statusMatched(agjFailed.expr, st)),
      STATUS_SAMPLES.filter((st) => statusClass(st) === 'failure'),
    );
  });

  test('the unknown-status cases bite: matching the model values by name misses the statuses AWS adds', async () => {
    const r = await testEdited('by-name', (x) =>
      x
        .replaceAll('"FAILED|.*_FAILED"', '"CREATE_FAILED|DELETE_FAILED|CANCEL_FAILED"')
        .replaceAll(
          '"PENDING|IN_PROGRESS|.*_PENDING|.*_IN_PROGRESS"',
          '"CREATE_PENDING|CREATE_IN_PROGRESS|DELETE_PENDING|DELETE_IN_PROGRESS|CANCEL_PENDING|CANCEL_IN_PROGRESS"',
        ),
    );
    assert.notEqual(r.code ?? 0, 0);
    for (const a of [
      'CleanRoomsMLAudienceJobFailed',
      'CleanRoomsMLAudienceJobStuck',
      'CleanRoomsMLTrainedModelStuck',
      'CleanRoomsMLAudienceModelStuck',
    ])
      assert.match(`${r.stdout}${r.stderr}`, new RegExp(a));
  });

  test('disabled alerts are left out and thresholds reach the expressions', async () => {
    const objs = await renderChart([
      '-f',
      join(CHART, 'ci/default-values.yaml'),
      '--set',
      'prometheusRule.enabled=true',
      '--set',
      'prometheusRule.rules.jobStuck.enabled=false',
      '--set',
      'prometheusRule.rules.outboxBacklog.thresholdSeconds=1234',
      '--set',
      'prometheusRule.rules.trainedModelStuck.enabled=false',
      '--set',
      'prometheusRule.rules.mlInputChannelFailed.enabled=false',
      '--set',
      'prometheusRule.rules.audienceModelStuck.thresholdSeconds=4321',
      '--set',
      'prometheusRule.rules.trainedModelInferenceJobFailed.window=2h',
      '--set',
      'prometheusRule.rules.trainedModelInferenceJobFailed.severity=critical',
    ]);
    const rules = findObject(objs, 'PrometheusRule').spec.groups[0].rules;
    const names = rules.map((r: any) => r.alert);
    for (const gone of ['CleanRoomsMLAudienceJobStuck', 'CleanRoomsMLTrainedModelStuck', 'CleanRoomsMLMLInputChannelFailed'])
      assert.ok(!names.includes(gone), `${gone} still rendered`);
    for (const kept of ['CleanRoomsMLTrainedModelFailed', 'CleanRoomsMLMLInputChannelStuck'])
      assert.ok(names.includes(kept), `${kept} missing`);
    assert.match(rules.find((r: any) => r.alert === 'CleanRoomsMLOutboxBacklog').expr, /> 1234$/);
    assert.match(rules.find((r: any) => r.alert === 'CleanRoomsMLAudienceModelStuck').expr, /> 4321$/);
    const inference = rules.find((r: any) => r.alert === 'CleanRoomsMLTrainedModelInferenceJobFailed');
    assert.match(inference.expr, /\[2h\]/);
    assert.match(inference.expr, /offset 2h/);
    assert.equal(inference.labels.severity, 'critical');
  });
});

// ---- the dashboard's queries under promtool ----

/** The dashboard's expressions with Grafana's variables as "All" would set them. */
function dashboardExprs(): { title: string; ref: string; expr: string }[] {
  const dash = JSON.parse(readFileSync(join(CHART, 'dashboards/cleanroomsml-monitor.json'), 'utf8'));
  return dash.panels.flatMap((p: any) =>
    (p.targets ?? []).map((t: any) => ({
      title: p.title,
      ref: t.refId,
      expr: (t.expr as string)
        .replaceAll('$cluster', '.*')
        .replaceAll('$namespace', '.+')
        .replaceAll('$job', '.+')
        .replaceAll('$arn', '.+')
        .replaceAll('$__rate_interval', '5m'),
    })),
  );
}

describe('dashboard queries under promtool', { skip }, () => {
  test('every panel query parses (promtool check rules on them as recording rules)', async () => {
    const exprs = dashboardExprs();
    assert.ok(exprs.length >= 15);
    const f = join(dir, 'dashboard-rules.yaml');
    writeFileSync(
      f,
      stringify(
        { groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard:q${i}`, expr: e.expr })) }] },
        { lineWidth: 0 },
      ),
    );
    const r = await execFileP('promtool', ['check', 'rules', f]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
  });

  test('"Time in current status" is the time since the status began; scope health is the time since the last List', async () => {
    const find = (title: RegExp, ref = 'A') => dashboardExprs().find((e) => title.test(e.title) && e.ref === ref)!.expr;
    const f = join(dir, 'dashboard-empty-rules.yaml');
    writeFileSync(f, 'groups: []\n');
    const t = join(dir, 'dashboard.test.yaml');
    writeFileSync(
      t,
      stringify(
        {
          rule_files: [f],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                // created at 0 s, in CREATE_IN_PROGRESS since 600 s: at 30 min it has been 1200 s in that status, not 1800
                ...statusSeries(A, 'CREATE_IN_PROGRESS', '1x40', '0x40'),
                info(A, 'seed-a'),
                s('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: A }, '0x40'),
                s('cleanroomsml_audience_generation_job_status_since_timestamp_seconds', { arn: A }, '600x40'),
                // finished jobs are left out of the panel
                ...statusSeries(B, 'ACTIVE', '1x40', '0x40'),
                info(B, 'seed-b'),
                s('cleanroomsml_audience_generation_job_status_since_timestamp_seconds', { arn: B }, '900x40'),
                s('cleanroomsml_monitor_discovery_scope_up', { scope: SCOPE_C }, '0x40'),
                s('cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds', { scope: SCOPE_C }, '300x40'),
                // up, but no complete List since start yet (0): no time, not "56 years"
                s('cleanroomsml_monitor_discovery_scope_up', { scope: SCOPE_M }, '1x40'),
                s('cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds', { scope: SCOPE_M }, '0x40'),
              ],
              promql_expr_test: [
                {
                  expr: find(/^Time in current status/),
                  eval_time: '30m',
                  exp_samples: [{ labels: `{arn="${A}",name="seed-a",status="CREATE_IN_PROGRESS"}`, value: 1200 }],
                },
                {
                  expr: find(/^Discovery scope health/, 'A'),
                  eval_time: '30m',
                  exp_samples: [
                    { labels: `{namespace="${NS}",pod="${POD}",scope="${SCOPE_C}"}`, value: 0 },
                    { labels: `{namespace="${NS}",pod="${POD}",scope="${SCOPE_M}"}`, value: 1 },
                  ],
                },
                {
                  expr: find(/^Discovery scope health/, 'B'),
                  eval_time: '30m',
                  exp_samples: [{ labels: `{namespace="${NS}",pod="${POD}",scope="${SCOPE_C}"}`, value: 1500 }],
                },
                { expr: find(/^Discovery scopes down/), eval_time: '30m', exp_samples: [{ labels: '{}', value: 1 }] },
              ],
            },
          ],
        },
        { lineWidth: 0 },
      ),
    );
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
  });
});

describe('dashboard rows per kind under promtool', { skip }, () => {
  const find = (title: string, ref = 'A') => {
    const e = dashboardExprs().find((x) => x.title === title && x.ref === ref);
    assert.ok(e, `no panel "${title}" (${ref})`);
    return e.expr;
  };
  test('every kind has a row: by status, under way with the time in the current status, failures by status code', () => {
    const dash = JSON.parse(readFileSync(join(CHART, 'dashboards/cleanroomsml-monitor.json'), 'utf8'));
    const rows = dash.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title);
    for (const k of ALL_KINDS) {
      if (k.kind === 'audienceGenerationJob') continue;
      const panels = dashboardExprs().filter((e) => e.expr.includes(`cleanroomsml_${k.snake}_status{`));
      assert.ok(
        panels.some((e) => / by status$/.test(e.title)),
        `${k.kind}: no "by status" panel`,
      );
      assert.ok(
        panels.some(
          (e) => /time in current status$/.test(e.title) && e.expr.includes(`cleanroomsml_${k.snake}_status_since_timestamp_seconds`),
        ),
        `${k.kind}: no time-in-status panel`,
      );
      assert.ok(
        dashboardExprs().some(
          (e) =>
            /failures by status code$/.test(e.title) && e.expr.includes(`kind="${k.kind}"`) && /by \(status, status_code\)/.test(e.expr),
        ),
        `${k.kind}: no failures panel`,
      );
      const under = panels.find((e) => /time in current status$/.test(e.title))!;
      assert.deepEqual(
        STATUS_SAMPLES.filter((st) => statusMatched(under.expr, st)),
        STATUS_SAMPLES.filter((st) => statusClass(st) === 'inProgress'),
        `${k.kind}: in-progress statuses, those AWS adds included`,
      );
    }
    // Overview, Teams (resources by the AWS tag team), Jobs, the six other kinds, the API, Notifications.
    assert.equal(rows.length, 5 + 6, `rows: ${rows.join(', ')}`);
  });

  test('kind panels compute what their titles say: time in status, elapsed / max runtime, records, size, failures by code', async () => {
    const f = join(dir, 'dashboard-kinds-empty-rules.yaml');
    writeFileSync(f, 'groups: []\n');
    const t = join(dir, 'dashboard-kinds.test.yaml');
    const v2 = `${TM}#version=v2`;
    const CH = ids.mlInputChannel;
    writeFileSync(
      t,
      stringify(
        {
          rule_files: [f],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                // training since 600 s with a 3600 s max runtime: at 40 min, 1800 s elapsed = 50 %
                ...resource('trainedModel', TM, 'churn', 'CREATE_IN_PROGRESS', 600, 60),
                s('cleanroomsml_trained_model_max_runtime_seconds', { arn: TM }, '3600x60'),
                // a version without a known max runtime: in the time panel, not in the ratio
                ...resource('trainedModel', v2, 'churn', 'CREATE_PENDING', 1200, 60, { version_identifier: 'v2' }),
                // an ACTIVE version with a max runtime: in neither
                ...resource('trainedModel', `${TM}#version=v3`, 'churn', 'ACTIVE', 0, 60, { version_identifier: 'v3' }),
                s('cleanroomsml_trained_model_max_runtime_seconds', { arn: `${TM}#version=v3` }, '3600x60'),
                ...resource('mlInputChannel', CH, 'events', 'ACTIVE', 0, 60),
                s('cleanroomsml_ml_input_channel_records', { arn: CH }, '120000x60'),
                s('cleanroomsml_ml_input_channel_size_bytes', { arn: CH }, '2500000000x60'),
                s(
                  'cleanroomsml_monitor_failures_total',
                  { kind: 'mlInputChannel', status: 'CREATE_FAILED', status_code: 'ACCESS_DENIED' },
                  '0x20 1x40',
                ),
                s(
                  'cleanroomsml_monitor_failures_total',
                  { kind: 'trainedModel', status: 'CREATE_FAILED', status_code: 'none' },
                  '0x20 1x40',
                ),
              ],
              promql_expr_test: [
                {
                  expr: find('Trained models under way: time in current status'),
                  eval_time: '40m',
                  exp_samples: [
                    { labels: `{arn="${TM}",name="churn",status="CREATE_IN_PROGRESS"}`, value: 1800 },
                    { labels: `{arn="${v2}",name="churn",status="CREATE_PENDING",version_identifier="v2"}`, value: 1200 },
                  ],
                },
                {
                  expr: find('Trained models training: elapsed / max runtime'),
                  eval_time: '40m',
                  exp_samples: [{ labels: `{arn="${TM}",name="churn",status="CREATE_IN_PROGRESS"}`, value: 0.5 }],
                },
                {
                  expr: find('Trained model versions: elapsed and max runtime', 'B'),
                  eval_time: '40m',
                  exp_samples: [{ labels: `{arn="${TM}"}`, value: 3600 }],
                },
                {
                  expr: find('ML input channel records'),
                  eval_time: '40m',
                  exp_samples: [{ labels: `{arn="${CH}",name="events"}`, value: 120000 }],
                },
                {
                  expr: find('ML input channel size'),
                  eval_time: '40m',
                  exp_samples: [{ labels: `{arn="${CH}",name="events"}`, value: 2500000000 }],
                },
                { expr: find('ML input channels under way: time in current status'), eval_time: '40m', exp_samples: [] },
                // the channel failure counted at 21 min, in the 5 min window that holds it; only its own kind
                {
                  expr: find('ML input channels: failures by status code'),
                  eval_time: '24m',
                  exp_samples: [{ labels: '{status="CREATE_FAILED",status_code="ACCESS_DENIED"}', value: 1 }],
                },
                {
                  expr: find('ML input channels: failures by status code'),
                  eval_time: '40m',
                  exp_samples: [{ labels: '{status="CREATE_FAILED",status_code="ACCESS_DENIED"}', value: 0 }],
                },
              ],
            },
          ],
        },
        { lineWidth: 0 },
      ),
    );
    const r = await execFileP('promtool', ['test', 'rules', t]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
  });
});

// ---- the Alertmanager example's Slack text, rendered by Alertmanager's own template engine ----

const amSkip = missingBinaries('amtool');

/** Renders an Alertmanager template text against template.Data (amtool >= 0.24 has `template render`). */
async function amRender(text: string, data: unknown): Promise<string> {
  const f = join(dir, `am-data-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(data));
  const r = await execFileP('amtool', [
    'template',
    'render',
    '--template.glob=/dev/null',
    `--template.data=${f}`,
    `--template.text=${text}`,
  ]).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `amtool template render: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('config/alertmanager-example.yaml renders the Slack messages it claims', { skip: amSkip }, () => {
  const RB = `${RUNBOOK}#cleanroomsmlaudiencejobfailed`;
  const alerts = [
    {
      status: 'firing',
      generatorURL: 'http://prometheus/graph?g0=1',
      labels: { alertname: 'CleanRoomsMLAudienceJobFailed', arn: A, severity: 'warning' },
      annotations: {
        summary: 'Clean Rooms ML audience generation job seed-a is CREATE_FAILED',
        description: `Job seed-a (${A}) ended in CREATE_FAILED.`,
        runbook_url: RB,
      },
    },
    {
      status: 'firing',
      generatorURL: 'http://prometheus/graph?g0=2',
      labels: { alertname: 'CleanRoomsMLSweepsStalled', severity: 'critical', pod: POD },
      annotations: {
        summary: 'cleanroomsml-monitor has not completed a sweep recently',
        description: `The last successful sweep of ${NS}/${JOB} pod ${POD} was 10m 0s ago.`,
        runbook_url: `${RUNBOOK}#cleanroomsmlsweepsstalled`,
      },
    },
  ];
  const data = {
    receiver: 'x',
    status: 'firing',
    alerts,
    groupLabels: {},
    commonLabels: { severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
  };
  const slackText = (receiver: string) => {
    const am = parse(readFileSync(join(ROOT, 'config/alertmanager-example.yaml'), 'utf8'));
    return am.receivers.find((r: any) => r.name === receiver).slack_configs[0].text as string;
  };

  test('jobs channel: one paragraph per alert (summary, description, ARN when there is one, links), a blank line between', async () => {
    const out = await amRender(slackText('slack-cleanroomsml-jobs'), data);
    assert.equal(
      out,
      [
        '*Clean Rooms ML audience generation job seed-a is CREATE_FAILED*',
        `Job seed-a (${A}) ended in CREATE_FAILED.`,
        `ARN: \`${A}\``,
        `<${RB}|Runbook> · <http://prometheus/graph?g0=1|Graph>`,
        '',
        '*cleanroomsml-monitor has not completed a sweep recently*',
        `The last successful sweep of ${NS}/${JOB} pod ${POD} was 10m 0s ago.`,
        `<${RUNBOOK}#cleanroomsmlsweepsstalled|Runbook> · <http://prometheus/graph?g0=2|Graph>`,
      ].join('\n'),
    );
  });

  test('on-call channel: description and runbook link per alert', async () => {
    const out = await amRender(slackText('slack-cleanroomsml-oncall'), data);
    assert.equal(
      out,
      [
        `Job seed-a (${A}) ended in CREATE_FAILED.`,
        `<${RB}|Runbook>`,
        '',
        `The last successful sweep of ${NS}/${JOB} pod ${POD} was 10m 0s ago.`,
        `<${RUNBOOK}#cleanroomsmlsweepsstalled|Runbook>`,
      ].join('\n'),
    );
  });

  test('the check bites: the same text as a folded block (>-) renders one run-on paragraph', async () => {
    const folded = parse(
      `text: >-\n${slackText('slack-cleanroomsml-oncall')
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
    ).text;
    const out = await amRender(folded, data);
    assert.ok(!out.includes(`CREATE_FAILED.\n<${RB}|Runbook>`), `folded text kept its line breaks: ${JSON.stringify(out)}`);
  });
});
