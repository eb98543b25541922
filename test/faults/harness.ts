// Shared pieces of the fault suite: a real daemon process (`node dist/cli.js run`), the in-process
// simulator driven through its HTTP control API, metric scraping, the report rows and the canary
// secrets. Everything listens on 127.0.0.1; every artifact (logs, state dirs, /metrics dumps) lands
// under FAULTS_ROOT so the runner can scan it for canaries at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { clockEnv } from '../helpers/clock-env.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO, 'dist/cli.js');
export const EGRESS_GUARD = join(REPO, 'test/faults/egress-guard.mjs');
export const ROOT = process.env['FAULTS_ROOT'] ?? mkdtempSync(join(tmpdir(), 'crml-faults-'));
mkdirSync(ROOT, { recursive: true });
export const REPORT = process.env['FAULTS_REPORT'] ?? join(ROOT, 'report.ndjson');
export const EGRESS_LOG = join(ROOT, 'egress.log');

// Canary secrets: each contains CANARY, and no artifact of the suite may contain that word.
export const CANARY_WORD = 'CANARY';
export const CREDS = { accessKeyId: 'AKIAFAULTSUITE000001', secretAccessKey: 'CANARYawsSecretKey/faults+suite0000000000' };
export const WEBHOOK_SECRET = 'whsec_CANARYfaultsSuiteWebhookSecret00000000=';
export const SLACK_PATH = '/slack/T0FAULTS/B0FAULTS/CANARYslackToken000';

export const COLLAB = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';
export const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/faults-model';
export function arn(n: number, prefix = 'a'): string {
  return `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${prefix}${String(n).padStart(7, '0')}-fa17-4bbb-8ccc-000000000000`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A row of the printed table. */
export interface Row {
  scenario: string;
  fault: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export function record(row: Row): void {
  appendFileSync(REPORT, `${JSON.stringify(row)}\n`);
}

/** Run `check` and record the row whatever happens; rethrow so node:test fails too. */
export async function scenario(row: Omit<Row, 'observed' | 'pass'>, check: (observe: (s: string) => void) => Promise<void>): Promise<void> {
  const notes: string[] = [];
  try {
    await check((s) => notes.push(s));
    record({ ...row, observed: notes.join(', '), pass: true });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!.slice(0, 160);
    record({ ...row, observed: `${notes.join(', ')}${notes.length ? '; ' : ''}FAILED: ${msg}`, pass: false });
    throw err;
  }
}

// ---- simulator -------------------------------------------------------------------------------

export interface Sim {
  sim: Simulator;
  url: string;
  control(method: string, path: string, body?: unknown): Promise<any>;
  faults(f: Record<string, unknown>): Promise<void>;
  setStatus(arn: string, status: string, extra?: Record<string, unknown>): Promise<void>;
  put(jobs: Array<Record<string, unknown>>): Promise<void>;
  requests(since?: number): Promise<Array<{ t: number; op: string; status: number; fault?: string; url?: string }>>;
  close(): Promise<void>;
}

export async function startSim(): Promise<Sim> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    sim,
    url: sim.url,
    control,
    faults: async (f) => void (await control('PUT', '/_sim/faults', f)),
    setStatus: async (a, status, extra = {}) =>
      void (await control('POST', `/_sim/jobs/${encodeURIComponent(a)}/status`, { status, ...extra })),
    put: async (jobs) => void (await control('PUT', '/_sim/jobs', { jobs })),
    requests: async (since = 0) => (await control('GET', `/_sim/requests?since=${since}`)).requests,
    close: () => sim.close(),
  };
}

