import { strict as assert } from 'node:assert';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../src/commands/check-config.js';
import { ConfigError, formatPath, redactSecrets } from '../../src/config/errors.js';
import { expand } from '../../src/config/interpolate.js';
import { closestMatch } from '../../src/config/issues.js';
import { configWarningsOf, loadConfig, parseConfig } from '../../src/config/load.js';
import { configSchema, staticResourcesOf } from '../../src/config/schema.js';
import { sweepSpec } from '../../src/poll/spec.js';
import { fieldsAt } from '../../src/config/shape.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = join(root, 'test/fixtures/config');
const JOB = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';

// Every fixture secret contains CANARY; no message may ever contain it.
const ENV = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/CANARYSECRET123',
  WEBHOOK_SECRET: 'whsec_CANARYWEBHOOKSECRETCANARYWEBHOOKSECRET0=',
  EMPTY_WEBHOOK_SECRET: '',
};
const assertNoCanary = (s: string) => assert.ok(!/canary/i.test(s), `secret leaked into: ${s}`);

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

const noFiles = (p: string): never => {
  throw Object.assign(new Error(`no ${p}`), { code: 'ENOENT' });
};

test('invalid fixtures: one issue each, naming the intended field, with the expected message', async (t) => {
  const dir = join(fixtures, 'invalid');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  assert.ok(files.length >= 24, `only ${files.length} invalid fixtures`);
  for (const f of files) {
    await t.test(f, async () => {
      const path = join(dir, f);
      const text = await readFile(path, 'utf8');
      const expects = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!);
      assert.ok(text.startsWith('# expect: ') && expects.length > 0, 'fixture must begin with # expect:');
      const err = await rejection(loadConfig(path, { env: ENV }));
      assert.equal(err.issues.length, 1, `expected exactly one issue:\n${err.message}`);
      const [issue] = err.issues as [ConfigError['issues'][0]];
      for (const e of expects) assert.ok(err.message.includes(e), `"${e}" not in:\n${err.message}`);
      const field = expects[0]!.slice(0, expects[0]!.indexOf(': '));
      assert.ok(issue.path === field || issue.path.endsWith(`/${field}`), `names ${issue.path}, not ${field}`);
      assert.equal(err.message, `${issue.path}: ${issue.message}`);
      assertNoCanary(err.message);
    });
  }
});

test('minimal config: defaults filled, result deeply frozen', async () => {
  const c = await loadConfig(join(fixtures, 'valid/minimal.yaml'), { env: {} });
  assert.deepEqual(c, {
    aws: { region: 'us-east-1', requestTimeoutMs: 10_000, maxAttempts: 4 },
    resources: [{ arn: JOB }],
    jobs: [],
    discovery: [],
    polling: {
      schedule: '*/30 * * * * *',
      concurrency: 4,
      maxRequestsPerSecond: 5,
      notifyOnFirstSeenTerminal: false,
      terminalInterval: 600_000,
      terminalRetention: 7 * 86_400_000,
      maxBackoff: 600_000,
      maxListPages: 10_000,
    },
    tags: { keys: [], refreshInterval: 21_600_000 },
    notifications: { targets: [] },
    state: { dir: '/var/lib/cleanroomsml-monitor' },
    server: { host: '0.0.0.0', port: 9464, admin: { enabled: true, host: '127.0.0.1', port: 9465 } },
    sharding: { totalShards: 1, handoverLookback: 600_000 },
    durations: { samples: 100, slowerThanUsual: { factor: 2, minimum: 600_000, minSamples: 5 } },
    metrics: { statusSeries: 'nonTerminalOnly' },
    log: { level: 'info' },
  });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.aws) && Object.isFrozen(c.resources) && Object.isFrozen(c.resources[0]));
  assert.throws(() => {
    (c.server as { port: number }).port = 1;
  }, TypeError);
});

