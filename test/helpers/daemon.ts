// The real daemon as users run it: `node dist/cli.js run --config FILE` in a child process, with
// AWS credentials in the environment (verified by the in-process simulator's SigV4 check), a
// private HOME (no ~/.aws), IMDS disabled, and the test's clock (libfaketime's variables, when the
// test runs under faketime). Captures stdout/stderr for leak scans. Build first.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockEnv } from './clock-env.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(ROOT, 'dist/cli.js');

export const DAEMON_CREDS = { accessKeyId: 'AKIDDELIVERYTEST', secretAccessKey: 'delivery-test-aws-secret-CANARYAWS' };

export function daemonEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...clockEnv(),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: DAEMON_CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DAEMON_CREDS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A port that was free a moment ago (for configs that must name one, e.g. for `outbox` to reach the daemon). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Workdir {
  dir: string;
  stateDir: string;
  configPath: string;
  writeConfig(config: unknown): Promise<void>;
  /** Every file of the state dir, name -> content. */
  stateFiles(): Promise<Record<string, string>>;
}

export async function workdir(prefix: string): Promise<Workdir> {
  const dir = await mkdtemp(join(tmpdir(), `crml-${prefix}-`));
  const stateDir = join(dir, 'state');
  const configPath = join(dir, 'config.yaml');
  return {
    dir,
    stateDir,
    configPath,
    // JSON is YAML: no quoting surprises in URLs or patterns.
    writeConfig: (config) => writeFile(configPath, JSON.stringify(config, null, 2)),
    async stateFiles() {
      const out: Record<string, string> = {};
      for (const f of await readdir(stateDir).catch(() => [] as string[]))
        out[f] = await readFile(join(stateDir, f), 'utf8').catch(() => '');
      return out;
    },
  };
}

export interface Daemon {
  child: ChildProcess;
  pid: number;
  /** Base URL of its HTTP server, from the "started" log line. */
  url: string;
  /** Base URL of its admin listener (the JSON API), from the same line. */
  adminUrl: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Every byte any daemon of this test wrote, for leak scans. */
export const allDaemonOutput: string[] = [];

/** `args`: more arguments after `run --config FILE` (a shard: --shard I --total-shards N). */
export async function startDaemon(w: Workdir, opts: { timeoutMs?: number; args?: readonly string[] } = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [CLI, 'run', '--config', w.configPath, ...(opts.args ?? [])], {
    env: daemonEnv(w.dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  allDaemonOutput.push('');
  const slot = allDaemonOutput.length - 1;
  const [url, adminUrl] = await new Promise<[string, string]>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      // A daemon that never said "started" must not outlive the test (it would keep the runner alive).
      child.kill('SIGKILL');
      reject(new Error(`daemon did not start in ${opts.timeoutMs ?? 15_000} ms:\n${out}\n${err}`));
    }, opts.timeoutMs ?? 15_000);
    const scan = () => {
      const m = /"listen":"(http:\/\/[^"]+)","admin":"([^"]+)"[^\n]*cleanroomsml-monitor started/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl([m[1]!, m[2]!]);
      }
    };
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      allDaemonOutput[slot] = out + err;
      scan();
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      allDaemonOutput[slot] = out + err;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code}) before starting:\n${out}\n${err}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    url,
    adminUrl,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion (e.g. `outbox list`), `env` added to the daemon's environment. */
export function runCli(
  w: Workdir,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...daemonEnv(w.dir), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Polls `cond` every 25 ms until it holds; fails with `what` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A config for the daemon against the simulator; targets and extras are merged in. */
export function baseConfig(opts: {
  simUrl: string;
  stateDir: string;
  collaborationId: string;
  targets: unknown[];
  port?: number;
  adminPort?: number;
  logLevel?: string;
}) {
  return {
    aws: { region: 'us-east-1', endpoint: opts.simUrl, maxAttempts: 2, requestTimeoutMs: 2_000 },
    discovery: [{ collaborationId: opts.collaborationId }],
    polling: { schedule: '* * * * * *', maxRequestsPerSecond: 100, concurrency: 8 },
    notifications: { targets: opts.targets },
    state: { dir: opts.stateDir },
    // Port 0: a free one (tests run in parallel); the CLI reaching a running daemon needs a fixed adminPort.
    server: { host: '127.0.0.1', port: opts.port ?? 0, admin: { host: '127.0.0.1', port: opts.adminPort ?? 0 } },
    log: { level: opts.logLevel ?? 'info' },
  };
}

/** The value of the first sample of `name` whose labels include `labels`. */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function getText(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

export interface OutboxView {
  pending: Array<{ id: string; target: string; arn: string; status: string; createdAt: string; attempts: number; lastError?: string }>;
  deadLetters: Array<{
    id: string;
    target: string;
    arn: string;
    status: string;
    createdAt: string;
    attempts: number;
    deadAt: string;
    reason: string;
    lastError?: string;
  }>;
}

export async function outboxOf(d: Daemon): Promise<OutboxView> {
  return (await (await fetch(`${d.adminUrl}/api/outbox`)).json()) as OutboxView;
}

/** The daemon's view of each job (GET /api/jobs): arn -> "STATUS updateTime". */
export async function observed(d: Daemon): Promise<Map<string, string>> {
  const v = (await (await fetch(`${d.adminUrl}/api/jobs`)).json()) as {
    jobs: Array<{ arn: string; status?: string; updateTime?: string }>;
  };
  return new Map(v.jobs.map((j) => [j.arn, `${j.status} ${j.updateTime}`]));
}