// ---- daemon ----------------------------------------------------------------------------------

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface Daemon {
  name: string;
  dir: string;
  configPath: string;
  stateDir: string;
  proc: ChildProcess;
  pid: number;
  url: string;
  lines: LogLine[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  get(path: string): Promise<{ status: number; body: string }>;
  metrics(): Promise<Metrics>;
  waitLog(pred: (l: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 12 s). */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  name: string;
  /** Written as YAML (JSON is YAML). Secrets arrive through ${ENV}. */
  config?: unknown;
  /** Reuse an existing config file. */
  configPath?: string;
  stateDir?: string;
  env?: Record<string, string>;
  /** Wait for "started" (default true). */
  waitStarted?: boolean;
}

let daemonSeq = 0;
// Daemons still running when a test file ends (a failed assertion skips its cleanup) die with it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** Base config for the suite: every second, loopback everything, secrets through env. */
export function baseConfig(sim: Sim, receiverUrl: string | undefined, over: Record<string, any> = {}): Record<string, any> {
  const targets = receiverUrl
    ? [
        {
          name: 'audit',
          type: 'webhook',
          url: `${receiverUrl}/hook`,
          secret: '${FAULTS_WEBHOOK_SECRET}',
          allowHttp: true,
          retry: { baseDelayMs: 200, maxDelayMs: 1000 },
        },
        { name: 'team-slack', type: 'slack', url: '${FAULTS_SLACK_URL}', allowHttp: true, retry: { baseDelayMs: 200, maxDelayMs: 1000 } },
      ]
    : [];
  return {
    aws: { region: 'us-east-1', endpoint: sim.url, requestTimeoutMs: 1000, maxAttempts: 4 },
    polling: { schedule: '* * * * * *', maxRequestsPerSecond: 50, concurrency: 4 },
    notifications: { targets },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    log: { level: 'info' },
    ...over,
  };
}

export async function startDaemon(o: DaemonOptions & { receiverUrl?: string }): Promise<Daemon> {
  const dir = join(ROOT, o.name);
  mkdirSync(dir, { recursive: true });
  const stateDir = o.stateDir ?? join(dir, 'state');
  let configPath = o.configPath;
  if (!configPath) {
    configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, JSON.stringify({ ...(o.config as object), state: { dir: stateDir } }, null, 2));
  }
  const seq = ++daemonSeq;
  const logPath = join(dir, `daemon-${seq}.log`);
  const out = createWriteStream(logPath, { flags: 'a' });
  const proc = spawn(process.execPath, ['--import', EGRESS_GUARD, CLI, 'run', '--config', configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      // The suite's clock, when it runs under faketime; a scenario's own (o.env) wins.
      ...clockEnv(),
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
      // Keep the SDK's provider chain on loopback: no IMDS, no profile files.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      FAULTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      FAULTS_SLACK_URL: o.receiverUrl ? `${o.receiverUrl}${SLACK_PATH}` : 'http://127.0.0.1:9/none',
      FAULTS_EGRESS_LOG: EGRESS_LOG,
      ...(o.env ?? {}),
    },
  });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    out.write(c);
    buf += c.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ level: 0, msg: line });
      }
    }
    for (const w of waiters) w();
  });
  proc.stderr!.on('data', (c: Buffer) => {
    out.write(c);
    stderr.push(c.toString('utf8'));
    for (const w of waiters) w();
  });
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    proc.on('exit', (code, signal) => {
      exitedFlag = true;
      for (const w of waiters) w();
      // Let the pipes drain into the log file.
      setTimeout(() => {
        out.end();
        res({ code, signal });
      }, 50);
    });
  });
  const waitLog = (pred: (l: LogLine) => boolean, timeoutMs = 10_000, what = 'log line'): Promise<LogLine> =>
    new Promise((res, rej) => {
      const check = () => {
        const l = lines.find(pred);
        if (l) {
          done();
          res(l);
        } else if (exitedFlag) {
          done();
          rej(new Error(`${o.name}: exited before ${what}; stderr: ${stderr.join('').slice(0, 300)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`${o.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const d: Daemon = {
    name: o.name,
    dir,
    configPath,
    stateDir,
    proc,
    pid: proc.pid!,
    url: '',
    lines,
    stderr,
    exited,
    alive: () => !exitedFlag,
    async get(path) {
      const res = await fetch(`${d.url}${path}`, { signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: await res.text() };
    },
    async metrics() {
      const r = await d.get('/metrics');
      writeFileSync(join(dir, `metrics-${seq}.txt`), r.body); // scanned for canaries by the runner
      return parseMetrics(r.body);
    },
    waitLog,
    async kill(signal = 'SIGKILL') {
      if (!exitedFlag) proc.kill(signal);
      await exited;
    },
    async stop() {
      if (exitedFlag) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(t);
    },
  };
  if (o.waitStarted !== false) {
    const started = await waitLog((l) => l.msg === 'cleanroomsml-monitor started', 15_000, '"started" log line');
    d.url = String(started['listen']);
  }
  return d;
}

// ---- metrics ---------------------------------------------------------------------------------

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Metrics {
  constructor(readonly samples: Sample[]) {}
  /** Sum of every sample of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((a, s) => a + s.value, 0);
  }
  get(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  }
  /** Total AWS API requests with this outcome (both operations). */
  api(outcome: string): number {
    return this.sum('cleanroomsml_monitor_api_requests_total', { outcome });
  }
  transitions(): number {
    return this.sum('cleanroomsml_monitor_transitions_total');
  }
}

export function parseMetrics(text: string): Metrics {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return new Metrics(out);
}

// ---- probing -----------------------------------------------------------------------------------

/**
 * Poll /healthz, /readyz and /metrics every `everyMs` until stopped; keeps every answer with its
 * time. `fresh`: a fully successful sweep finished within the last 3 poll intervals (AWS health is
 * in metrics, not in readiness, which only says config and state are fine).
 */
export function probe(d: Daemon, everyMs = 200): { stop(): Promise<Array<{ t: number; health: number; ready: number; fresh: boolean }>> } {
  const seen: Array<{ t: number; health: number; ready: number; fresh: boolean }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const [h, r, fresh] = await Promise.all([
        d.get('/healthz').then(
          (x) => x.status,
          () => 0,
        ),
        d.get('/readyz').then(
          (x) => x.status,
          () => 0,
        ),
        d.metrics().then(
          (m) => isFresh(m, t),
          () => false,
        ),
      ]);
      seen.push({ t, health: h, ready: r, fresh });
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** A fully successful sweep finished within the last 3 poll intervals (as seen at `now`). */
export function isFresh(m: Metrics, now: number): boolean {
  const last = (m.get('cleanroomsml_monitor_last_successful_poll_timestamp_seconds') ?? 0) * 1000;
  const interval = (m.get('cleanroomsml_monitor_poll_interval_seconds') ?? 1) * 1000;
  return last > 0 && now - last <= 3 * interval;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/**
 * /readyz 200 (config and state fine) and a fully successful sweep finished (after `sinceMs`,
 * when given): readiness alone no longer waits for AWS.
 */
export async function waitReady(d: Daemon, timeoutMs = 15_000, sinceMs?: number): Promise<void> {
  await waitFor(
    async () => {
      if ((await d.get('/readyz')).status !== 200) return false;
      const last = ((await d.metrics()).get('cleanroomsml_monitor_last_successful_poll_timestamp_seconds') ?? 0) * 1000;
      return last > 0 && last >= (sinceMs ?? 0);
    },
    timeoutMs,
    `${d.name} /readyz 200 and a successful sweep`,
  );
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Transition log lines of a daemon (msg starts with "transition "). */
export function transitionLines(d: Daemon): LogLine[] {
  return d.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('transition '));
}