test('full config: ${ENV} with defaults, *File relative to the config dir, secret lists, typed env values', async () => {
  const c = await loadConfig(join(fixtures, 'valid/full.yaml'), { env: { ...ENV, PORT: '9999' } });
  assert.equal(c.aws.region, 'eu-west-1');
  assert.equal(c.server.port, 9999);
  const [slack, envSlack, audit] = c.notifications.targets;
  assert.equal(slack?.url, 'https://hooks.slack.com/services/T000/B000/CANARYFILESECRET456');
  assert.deepEqual(slack?.statuses, ['ACTIVE', 'CREATE_FAILED']);
  assert.equal(envSlack?.url, ENV.SLACK_WEBHOOK_URL);
  // Absent: the success and failure classes (a *_FAILED value AWS adds later included).
  assert.deepEqual(envSlack?.statuses, ['success', 'failure']);
  assert.deepEqual(audit?.secret, ['whsec_CANARYFILESECRETCANARYFILESECRET000=', 'whsec_CANARYOLDSECRETCANARYOLDSECRET00000=']);
  assert.equal(audit?.allowHttp, true);
  assert.equal(c.polling.schedule, '0 */2 * * * *');
  assert.equal(c.polling.maxRequestsPerSecond, 2.5);
});

test('config/example.yaml validates with the env and secret file it references', async () => {
  const secretPath = '/var/run/secrets/cleanroomsml-monitor/webhook-secret';
  const read = async (p: string) => (p === secretPath ? `${ENV.WEBHOOK_SECRET}\n` : readFile(p, 'utf8'));
  const c = await loadConfig(join(root, 'config/example.yaml'), { env: { SLACK_WEBHOOK_URL: ENV.SLACK_WEBHOOK_URL }, readFile: read });
  assert.equal(c.notifications.targets.length, 2);
  assert.equal(c.notifications.targets[1]?.secret, ENV.WEBHOOK_SECRET);
  assert.equal(c.discovery.length, 3);
  // Without the variable it names the field and the variable.
  const err = await rejection(loadConfig(join(root, 'config/example.yaml'), { env: {}, readFile: read }));
  assert.match(err.message, /^notifications\.targets\[0\]\.url: environment variable SLACK_WEBHOOK_URL is not set$/);
});

test('config/example.yaml mentions every key of the schema', async () => {
  const text = await readFile(join(root, 'config/example.yaml'), 'utf8');
  const missing: string[] = [];
  const visit = (path: (string | number)[]) => {
    for (const [key, kind] of fieldsAt(configSchema, path) ?? []) {
      if (!new RegExp(`^[ #-]*${key}(File)?:`, 'm').test(text)) missing.push([...path, key].join('.'));
      if (kind === 'object') visit([...path, key]);
      if (kind === 'array') visit([...path, key, 0]);
    }
  };
  visit([]);
  assert.deepEqual(missing, []);
});

test('interpolation: defaults, escapes, quoting keeps strings', async () => {
  assert.deepEqual(expand('a ${X} b ${Y:-dflt} $${Z} ${E:-}', { X: '1', E: '' }), {
    ok: true,
    value: 'a 1 b dflt ${Z} ',
    used: ['1'],
    refs: 3,
  });
  assert.deepEqual(expand('${1BAD}', {}), {
    ok: false,
    message: 'malformed ${...}: write ${NAME} or ${NAME:-default}, or $${ for a literal ${',
  });
  assert.deepEqual(expand('${UNCLOSED', {}).ok, false);
  const base = `jobs:\n  - arn: ${JOB}\n`;
  const opts = { env: { PORT: '8080', DIR: '/data' }, readSecretFile: noFiles };
  const c = await parseConfig(`${base}state:\n  dir: "$\${DIR}/\${DIR}"\nserver:\n  port: \${PORT}\n`, opts);
  assert.equal(c.state.dir, '${DIR}//data');
  assert.equal(c.server.port, 8080);
  const err = await rejection(parseConfig(`${base}server:\n  port: "\${PORT}"\n`, opts));
  assert.equal(err.message, 'server.port: must be a number (got a string)');
  // Keys are never interpolated: a ${...} key is just an unknown key.
  const keyErr = await rejection(parseConfig(`${base}\${PORT}: 1\n`, opts));
  assert.match(keyErr.message, /unknown key/);
});

