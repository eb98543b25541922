// Values read through `<key>File` and `${NAME}` are never echoed: every way a config can go wrong
// with a canary secret in a file or a variable is run through the real CLI (`check-config` and
// `run`, dist/cli.js), and the canary appears in none of stdout or stderr. `<key>File` is only
// for secrets (url, secret): `state.dirFile: /proc/self/environ` is refused before any read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, DAEMON_CREDS, daemonEnv } from '../helpers/daemon.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';

const JOB = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/33333333-aaaa-4bbb-8ccc-000000000001';
const FILE_CANARY = 'CANARYFILEa1b2c3d4e5';
const ENV_CANARY = 'CANARYENVf6e5d4c3b2';
const CANARIES = [FILE_CANARY, ENV_CANARY, DAEMON_CREDS.secretAccessKey];

function run(args: string[], env: NodeJS.ProcessEnv, ms = 15_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function assertClean(out: string, what: string): void {
  for (const c of CANARIES) assert.equal(out.includes(c), false, `${what}: a canary leaked:\n${out}`);
}

test('invalid configs carrying canary secrets: check-config and run exit 2, name key and path, echo nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-cfgsecret-'));
  const secretFile = join(dir, 'canary');
  await writeFile(secretFile, `${FILE_CANARY}-not-a-whsec-value\n`);
  const urlLike = join(dir, 'url-canary');
  await writeFile(urlLike, `not a url ${FILE_CANARY}\n`);
  const big = join(dir, 'big');
  await writeFile(big, `${FILE_CANARY}\n`.repeat(8000));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const env = { ...daemonEnv(dir), CANARY_VAR: ENV_CANARY, CANARY_URL: `https://hooks.example.com/${ENV_CANARY}` };
  const target = (extra: string) => `notifications:\n  targets:\n    - name: t\n      type: webhook\n${extra}`;
  const cases: Array<[string, string, RegExp]> = [
    [
      'state.dirFile (a secret file)',
      `jobs: [{arn: ${JOB}}]\nstate:\n  dirFile: ${secretFile}\n`,
      /state\.dirFile: only secrets \(url, secret\) can be read from a file/,
    ],
    ['state.dirFile: /proc/self/environ', `jobs: [{arn: ${JOB}}]\nstate:\n  dirFile: /proc/self/environ\n`, /state\.dirFile: only secrets/],
    [
      'urlFile: /proc/self/environ',
      `jobs: [{arn: ${JOB}}]\n${target('      urlFile: /proc/self/environ\n')}`,
      /notifications\.targets\[0\]\.url/,
    ],
    ['urlFile: not a URL', `jobs: [{arn: ${JOB}}]\n${target(`      urlFile: ${urlLike}\n`)}`, /notifications\.targets\[0\]\.url/],
    [
      'secretFile: not whsec',
      `jobs: [{arn: ${JOB}}]\n${target(`      url: https://hooks.example.com/x\n      secretFile: ${secretFile}\n`)}`,
      /notifications\.targets\[0\]\.secret/,
    ],
    [
      'secretFile: 60 KiB+',
      `jobs: [{arn: ${JOB}}]\n${target(`      url: https://hooks.example.com/x\n      secretFile: ${big}\n`)}`,
      /is larger than 64 KiB/,
    ],
    [
      'secretFile: a FIFO',
      `jobs: [{arn: ${JOB}}]\n${target(`      url: https://hooks.example.com/x\n      secretFile: ${fifo}\n`)}`,
      /not a regular file/,
    ],
    ['server.port: ${CANARY_VAR}', `jobs: [{arn: ${JOB}}]\nserver:\n  port: \${CANARY_VAR}\n`, /server\.port/],
    ['aws.region: ${CANARY_VAR}', `jobs: [{arn: ${JOB}}]\naws:\n  region: \${CANARY_VAR}\n`, /aws\.region/],
    ['polling.schedule: ${CANARY_VAR}', `jobs: [{arn: ${JOB}}]\npolling:\n  schedule: \${CANARY_VAR}\n`, /polling\.schedule/],
    ['jobs[0].arn: ${CANARY_VAR}', `jobs: [{arn: "\${CANARY_VAR}"}]\n`, /jobs\[0\]\.arn/],
    ['state.dir: ${CANARY_URL} as a list', `jobs: [{arn: ${JOB}}]\nstate:\n  dir: ["\${CANARY_URL}"]\n`, /state\.dir/],
    ['log.level: ${CANARY_VAR}', `jobs: [{arn: ${JOB}}]\nlog:\n  level: \${CANARY_VAR}\n`, /log\.level/],
    ['url: ${CANARY_URL} with http', `jobs: [{arn: ${JOB}}]\n${target('      url: ${CANARY_URL}\n      statuses: [nope]\n')}`, /statuses/],
  ];
  for (const [name, yaml, expected] of cases) {
    const cfg = join(dir, 'config.yaml');
    await writeFile(cfg, yaml);
    for (const verb of ['check-config', 'run']) {
      const r = await run([verb, '--config', cfg], env);
      assert.equal(r.code, 2, `${name} / ${verb}: exit ${r.code}\n${r.out}`);
      assert.match(r.out, expected, `${name} / ${verb}`);
      assertClean(r.out, `${name} / ${verb}`);
    }
  }
  const r = await run(['check-config', '--config', join(dir, 'config.yaml')], env);
  assert.ok(r.out.length > 0);
  // The file path is named (the key and the file, never the value).
  await writeFile(
    join(dir, 'config.yaml'),
    `jobs: [{arn: ${JOB}}]\n${target(`      url: https://hooks.example.com/x\n      secretFile: ${fifo}\n`)}`,
  );
  assert.ok((await run(['check-config', '--config', join(dir, 'config.yaml')], env)).out.includes(fifo));
});

