// The CLI as users run it: the built dist/cli.js in a child process, against the simulator on
// 127.0.0.1. (`npm test` builds first.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDCLITEST', secretAccessKey: 'cli-test-secret-key' };
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: 'us-east-1' };
const COLLAB = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], opts: { signalAfter?: (out: string) => boolean; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['dist/cli.js', ...args], { env: { ...ENV, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    const check = () => {
      if (!signalledAt && opts.signalAfter?.(stdout + stderr)) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    };
    // Asked again while the process is quiet: a condition may turn true without new output.
    const recheck = opts.signalAfter ? setInterval(check, 200) : undefined;
    child.on('exit', () => clearInterval(recheck));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - (signalledAt || started) }));
  });
}

/** `fleet` more jobs, spread over `collaborations` (the first is COLLAB), each a discovery entry. */
async function fixture(fleet = 0, collaborations = [COLLAB]) {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  await sim.putJobs([
    {
      name: 'beta-audience',
      status: 'ACTIVE',
      collaborationId: COLLAB,
      metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.8 }], recallMetric: 0.375 },
    },
    { name: 'alpha-audience', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB },
    ...Array.from({ length: fleet }, (_, i) => ({
      name: `fleet-${i}`,
      status: 'ACTIVE',
      collaborationId: collaborations[i % collaborations.length]!,
    })),
  ]);
  const config = await writeConfig(sim.url, collaborations);
  return { sim, config };
}

async function writeConfig(simUrl: string, collaborations = [COLLAB]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crml-cli-'));
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'aws:',
      '  region: us-east-1',
      `  endpoint: ${simUrl}`,
      'discovery:',
      ...collaborations.map((c) => `  - collaborationId: ${c}`),
      'polling:',
      '  schedule: "* * * * * *"',
      'state:',
      `  dir: ${join(dir, 'state')}`,
      'server:',
      '  host: 127.0.0.1',
      '  port: 0',
      '  admin:',
      '    port: 0',
      '',
    ].join('\n'),
  );
  return config;
}