test('parseConfig: several problems reported together, in file order, with lines', async () => {
  const text = `polling:\n  schedul: x\njobs:\n  - arn: nope\nserver:\n  port: -1\n`;
  const err = await rejection(parseConfig(text, { env: {}, readSecretFile: noFiles, source: 'x.yaml' }));
  assert.deepEqual(
    err.issues.map((i) => [i.path, i.line]),
    [
      ['polling.schedul', 2],
      ['jobs[0].arn', 4],
      ['server.port', 6],
    ],
  );
});

test('parseConfig: *File paths go to readSecretFile as written unless baseDir is set', async () => {
  const seen: string[] = [];
  const read = (p: string) => {
    seen.push(p);
    return 'https://hooks.slack.com/services/T1/B1/x\r\n';
  };
  const text = `jobs:\n  - arn: ${JOB}\nnotifications:\n  targets:\n    - {name: a, type: slack, urlFile: s/url}\n`;
  const c = await parseConfig(text, { env: {}, readSecretFile: read });
  assert.equal(c.notifications.targets[0]?.url, 'https://hooks.slack.com/services/T1/B1/x');
  await parseConfig(text, { env: {}, readSecretFile: async (p) => read(p), baseDir: '/etc/crml' });
  assert.deepEqual(seen, ['s/url', '/etc/crml/s/url']);
  // An unknown <key>File (no such sibling) is an unknown key, with a suggestion.
  const err = await rejection(parseConfig(text.replace('urlFile', 'urlFle'), { env: {}, readSecretFile: read }));
  assert.deepEqual(
    err.issues.map((i) => `${i.path}: ${i.message}`),
    ['notifications.targets[0].url: is required (or set urlFile)', 'notifications.targets[0].urlFle: unknown key (did you mean urlFile?)'],
  );
});

test('secrets never appear in messages, whatever the error', async () => {
  const base = `jobs:\n  - arn: ${JOB}\nnotifications:\n  targets:\n`;
  const cases: [string, Record<string, string>, ((p: string) => string) | undefined][] = [
    [`    - {name: a, type: slack, url: \${U}}\n`, { U: 'CANARY-not-a-url' }, undefined],
    [`    - {name: a, type: slack, url: \${U}}\n`, { U: 'http://hooks.slack.com/CANARY' }, undefined],
    [`    - {name: a, type: webhook, url: 'https://x.example/CANARY', secretFile: s}\n`, {}, () => 'CANARY\n'],
    [
      `    - {name: a, type: webhook, url: https://x.example/h, secret: [\${S}, 7]}\n`,
      { S: 'whsec_CANARYCANARYCANARYCANARYCANARY' },
      undefined,
    ],
    [`    - {name: a, type: slack, url: "https://x.example/CANARY\\q"}\n`, {}, undefined],
    [`    - {name: a, type: slack, url: 'https://x.example/CANARY}\n`, {}, undefined],
    [`    - {name: a, type: slack, url: [https://x.example/CANARY]}\n`, {}, undefined],
    [`    - {name: a, type: slack, url: {CANARY: 1}}\n`, {}, undefined],
    [`    - {name: a, type: slack, url: \${CANARY:-https://x.example/h, secret: 1}\n`, {}, undefined],
  ];
  for (const [targets, env, read] of cases) {
    const err = await rejection(parseConfig(base + targets, { env, readSecretFile: read ?? noFiles }));
    assertNoCanary(err.message);
    assertNoCanary(JSON.stringify(err.issues));
  }
});