test('a valid config with file and env secrets: check-config and a debug-level run print none of them', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  sim.putJobs([{ arn: JOB, name: 'canary-run', status: 'CREATE_IN_PROGRESS' }]);
  const rx = await startReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'crml-cfgsecret-ok-'));
  const secret = `whsec_${Buffer.from(`${FILE_CANARY}-signing-key`).toString('base64')}`;
  await writeFile(join(dir, 'secret'), `${secret}\n`);
  await writeFile(join(dir, 'url'), `${rx.url}/hook/${FILE_CANARY}\n`);
  const cfg = join(dir, 'config.yaml');
  await writeFile(
    cfg,
    [
      `aws: {region: us-east-1, endpoint: "${sim.url}", maxAttempts: 1}`,
      `jobs: [{arn: ${JOB}}]`,
      `polling: {schedule: "* * * * * *"}`,
      `notifications:`,
      `  targets:`,
      `    - {name: file-hook, type: webhook, urlFile: url, secretFile: secret, allowHttp: true}`,
      `    - {name: env-hook, type: webhook, url: "${rx.url}/env/\${CANARY_VAR}", allowHttp: true}`,
      `state: {dir: "${join(dir, 'state')}"}`,
      `server: {host: 127.0.0.1, port: 0, admin: {port: 0}}`,
      `log: {level: debug}`,
    ].join('\n'),
  );
  const env = { ...daemonEnv(dir), CANARY_VAR: ENV_CANARY };
  const secrets = [...CANARIES, secret, secret.slice('whsec_'.length)];
  try {
    const check = await run(['check-config', '--config', cfg], env);
    assert.equal(check.code, 0, check.out);
    const child = spawn(process.execPath, [CLI, 'run', '--config', cfg], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    const end = Date.now() + 15_000;
    while (!out.includes('"to":"CREATE_IN_PROGRESS"') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    sim.setStatus(JOB, { status: 'ACTIVE' });
    await rx.waitFor(2, 10_000);
    child.kill('SIGTERM');
    await exited;
    assert.ok(
      rx.requests.some((q) => q.path.includes(FILE_CANARY)) && rx.requests.some((q) => q.path.includes(ENV_CANARY)),
      'the secrets were used',
    );
    for (const s of secrets) assert.equal((check.out + out).includes(s), false, `a secret leaked into the daemon's output`);
  } finally {
    await rx.close();
    await sim.close();
  }
});
