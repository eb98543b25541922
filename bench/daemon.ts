// The benchmarked daemon, as users run it: `dist/cli.js run --config FILE` in a child process,
// started as the image starts it (its ENTRYPOINT's node flags this node knows, its ENV), in a
// memory cgroup with the chart's limit when the machine allows one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chartMemoryLimitMiB, createMemoryCgroup } from './cgroup.js';
import { readImageRuntime, type ImageRuntime } from './dockerfile.js';

export const BENCH_CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret-key' };

export interface DaemonOptions {
  /** The repository root (dist/, Dockerfile, helm/). */
  root: string;
  /** A scratch directory: the config file and HOME go there. */
  dir: string;
  /** The config, written as JSON (a YAML subset). */
  config: unknown;
  /** MiB; undefined: the Helm chart's resources.limits.memory; 0: no limit. */
  memoryLimitMiB?: number | undefined;
  /** Plain `node`, without the image's ENTRYPOINT flags and ENV. */
  bare: boolean;
  /** Called when the daemon exits before stop(). */
  onEarlyExit: (message: string) => void;
  /** More arguments after `run --config FILE` (a shard: --shard I --total-shards N). */
  args?: readonly string[];
}

export interface Daemon {
  child: ChildProcess;
  pid: number;
  nodeFlags: string[];
  unknownFlags: string[];
  image: ImageRuntime;
  memoryLimitNote: string;
  /** The last 4,000 characters of its stderr. */
  stderr(): string;
  /** SIGTERM, wait for the exit, remove the cgroup. */
  stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  await writeFile(join(o.dir, 'config.yaml'), JSON.stringify(o.config));
  const limitMiB = o.memoryLimitMiB ?? (await chartMemoryLimitMiB(join(o.root, 'helm/cleanroomsml-monitor/values.yaml')));
  const cgroup = limitMiB > 0 ? await createMemoryCgroup(limitMiB) : undefined;
  const memoryLimitNote =
    limitMiB === 0
      ? 'none (--memory-limit 0)'
      : cgroup
        ? cgroup.describe
        : `none: no writable memory cgroup here, so not the ${limitMiB} MiB of a pod`;
  // The image runs Node 24: flags this node does not know are left out (and the header says so).
  // DAEMON_NODE_FLAGS adds flags NODE_OPTIONS does not take (diagnosis: --trace-gc-verbose, ...).
  const image = o.bare ? { nodeFlags: [], env: {} } : await readImageRuntime(join(o.root, 'Dockerfile'));
  const unknownFlags = image.nodeFlags.filter((f) => spawnSync(process.execPath, [f, '-e', '0']).status !== 0);
  const nodeFlags = [
    ...image.nodeFlags.filter((f) => !unknownFlags.includes(f)),
    ...(process.env.DAEMON_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
  ];
  const daemonArgv = [
    process.execPath,
    ...nodeFlags,
    join(o.root, 'dist/cli.js'),
    'run',
    '--config',
    join(o.dir, 'config.yaml'),
    ...(o.args ?? []),
  ];
  // sh puts itself in the cgroup, then becomes the daemon (exec keeps the pid).
  const [cmd, ...argv] = cgroup ? ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', cgroup.procs, ...daemonArgv] : daemonArgv;
  const child = spawn(cmd!, argv, {
    env: {
      ...image.env,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: o.dir,
      AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(process.env.DAEMON_NODE_OPTIONS ? { NODE_OPTIONS: process.env.DAEMON_NODE_OPTIONS } : {}),
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
    },
    stdio: ['ignore', process.env.BENCH_DAEMON_STDOUT ? openSync(process.env.BENCH_DAEMON_STDOUT, 'w') : 'ignore', 'pipe'],
  });
  let stderr = '';
  let stopping = false;
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.once('exit', (code, sig) => {
    if (!stopping) o.onEarlyExit(`daemon exited early (code ${code}, signal ${sig}): ${stderr.slice(-1500)}`);
  });
  return {
    child,
    pid: child.pid!,
    nodeFlags,
    unknownFlags,
    image,
    memoryLimitNote,
    stderr: () => stderr,
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      await cgroup?.remove();
    },
  };
}

/** The header line saying how the daemon was started. */
export function describeDaemon(d: Daemon, bare: boolean): string {
  return `daemon started as the image starts it: ${
    bare
      ? 'no (--bare)'
      : `node flags ${d.nodeFlags.join(' ') || '(none)'}${d.unknownFlags.length ? ` (${d.unknownFlags.join(' ')} not known to this node: left out)` : ''}, ENV ${
          Object.entries(d.image.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || '(none)'
        }`
  }; NODE_OPTIONS ${process.env.DAEMON_NODE_OPTIONS || '(none)'}; memory limit: ${d.memoryLimitNote}`;
}
