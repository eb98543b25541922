// Production-install smoke test, mirroring the Dockerfile outside Docker: `npm pack`, then the packed package
// installed with `npm ci --omit=dev` in a temp dir, run as an unprivileged user (uid/gid 65532, as in the image)
// with the code and config read-only and only the state dir writable. It must start, serve /metrics, notice the
// simulator's jobs, and exit 0 within 5 s of SIGTERM. The simulator is a development tool that the package leaves
// out: it runs from this checkout's build, and the packed CLI must refuse `simulate` and `demo`.
import { ASSET_TYPES } from '../../src/http/assets.js';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, ROOT, execFileP, freePort, httpGet, missingDaemon, start, waitFor, type Proc } from './helpers.js';
import { clockEnv } from '../helpers/clock-env.js';

const UID = 65532;
const isRoot = process.getuid?.() === 0;
const haveSetpriv = existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
const skip = missingDaemon() ?? (isRoot && !haveSetpriv ? 'needs setpriv (util-linux) to drop privileges' : undefined);
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SECRET = `whsec_${Buffer.from('smoke-test-signing-secret-32-bytes!!').toString('base64')}`;

function chmodTree(p: string, mode: (isDir: boolean) => number): void {
  const st = statSync(p);
  if (st.isDirectory()) for (const e of readdirSync(p)) chmodTree(join(p, e), mode);
  chmodSync(p, mode(st.isDirectory()));
}

