// CPU time and connections per AWS call, for this checkout and, with --baseline DIR, another
// checkout (built, with node_modules) measured the same way in the same run, e.g.
// `git worktree add --detach /tmp/base main && (cd /tmp/base && npm ci && npm run build)`:
// - the daemon: `once` against the simulator on 127.0.0.1, over plain http and over TLS, reading
//   --small and then --jobs static jobs (one Get each); the difference in process CPU time (user +
//   sys, from /usr/bin/time) divided by the difference in calls, so start-up cost cancels out. It
//   includes everything the daemon does per job;
// - the client alone: each build's Clean Rooms ML client in this process, --client-calls Gets (8
//   at a time) against a simulator in a child process, CPU time of this process per call.
//   npm run build && node --import tsx bench/cpu-per-call.ts [--baseline DIR] [--jobs 1200] [--small 200] [--runs 3]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/dev/sim/server.js';
import { BENCH_CREDENTIALS } from './daemon.js';
import { percentile } from './harness.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    jobs: { type: 'string', default: '1200' },
    small: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    'client-calls': { type: 'string', default: '2000' },
  },
});
const CERT = join(ROOT, 'test/fixtures/tls/localhost.crt');
const KEY = join(ROOT, 'test/fixtures/tls/localhost.key');
const arn = (i: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-eeee-4bbb-8ccc-${String(i).padStart(12, '0')}`;

interface Sample {
  cpuS: number;
  calls: number;
  connections: number;
}

/** One `once` of `root`'s build reading `n` jobs; its CPU time, the calls and connections the simulator saw. */
async function once(root: string, n: number, tls: boolean): Promise<Sample> {
  const sim = await startSimulator({
    credentials: BENCH_CREDENTIALS,
    ...(tls ? { tls: { key: await readFile(KEY), cert: await readFile(CERT) } } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), 'crml-cpu-'));
  try {
    const jobs = Array.from({ length: n }, (_, i) => arn(i));
    sim.putJobs(jobs.map((a, i) => ({ arn: a, name: `cpu-${i}`, status: 'CREATE_IN_PROGRESS' })));
    await writeFile(
      join(dir, 'config.yaml'),
      JSON.stringify({
        aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 4 },
        jobs: jobs.map((a) => ({ arn: a })),
        polling: { concurrency: Number(args.concurrency), maxRequestsPerSecond: 100 },
        state: { dir: join(dir, 'state') },
      }),
    );
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'cpu %U %S', process.execPath, join(root, 'dist/cli.js'), 'once', '--config', join(dir, 'config.yaml')],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: 'true',
          ...(tls ? { NODE_EXTRA_CA_CERTS: CERT } : {}),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
    if (code !== 0 || !m) throw new Error(`once failed (${code}): ${err.slice(-2000)}`);
    const s = sim.stats();
    const calls = Object.values(s.requests).reduce((t, o) => t + Object.values(o).reduce((a, b) => a + b, 0), 0);
    return { cpuS: Number(m[1]) + Number(m[2]), calls, connections: s.connections };
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU µs of this process per Get of `root`'s client against the simulator at `url`, 8 calls in flight. */
async function clientCpuPerCall(root: string, url: string, arns: string[], calls: number): Promise<number> {
  const { createResourceClient } = (await import(
    join(root, 'src/aws/resource-client.ts')
  )) as typeof import('../src/aws/resource-client.js');
  const { KINDS } = (await import(join(root, 'src/kinds/index.ts'))) as typeof import('../src/kinds/index.js');
  const client = createResourceClient({ region: 'us-east-1', endpoint: url, credentials: async () => BENCH_CREDENTIALS });
  let next = 0;
  const t0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < calls) await client.get(KINDS.audienceGenerationJob, { arn: arns[next++ % arns.length]!, parents: {} });
    }),
  );
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / calls;
}

/** The client-alone table rows: the simulator in a child process, so its CPU is not counted. */
async function clientRows(variants: Array<[string, string]>): Promise<string[]> {
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const sim = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'simulate', '--port', String(port), '--jobs', '50'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let simErr = '';
  sim.stderr.on('data', (d: Buffer) => (simErr += d.toString()));
  try {
    const url = `http://127.0.0.1:${port}`;
    let arns: string[] = [];
    for (let i = 0; i < 600 && arns.length === 0 && sim.exitCode === null; i++) {
      arns = await fetch(`${url}/_sim/jobs`).then(
        async (r) =>
          ((await r.json()) as { jobs: Array<{ audienceGenerationJobArn: string }> }).jobs.map((j) => j.audienceGenerationJobArn),
        () => [],
      );
      if (arns.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (arns.length === 0) throw new Error(`the simulator did not start: ${simErr.slice(-2000)}`);
    const per = new Map<string, number[]>();
    // A warm-up round each, then interleaved rounds.
    for (let round = 0; round <= Number(args.runs); round++)
      for (const [name, root] of round % 2 ? [...variants].reverse() : variants) {
        const us = await clientCpuPerCall(root, url, arns, Number(args['client-calls']));
        if (round > 0) per.set(name, [...(per.get(name) ?? []), us]);
      }
    return [...per].map(
      ([name, us]) => `| ${name} | ${percentile(us, 50).toFixed(0)} (${Math.min(...us).toFixed(0)}-${Math.max(...us).toFixed(0)}) |`,
    );
  } finally {
    sim.kill();
  }
}

async function main(): Promise<void> {
  const variants: Array<[string, string]> = [['this checkout', ROOT]];
  if (args.baseline) variants.unshift(['baseline', resolve(args.baseline)]);
  const small = Number(args.small);
  const big = Number(args.jobs);
  const rows: string[] = [];
  for (const tls of [false, true]) {
    const per = new Map<string, { usPerCall: number[]; connPer1k: number[] }>();
    for (let run = 0; run < Number(args.runs); run++) {
      // Interleaved, so load from others on the machine falls on both variants alike.
      for (const [name, root] of variants) {
        const a = await once(root, small, tls);
        const b = await once(root, big, tls);
        const r = per.get(name) ?? { usPerCall: [], connPer1k: [] };
        r.usPerCall.push(((b.cpuS - a.cpuS) / (b.calls - a.calls)) * 1e6);
        r.connPer1k.push((b.connections / b.calls) * 1000);
        per.set(name, r);
        process.stderr.write(
          `[cpu-per-call] ${tls ? 'https' : 'http'} ${name} run ${run + 1}: ${b.calls} calls on ${b.connections} connections, ${b.cpuS.toFixed(2)} s CPU (${a.cpuS.toFixed(2)} s for ${a.calls})\n`,
        );
      }
    }
    for (const [name, r] of per)
      rows.push(
        `| ${tls ? 'https (TLS)' : 'http'} | ${name} | ${percentile(r.usPerCall, 50).toFixed(0)} (${Math.min(...r.usPerCall).toFixed(0)}-${Math.max(...r.usPerCall).toFixed(0)}) | ${percentile(r.connPer1k, 50).toFixed(1)} |`,
      );
  }
  const client = await clientRows(variants);
  process.stdout.write(
    [
      `CPU per AWS call of the daemon: once over ${big} minus once over ${small} static jobs (one Get each), concurrency ${args.concurrency}, median of ${args.runs} runs, node ${process.version}`,
      '',
      '| transport | build | CPU µs per call (min-max) | connections per 1,000 calls |',
      '|---|---|---|---|',
      ...rows,
      '',
      `CPU per Get of the client alone (plain http, ${args['client-calls']} Gets 8 at a time, median of ${args.runs} rounds)`,
      '',
      '| build | CPU µs per call (min-max) |',
      '|---|---|',
      ...client,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`cpu-per-call failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