test('once prints a table sorted by name, and JSON with --json; touches no state dir', async () => {
  const { sim, config } = await fixture();
  try {
    const table = await cli(['once', '--config', config]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+STATUS\s+UPDATED\s+RECALL$/);
    assert.match(lines[1]!, /^alpha-audience\s+CREATE_IN_PROGRESS\s+\d{4}-\d\d-\d\dT\S+Z\s+-$/);
    assert.match(lines[2]!, /^beta-audience\s+ACTIVE\s+\S+\s+0\.375$/);
    const json = await cli(['once', '--config', config, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      jobs: { name: string; status: string; updateTime: string; metrics?: { recallMetric: number } }[];
    };
    assert.deepEqual(
      parsed.jobs.map((j) => [j.name, j.status]),
      [
        ['alpha-audience', 'CREATE_IN_PROGRESS'],
        ['beta-audience', 'ACTIVE'],
      ],
    );
    assert.equal(parsed.jobs[1]!.metrics?.recallMetric, 0.375);
    assert.match(parsed.jobs[0]!.updateTime, /Z$/);
  } finally {
    await sim.close();
  }
});

test('once --json lists a failed List scope in "errors" and exits 1; the table names it too', async () => {
  const { sim, config } = await fixture();
  try {
    const beta = sim.jobs().find((j) => j.name === 'beta-audience')!;
    sim.setFaults({ malformed: [{ arn: beta.audienceGenerationJobArn, kind: 'nonJson', operations: ['list'] }] });
    const json = await cli(['once', '--config', config, '--json']);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as {
      jobs: unknown[];
      errors: { scope?: { kind: string; list: string; params: Record<string, string> }; arn?: string; error: string }[];
    };
    assert.deepEqual(parsed.jobs, [], 'nothing decided from a failed scope');
    assert.equal(parsed.errors.length, 1);
    assert.deepEqual(parsed.errors[0]!.scope, {
      kind: 'audienceGenerationJob',
      list: 'ListAudienceGenerationJobs',
      params: { collaborationId: COLLAB },
    });
    assert.match(parsed.errors[0]!.error, /MalformedResponseError/);
    const table = await cli(['once', '--config', config]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, new RegExp(`^error: ListAudienceGenerationJobs collaborationId=${COLLAB}: MalformedResponseError`, 'm'));
  } finally {
    await sim.close();
  }
});

test('run serves /metrics, and SIGTERM ends it with exit 0 well within 10 s', async () => {
  const { sim, config } = await fixture();
  try {
    let url = '';
    const r = await cli(['run', '--config', config], {
      signalAfter: (out) => {
        const m = /"listen":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m && !url) {
          url = m[1]!;
          return false;
        }
        return url !== '' && /"msg":"transition alpha-audience/.test(out);
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < 10_000, `stopped in ${r.ms} ms`);
    assert.match(r.stdout, /"msg":"stopped"/);
  } finally {
    await sim.close();
  }
});

test('usage errors exit 2 with help; --version prints the package version', async () => {
  const bad = await cli(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const missing = await cli(['run']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --config FILE/);
  const v = await cli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
});

/** Run a daemon until `done(jobs)` holds for its /api/jobs, then SIGTERM it; the ARNs it watched. */
async function watchedArns(
  args: string[],
  env: Record<string, string>,
  done: (arns: string[]) => boolean,
): Promise<{ run: Run; arns: string[] }> {
  let arns: string[] = [];
  let url = '';
  let polling = false;
  const run = await cli(args, {
    env,
    signalAfter: (out) => {
      url ||= /"admin":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1] ?? '';
      if (url && !polling) {
        polling = true;
        const tick = async () => {
          try {
            const body = (await (await fetch(`${url}/api/jobs`)).json()) as { jobs: Array<{ arn: string; status?: string }> };
            arns = body.jobs.filter((j) => j.status !== undefined).map((j) => j.arn);
          } catch {
            // not listening yet
          }
          if (!done(arns)) setTimeout(tick, 200);
        };
        void tick();
      }
      return done(arns);
    },
  });
  return { run, arns };
}

test('run --shard I --total-shards N: two replicas split the fleet by discovery entry, every job watched exactly once; HOSTNAME ordinal works too', async () => {
  // Shards split the work by List scope: four collaborations, two to each replica.
  const collaborations = [COLLAB, ...['1', '2', '3'].map((n) => `${n}c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f`)];
  const { sim } = await fixture(40, collaborations);
  try {
    const all = sim
      .jobs()
      .map((j) => j.audienceGenerationJobArn)
      .sort();
    const started = Date.now();
    // Each replica is stopped once it has seen its share twice in a row (two sweeps: nothing more comes).
    const settle = () => {
      let last = '';
      let same = 0;
      return (arns: string[]) => {
        const key = arns.join();
        same = arns.length > 0 && key === last ? same + 1 : 0;
        last = key;
        return same >= 5 || Date.now() - started > 20_000;
      };
    };
    const [a, b] = await Promise.all([
      watchedArns(['run', '--config', await writeConfig(sim.url, collaborations), '--shard', '0', '--total-shards', '2'], {}, settle()),
      // The StatefulSet way: no flags, pod hostname "<name>-1" and the total from the chart.
      watchedArns(
        ['run', '--config', await writeConfig(sim.url, collaborations)],
        { HOSTNAME: 'cleanroomsml-monitor-1', CRML_TOTAL_SHARDS: '2' },
        settle(),
      ),
    ]);
    assert.equal(a.run.code, 0, a.run.stderr);
    assert.equal(b.run.code, 0, b.run.stderr);
    assert.match(a.run.stdout, /"msg":"watching shard 0 of 2"/);
    assert.match(b.run.stdout, /"msg":"watching shard 1 of 2"/);
    assert.ok(a.arns.length >= 10 && b.arns.length >= 10, `both replicas have a share: ${a.arns.length} + ${b.arns.length}`);
    assert.deepEqual(
      a.arns.filter((x) => b.arns.includes(x)),
      [],
      'no job watched twice',
    );
    assert.deepEqual([...a.arns, ...b.arns].sort(), all, 'the union is the whole fleet');
  } finally {
    await sim.close();
  }
});

test('run refuses bad shard settings with exit 2 and a message naming the fix', async () => {
  const { sim, config } = await fixture();
  try {
    const high = await cli(['run', '--config', config, '--shard', '2', '--total-shards', '2']);
    assert.equal(high.code, 2);
    assert.match(high.stderr, /--shard must be below --total-shards \(0\.\.1\), got 2/);
    const alone = await cli(['run', '--config', config, '--shard', '1']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--shard and --total-shards go together/);
    const noOrdinal = await cli(['run', '--config', config], { env: { HOSTNAME: 'laptop', CRML_TOTAL_SHARDS: '3' } });
    assert.equal(noOrdinal.code, 2);
    assert.match(noOrdinal.stderr, /needs --shard, or a StatefulSet pod hostname ending in -<ordinal> \(HOSTNAME is "laptop"\)/);
  } finally {
    await sim.close();
  }
});