describe('production install (npm pack + npm ci --omit=dev) as an unprivileged user', { skip, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'crml-smoke-'));
  const app = join(dir, 'app');
  const etc = join(dir, 'etc');
  const state = join(dir, 'state');
  const procs: Proc[] = [];
  let node = process.execPath;
  let sim: Proc;
  let simUrl = '';
  let hookCount = 0;
  let hookServer: import('node:http').Server;
  let hookPort = 0;

  before(async () => {
    chmodSync(dir, 0o755);
    // 1. npm pack (what the Dockerfile's build stage does after compiling).
    const pack = await execFileP('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 });
    const tarball = join(dir, JSON.parse(pack.stdout)[0].filename);
    // 2. Unpack and install production dependencies from the lock file.
    mkdirSync(app);
    await execFileP('tar', ['-xzf', tarball, '-C', app, '--strip-components=1']);
    copyFileSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    await execFileP('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: app,
      maxBuffer: 16 << 20,
    }).catch((e) => {
      throw new Error(`npm ci --omit=dev failed: ${e.stderr || e.message}`);
    });
    rmSync(join(app, 'package-lock.json'));
    // 3. Code read-only for everyone; only the state dir is writable, by the runtime user.
    chmodTree(app, (d) => (d ? 0o555 : 0o444));
    mkdirSync(etc);
    mkdirSync(state, { mode: 0o700 });
    if (isRoot) {
      chownSync(state, UID, UID);
      // The runtime user must be able to execute node: copy it out of a private location if need be.
      const probe = await execFileP('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', node, '--version']).catch(
        () => undefined,
      );
      if (!probe) {
        mkdirSync(join(dir, 'bin'));
        copyFileSync(process.execPath, join(dir, 'bin/node'));
        chmodSync(join(dir, 'bin/node'), 0o555);
        node = join(dir, 'bin/node');
      }
    }
    // A webhook receiver, and the simulator from the source checkout (the package does not ship it).
    const { createServer } = await import('node:http');
    hookServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hookCount++;
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookPort = (hookServer.address() as { port: number }).port;
    const simPort = await freePort();
    sim = start(process.execPath, [CLI, 'simulate', '--port', String(simPort)]);
    procs.push(sim);
    simUrl = `http://127.0.0.1:${simPort}`;
    await waitFor('the simulator', async () => (await httpGet(`${simUrl}/_sim/jobs`)).status === 200, 20_000).catch((e) => {
      throw new Error(`${e.message}\n${sim.output()}`);
    });
    const put = await fetch(`${simUrl}/_sim/jobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobs: [{ name: 'smoke-seed', arn: ARN, status: 'CREATE_IN_PROGRESS' }] }),
    });
    assert.equal(put.status, 200, await put.text());
    // Config as the Helm chart renders it: secrets as *File keys pointing at read-only files.
    writeFileSync(join(etc, 'hook-url'), `http://127.0.0.1:${hookPort}/hook\n`);
    writeFileSync(join(etc, 'hook-secret'), `${SECRET}\n`);
    writeFileSync(
      join(etc, 'config.yaml'),
      [
        'aws:',
        '  region: us-east-1',
        `  endpoint: ${simUrl}`,
        'jobs:',
        `  - arn: ${ARN}`,
        'polling:',
        '  schedule: "* * * * * *"',
        'notifications:',
        '  targets:',
        '    - name: audit',
        '      type: webhook',
        `      urlFile: ${join(etc, 'hook-url')}`,
        `      secretFile: ${join(etc, 'hook-secret')}`,
        '      allowHttp: true',
        `state:`,
        `  dir: ${state}`,
        'server:',
        '  host: 127.0.0.1',
        '  port: PORT',
        '  admin:',
        '    port: 0',
        'log:',
        '  level: info',
        '',
      ].join('\n'),
    );
    chmodTree(etc, (d) => (d ? 0o555 : 0o444));
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await new Promise((r) => hookServer?.close(r));
    chmodTree(dir, (d) => (d ? 0o755 : 0o644));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the install holds the package files and no dev dependency', () => {
    assert.ok(existsSync(join(app, 'dist/cli.js')));
    // The status page's files, which the admin listener reads beside dist/http/assets.js.
    for (const f of Object.keys(ASSET_TYPES)) assert.ok(existsSync(join(app, 'dist/http/static', f)), `dist/http/static/${f} missing`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.devDependencies ?? {}))
      assert.ok(!existsSync(join(app, 'node_modules', dep)), `dev dependency ${dep} installed`);
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      assert.ok(existsSync(join(app, 'node_modules', dep)), `dependency ${dep} missing`);
    assert.ok(!existsSync(join(app, 'src')), 'TypeScript sources are not shipped');
    assert.ok(!existsSync(join(app, 'dist/dev')), 'the simulator and the demo are not shipped');
  });

  for (const verb of ['simulate', 'demo']) {
    test(`the installed CLI answers ${verb} with exit 2: a development tool`, async () => {
      const r = await execFileP(node, [join(app, 'dist/cli.js'), verb, '--port', '0'], { cwd: '/' }).then(
        (ok) => ({ code: 0, stderr: ok.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        `error: ${verb} is a development tool: run it from a source checkout (npm ci && npm run build && node dist/cli.js ${verb})\n`,
      );
    });
  }

  test('--version prints the package version', async () => {
    const { stdout } = await execFileP(node, [join(app, 'dist/cli.js'), '--version']);
    assert.match(stdout, new RegExp(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version.replace(/\./g, '\\.')));
  });

  test(`run as uid ${UID}: starts, serves /metrics, sweeps, writes only state, exits 0 within 5 s of SIGTERM`, async () => {
    const port = await freePort();
    // The config is read-only; a copy with the chosen port sits beside it (also read-only).
    const cfgFile = join(dir, `config-${port}.yaml`);
    writeFileSync(cfgFile, readFileSync(join(etc, 'config.yaml'), 'utf8').replace('PORT', String(port)), { mode: 0o444 });
    const env: NodeJS.ProcessEnv = {
      ...clockEnv(),
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      TMPDIR: state,
      NODE_ENV: 'production',
      AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST',
      AWS_SECRET_ACCESS_KEY: 'smoke-secret-access-key',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const argv = [join(app, 'dist/cli.js'), 'run', '--config', cfgFile];
    const daemon = isRoot
      ? start('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', '--inh-caps=-all', node, ...argv], { cwd: '/', env })
      : start(node, argv, { cwd: '/', env });
    procs.push(daemon);
    const base = `http://127.0.0.1:${port}`;
    const fail = (e: Error) => {
      throw new Error(`${e.message}\n--- daemon output ---\n${daemon.output().slice(-4000)}`);
    };
    const metrics = await waitFor(
      '/metrics with build_info',
      async () => {
        const r = await httpGet(`${base}/metrics`);
        return r.status === 200 && r.body.includes('cleanroomsml_monitor_build_info') ? r.body : undefined;
      },
      30_000,
    ).catch(fail);
    assert.match(metrics, /^cleanroomsml_monitor_build_info\{[^}]*version="/m);
    assert.equal((await httpGet(`${base}/healthz`)).status, 200);
    // A real sweep against the simulator: the job shows up with its status.
    await waitFor(
      'the job in /metrics',
      async () => {
        const r = await httpGet(`${base}/metrics`);
        return r.body.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN}",status="CREATE_IN_PROGRESS"} 1`);
      },
      30_000,
    ).catch(fail);
    await waitFor('/readyz 200', async () => (await httpGet(`${base}/readyz`)).status === 200, 30_000).catch(fail);
    // A transition to ACTIVE is delivered to the webhook read from urlFile, signed with secretFile.
    const post = await fetch(`${simUrl}/_sim/jobs/${encodeURIComponent(ARN)}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ACTIVE' }),
    });
    assert.equal(post.status, 200, await post.text());
    await waitFor('the webhook delivery', async () => hookCount > 0, 30_000).catch(fail);
    // State was written by the unprivileged user.
    const files = readdirSync(state);
    assert.ok(files.length > 0, 'state dir is empty');
    if (isRoot) for (const f of files) assert.equal(statSync(join(state, f)).uid, UID, `${f} owner`);
    // SIGTERM: exit 0 within 5 s.
    const t0 = Date.now();
    const r = await daemon.stop('SIGTERM');
    const took = Date.now() - t0;
    assert.equal(r.code, 0, `exit code ${r.code} signal ${r.signal}\n${daemon.output().slice(-3000)}`);
    assert.ok(took < 5000, `took ${took} ms to exit`);
  });
});
