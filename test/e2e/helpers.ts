// Shared plumbing of the deployment suite: paths, chart rendering, free ports, child processes.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ALL_KINDS } from '../../src/kinds/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART = join(ROOT, 'helm/cleanroomsml-monitor');
/** The built CLI; E2E_CLI points the suite at another build (development only). */
export const CLI = process.env.E2E_CLI ?? join(ROOT, 'dist/cli.js');
/** A Helm template renderer at ../shared/tools/chart-render beside the checkout; CHART_RENDER overrides. */
export const CHART_RENDER = process.env.CHART_RENDER ?? resolve(ROOT, '../shared/tools/chart-render/chart-render');

export const execFileP = promisify(execFile);

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
}

/**
 * `helm` when it is on the PATH (a contributor's machine, a CI with helm; HELM names another binary),
 * else undefined and the chart-render tool stands in (an approximation: no schema check, no lint).
 */
export const HELM = process.env.HELM ?? which('helm');

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Why nothing can render the chart in this run (no helm, no chart-render), or undefined when
 * something can. The tests that render skip with this one message, which says what to install.
 */
export const NO_RENDERER: string | undefined =
  HELM || executable(CHART_RENDER)
    ? undefined
    : `rendering the chart needs helm: install it (https://helm.sh/docs/intro/install/) or point CHART_RENDER at a chart-render binary ` +
      `(helm is not on the PATH; ${process.env.CHART_RENDER ? 'CHART_RENDER=' : ''}${CHART_RENDER} is ${existsSync(CHART_RENDER) ? 'not executable' : 'absent'})`;

/** What renders the chart in this run, for test titles and messages. */
export const RENDERER = HELM ? 'helm template' : NO_RENDERER ? 'no renderer' : 'chart-render';

/** chart-render's arguments as `helm template` takes them: the release is positional, the namespace a flag. */
export function helmTemplateArgs(args: string[]): string[] {
  let release = 'release';
  let namespace = 'default';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--release') release = args[++i]!;
    else if (args[i] === '--namespace' || args[i] === '-n') namespace = args[++i]!;
    else rest.push(args[i]!);
  }
  // helm's own default kube version may be older than the chart's kubeVersion constraint.
  return ['template', release, CHART, '--namespace', namespace, '--kube-version', '1.33.0', ...rest];
}

/** Renders the chart (helm template, or chart-render); returns the objects (empty documents dropped). Throws with the renderer's stderr. */
export async function renderChart(args: string[] = []): Promise<K8sObject[]> {
  if (NO_RENDERER) throw new Error(NO_RENDERER);
  const [cmd, argv] = HELM ? [HELM, helmTemplateArgs(args)] : [CHART_RENDER, [CHART, ...args]];
  const { stdout } = await execFileP(cmd, argv, { maxBuffer: 32 << 20 }).catch((e: any) => {
    throw new Error(`${RENDERER} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  });
  const objs: K8sObject[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const o = doc.toJS();
    if (o) objs.push(o);
  }
  return objs;
}

export function findObject(objs: K8sObject[], kind: string, nameSuffix = ''): K8sObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.endsWith(nameSuffix));
  if (!o) throw new Error(`no ${kind}${nameSuffix ? ` named *${nameSuffix}` : ''} rendered (have: ${objs.map((x) => x.kind).join(', ')})`);
  return o;
}

export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Reason to skip a test that needs these binaries, or undefined when all exist. */
export function missingBinaries(...bins: string[]): string | undefined {
  const missing = bins.filter((b) => !which(b));
  return missing.length ? `needs ${missing.join(', ')} (apt-get install -y prometheus prometheus-alertmanager)` : undefined;
}

/** Reason to skip a test that needs the built daemon, or undefined. */
export function missingDaemon(): string | undefined {
  return existsSync(CLI) ? undefined : 'dist/cli.js is absent (npm run build first)';
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value or the time runs out (then throws with the last error). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ''}`);
}

/** A child process whose output is kept for failure messages. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function start(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

export async function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string; contentType: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, body: await r.text(), contentType: r.headers.get('content-type') ?? '' };
}

/** The metric names the monitor exports (docs/metrics.md); the dashboard and rules may use only these. */
export const KNOWN_METRICS = [
  'cleanroomsml_audience_generation_job_status',
  'cleanroomsml_audience_generation_job_info',
  'cleanroomsml_audience_generation_job_created_timestamp_seconds',
  'cleanroomsml_audience_generation_job_updated_timestamp_seconds',
  'cleanroomsml_audience_generation_job_relevance_score',
  'cleanroomsml_audience_generation_job_recall_ratio',
  'cleanroomsml_monitor_api_requests_total',
  'cleanroomsml_monitor_transitions_total',
  'cleanroomsml_monitor_notifications_total',
  'cleanroomsml_monitor_outbox_pending',
  'cleanroomsml_monitor_outbox_oldest_pending_age_seconds',
  'cleanroomsml_monitor_dead_letters',
  'cleanroomsml_monitor_dead_letters_evicted_total',
  'cleanroomsml_monitor_resources_tracked',
  'cleanroomsml_monitor_jobs_tracked',
  'cleanroomsml_monitor_last_successful_poll_timestamp_seconds',
  'cleanroomsml_monitor_poll_interval_seconds',
  'cleanroomsml_monitor_sweeps_total',
  'cleanroomsml_monitor_sweeps_skipped_total',
  'cleanroomsml_monitor_sweep_duration_seconds',
  'cleanroomsml_monitor_ready',
  'cleanroomsml_monitor_config_last_reload_successful',
  'cleanroomsml_monitor_build_info',
  'cleanroomsml_monitor_state_write_errors_total',
  'cleanroomsml_monitor_state_checkpoint_failures_total',
  'cleanroomsml_monitor_state_health',
  'cleanroomsml_monitor_state_journal_bytes',
  'cleanroomsml_monitor_state_journal_limit_bytes',
  'cleanroomsml_monitor_state_files_quarantined_total',
  'cleanroomsml_monitor_process_start_time_seconds',
  'cleanroomsml_monitor_discovery_scope_up',
  'cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds',
  'cleanroomsml_audience_generation_job_status_since_timestamp_seconds',
  'cleanroomsml_monitor_failures_total',
  'cleanroomsml_monitor_api_values_out_of_range_total',
  'cleanroomsml_monitor_api_requests_resent_total',
  'cleanroomsml_monitor_api_items_refused_total',
  'cleanroomsml_monitor_shard_info',
  'cleanroomsml_monitor_shard_lists',
  'cleanroomsml_monitor_shard_handover',
  // every kind's families: status, info, timestamps and its declared results
  ...ALL_KINDS.flatMap((k) => [
    ...['status', 'info', 'tags', 'created_timestamp_seconds', 'updated_timestamp_seconds', 'status_since_timestamp_seconds'].map(
      (f) => `cleanroomsml_${k.snake}_${f}`,
    ),
    ...k.results.map((r) => `cleanroomsml_${k.snake}_${r.key}`),
  ]),
];