test('redactSecrets cuts known values; formatPath; closestMatch', () => {
  const issues = redactSecrets([{ path: 'a', message: 'x s3cr3t-value y' }], ['s3cr3t-value', 'true']);
  assert.equal(issues[0]?.message, 'x [redacted] y');
  assert.equal(formatPath(['notifications', 'targets', 1, 'url']), 'notifications.targets[1].url');
  assert.equal(formatPath(['a b', 0]), '"a b"[0]');
  assert.equal(closestMatch('urlfile', ['url', 'urlFile']), 'urlFile');
  assert.equal(closestMatch('timeout', ['timeoutMs', 'name']), 'timeoutMs');
  assert.equal(closestMatch('tls', ['host', 'port']), undefined);
});

test('checkConfig: exit codes, output, each well under 1 s', async () => {
  const run = async (path: string, env: NodeJS.ProcessEnv = ENV) => {
    const out: string[] = [];
    const err: string[] = [];
    const start = performance.now();
    const code = await checkConfig(path, { env, stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `${path} took ${ms} ms`);
    return { code, out, err };
  };
  const minimal = join(fixtures, 'valid/minimal.yaml');
  assert.deepEqual(await run(minimal), {
    code: 0,
    out: ['config OK: 1 static resource, 0 discovery scopes, 0 notification targets'],
    err: [],
  });
  const full = await run(join(fixtures, 'valid/full.yaml'));
  assert.deepEqual(full.out, [
    'config OK: 1 static resource, 2 discovery scopes, 3 notification targets (ml-team-slack, env-slack, audit)',
  ]);

  const bad = join(fixtures, 'invalid/08-http-url-without-allowhttp.yaml');
  assert.deepEqual(await run(bad), {
    code: 2,
    out: [],
    err: [`${bad}:11: notifications.targets[1].url: must be https (or set allowHttp: true)`],
  });
  const syntax = join(fixtures, 'invalid/21-yaml-syntax-error.yaml');
  const s = await run(syntax);
  assert.equal(s.code, 2);
  assert.match(s.err[0]!, new RegExp(`^${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:1: YAML syntax error: `));

  const missing = join(fixtures, 'valid/does-not-exist.yaml');
  assert.deepEqual(await run(missing), { code: 2, out: [], err: [`${missing}: cannot read the config file: no such file`] });
  assert.equal((await run(join(fixtures, 'valid/full.yaml'), {})).code, 2);
});

test('statuses: any status word or class; a word no kind lists is a warning with its line, not an error', async () => {
  const file = join(fixtures, 'valid/unknown-statuses.yaml');
  const c = await loadConfig(file, { env: {} });
  assert.deepEqual(c.notifications.targets[0]!.statuses, ['failure', 'CANCELLED', 'CANCEL_FAILED', 'VANISHED', 'SUCCEEDED']);
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(await checkConfig(file, { env: {}, stdout: (s) => out.push(s), stderr: (s) => err.push(s) }), 0);
  assert.deepEqual(out, ['config OK: 1 static resource, 0 discovery scopes, 1 notification target (ops); 2 warnings']);
  assert.deepEqual(err, [
    `${file}:9: notifications.targets[0].statuses[1]: warning: CANCELLED is not a status of any kind in this release's model; it is matched as AWS may send it (class other)`,
    `${file}:9: notifications.targets[0].statuses[4]: warning: SUCCEEDED is not a status of any kind in this release's model (success is ACTIVE; there is no SUCCEEDED); it is matched as AWS may send it (class other)`,
  ]);
  assert.deepEqual(configWarningsOf(await loadConfig(join(fixtures, 'valid/minimal.yaml'), { env: {} })), []);
});

test('tags: selectors parsed as given; a fallback with no tag-routed target, a tag filter on the collaboration view are warnings', async () => {
  const c = await parseConfig(
    [
      `resources: [{arn: ${JOB}}]`,
      'discovery: [{collaborationId: 5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f, view: collaboration, tags: {team: risk}}]',
      'tags: {keys: [team, cost-center], refreshInterval: 90m}',
      'notifications:',
      '  targets:',
      '    - {name: all, type: webhook, url: https://hooks.example.com/a}',
      '    - {name: rest, type: webhook, url: https://hooks.example.com/b, fallback: true}',
    ].join('\n'),
    { env: {}, readSecretFile: noFiles },
  );
  assert.deepEqual(c.tags, { keys: ['team', 'cost-center'], refreshInterval: 90 * 60_000 });
  assert.deepEqual(c.discovery[0]!.tags, { team: 'risk' });
  assert.deepEqual(
    configWarningsOf(c).map((w) => w.path),
    ['notifications.targets[1].fallback', 'discovery[0].tags'],
  );
  const routed = await parseConfig(
    `resources: [{arn: ${JOB}}]\nnotifications:\n  targets:\n    - {name: a, type: webhook, url: https://hooks.example.com/a, tags: {team: [a, b], env: '*'}}\n    - {name: rest, type: webhook, url: https://hooks.example.com/b, fallback: true}\n`,
    { env: {}, readSecretFile: noFiles },
  );
  assert.deepEqual(routed.notifications.targets[0]!.tags, { team: ['a', 'b'], env: '*' });
  assert.deepEqual(configWarningsOf(routed), []);
});

test('keys named like Object members (constructor, toString, __proto__...) are unknown keys, at every level', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'crml-proto-'));
  try {
    const head = `resources:\n  - arn: ${JOB}\n`;
    const keys = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const cases: { yaml: string; path: string }[] = [];
    for (const k of keys) {
      cases.push({ yaml: `${k}: 1\n`, path: k });
      // A mapping under the key makes the loader look up the key's own fields (the TypeError case).
      cases.push({ yaml: `${k}:\n  a: 1\n`, path: k });
      cases.push({ yaml: `server:\n  ${k}:\n    a: 1\n`, path: `server.${k}` });
      cases.push({
        yaml: `notifications:\n  targets:\n    - name: a\n      type: slack\n      url: https://hooks.example.com/x\n      ${k}:\n        b: 1\n`,
        path: `notifications.targets[0].${k}`,
      });
      cases.push({ yaml: `polling:\n  ${k}File: ./nothing\n`, path: `polling.${k}File` });
    }
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `c${i}.yaml`);
      await writeFile(file, head + c.yaml);
      const err: string[] = [];
      const code = await checkConfig(file, { env: {}, stdout: () => {}, stderr: (s) => err.push(s) });
      assert.equal(code, 2, c.yaml);
      assert.equal(err.length, 1, err.join('\n'));
      assert.ok(err[0]!.includes(`: ${c.path}: unknown key`), `${c.yaml} -> ${err[0]}`);
    }
    // ${NAME} looks up own environment variables only: Object's members are "not set".
    for (const k of keys) {
      const r = expand(`\${${k}}`, {});
      assert.deepEqual(r, { ok: false, message: `environment variable ${k} is not set` });
      assert.deepEqual(expand(`\${${k}:-d}`, {}), { ok: true, value: 'd', used: [], refs: 1 });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('jobs: is the deprecated name of resources: read the same, with a warning at its line', async () => {
  const file = join(fixtures, 'valid/deprecated-jobs.yaml');
  const c = await loadConfig(file, { env: {} });
  assert.deepEqual(
    staticResourcesOf(c).map((r) => r.arn.split('/').pop()),
    ['0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', '11111111-2222-4333-8444-555555555555'],
  );
  assert.deepEqual(
    [...sweepSpec(c).statics.keys()],
    staticResourcesOf(c).map((r) => r.arn),
    'watched as if under resources',
  );
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(await checkConfig(file, { env: {}, stdout: (s) => out.push(s), stderr: (s) => err.push(s) }), 0);
  assert.deepEqual(out, ['config OK: 2 static resources, 0 discovery scopes, 0 notification targets; 1 warning']);
  assert.deepEqual(err, [
    `${file}:2: jobs: warning: jobs is deprecated: rename it to resources (same entries); jobs is read until the next minor release (CHANGELOG.md)`,
  ]);
  const renamed = await loadConfig(join(fixtures, 'valid/minimal.yaml'), { env: {} });
  assert.deepEqual(configWarningsOf(renamed), [], 'no warning under resources');
});
