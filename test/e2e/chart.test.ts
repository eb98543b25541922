// The Helm chart: renders with the minimal values and every ci/*.yaml, every object validates against the
// Kubernetes and prometheus-operator schemas, values validate against values.schema.json, and the security,
// wiring and documentation promises hold. Rendering goes through `helm template` (and `helm lint` runs) where
// a helm binary is on the PATH, through ../shared/tools/chart-render otherwise (helpers.ts). Where neither
// is there, the tests that render are left out and one skipped test says what to install; the checks of
// values.schema.json, the values table, the dashboard file, Chart.yaml and the README still run.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import {
  CHART,
  CLI,
  HELM,
  KNOWN_METRICS,
  RENDERER,
  ROOT,
  execFileP,
  findObject,
  missingDaemon,
  NO_RENDERER,
  renderChart,
  type K8sObject,
} from './helpers.js';
import { CHART_README, currentValuesText, DEPLOY_DOC, documentedValues, refreshedDoc, TABLE_DOCS, valuesTable } from './values-table.js';

const CI_FILES = readdirSync(join(CHART, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
/** values.yaml alone watches nothing and fails the render; the smallest working install adds one discovery entry. */
const MINIMAL = ['-f', join(CHART, 'ci/default-values.yaml')];
const RENDERS: Record<string, string[]> = {
  defaults: MINIMAL,
  'defaults+monitoring': [
    ...MINIMAL,
    '--set',
    'serviceMonitor.enabled=true',
    '--set',
    'prometheusRule.enabled=true',
    '--set',
    'dashboard.enabled=true',
    '--set',
    'networkPolicy.enabled=true',
  ],
  ...Object.fromEntries(CI_FILES.map((f) => [f, ['-f', join(CHART, 'ci', f)]])),
  'config/values-eks-irsa.yaml': ['-f', join(ROOT, 'config/values-eks-irsa.yaml')],
};
/** Values files users start from: the ci/ ones and the EKS example. */
const VALUES_FILES = [...CI_FILES.map((f) => join(CHART, 'ci', f)), join(ROOT, 'config/values-eks-irsa.yaml')];
const rendered: Record<string, K8sObject[]> = {};

/**
 * `describe` and `test` for what renders the chart. Without a renderer they register nothing: the
 * one skipped test below carries the reason, instead of one skip (or crash) per rendering test.
 */
const describeRendered: typeof describe = NO_RENDERER ? ((() => undefined) as unknown as typeof describe) : describe;
const testRendered: typeof test = NO_RENDERER ? ((() => undefined) as unknown as typeof test) : test;

before(async () => {
  if (NO_RENDERER) return;
  for (const [name, args] of Object.entries(RENDERS)) rendered[name] = await renderChart(args);
});

test(`the chart renders (${RENDERER}): values.yaml plus each values file`, { skip: NO_RENDERER }, () => {
  for (const name of Object.keys(RENDERS)) assert.ok(rendered[name]!.length >= 5, `${name}: ${rendered[name]!.length} objects`);
});

// ---- schema validation of rendered objects ----

const MODEL_MODULES: Record<string, string> = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

async function validateObject(o: K8sObject): Promise<void> {
  const mod = MODEL_MODULES[o.apiVersion] ?? `kubernetes-models/${o.apiVersion}`;
  const models: Record<string, any> = await import(mod);
  const Model = models[o.kind];
  assert.ok(Model, `no model for ${o.apiVersion} ${o.kind}`);
  try {
    new Model(o).validate();
  } catch (e) {
    throw new Error(`${o.kind}/${o.metadata.name} is invalid: ${(e as Error).message}`);
  }
}

describe('chart renders and validates', () => {
  test('Chart.yaml is apiVersion v2 and its appVersion is the package version', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(chart.apiVersion, 'v2');
    assert.equal(chart.appVersion, pkg.version);
  });

  test('there is a ci values file for defaults, full features and IRSA', () => {
    assert.ok(CI_FILES.length >= 3, `ci/ has ${CI_FILES.join(', ')}`);
  });

  for (const name of Object.keys(RENDERS)) {
    testRendered(`${name}: every object validates against its schema`, async () => {
      const objs = rendered[name]!;
      assert.ok(objs.length >= 5, `only ${objs.length} objects`);
      for (const o of objs) {
        assert.ok(o.apiVersion && o.kind && o.metadata?.name, `object without apiVersion/kind/name: ${JSON.stringify(o).slice(0, 200)}`);
        assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${o.kind} name ${o.metadata.name}`);
        await validateObject(o);
      }
      const keys = objs.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(keys).size, keys.length, `duplicate objects: ${keys.join(', ')}`);
    });
  }

  testRendered('the validators do catch a broken object (guards against a vacuous pass)', async () => {
    const sts = structuredClone(findObject(rendered.defaults!, 'StatefulSet'));
    sts.spec.replicas = 'one';
    await assert.rejects(validateObject(sts), /replicas must be integer/);
    const rule = structuredClone(findObject(rendered['defaults+monitoring']!, 'PrometheusRule'));
    rule.spec.groups[0].rules[0].for = 5;
    await assert.rejects(validateObject(rule), /for must be string/);
  });

  testRendered('monitoring objects are off by default and on when asked', () => {
    const kinds = (n: string) => rendered[n]!.map((o) => o.kind);
    for (const k of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy'])
      assert.ok(!kinds('defaults').includes(k), `${k} rendered by default`);
    assert.ok(!rendered.defaults!.some((o) => o.metadata.labels?.grafana_dashboard), 'dashboard rendered by default');
    for (const k of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'StatefulSet', 'Service', 'ServiceAccount', 'ConfigMap']) {
      assert.ok(kinds('defaults+monitoring').includes(k), `${k} missing`);
    }
  });
});

// ---- values.schema.json ----

function deepMerge(base: any, over: any): any {
  if (over && typeof over === 'object' && !Array.isArray(over) && base && typeof base === 'object' && !Array.isArray(base)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = v === null ? undefined : deepMerge(base[k], v);
    return out;
  }
  return over;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateValues = ajv.compile(JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')));

/** One line per problem, naming the values path the way a user writes it. */
function explain(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const path =
      e.instancePath
        .replace(/^\//, '')
        .replace(/\/(\d+)/g, '[$1]')
        .replace(/\//g, '.') || '(top level)';
    if (e.keyword === 'additionalProperties')
      return `${path === '(top level)' ? '' : `${path}.`}${(e.params as any).additionalProperty}: unknown key`;
    if (e.keyword === 'enum') return `${path}: must be one of ${(e.params as any).allowedValues.join(', ')}`;
    return `${path}: ${e.message}`;
  });
}

describe('values.schema.json', () => {
  const defaults = parse(currentValuesText());

  test('is draft-07 and closed at the top level', () => {
    const s = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
    assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(s.additionalProperties, false);
    // every top-level value has a schema entry, and vice versa
    assert.deepEqual(Object.keys(defaults).sort(), Object.keys(s.properties).sort());
  });

  test('accepts values.yaml', () => {
    assert.ok(validateValues(defaults), explain(validateValues.errors).join('\n'));
  });

  for (const f of VALUES_FILES) {
    test(`accepts values.yaml + ${f.slice(ROOT.length + 1)}`, () => {
      const merged = deepMerge(defaults, parse(readFileSync(f, 'utf8')));
      assert.ok(validateValues(merged), explain(validateValues.errors).join('\n'));
    });
  }

  test('rejects a bad values file with messages that name each wrong key', () => {
    const bad = deepMerge(defaults, parse(readFileSync(join(ROOT, 'test/e2e/fixtures/bad-values.yaml'), 'utf8')));
    assert.equal(validateValues(bad), false);
    const msgs = explain(validateValues.errors);
    const all = msgs.join('\n');
    assert.match(all, /^serviceMonitor\.enabeld: unknown key$/m);
    assert.match(all, /^config\.polling\.concurrency: must be integer$/m);
    assert.match(
      all,
      /^notifications\.targets\[0\]\.statuses\[0\]: must match pattern "\^\(\[A-Z\]\[A-Z_\]\*\|success\|failure\|inProgress\|other\)\$"$/m,
    );
    assert.match(all, /^notifications\.targets\[0\]: must NOT be valid$/m); // slack + signingSecret
  });
});

// ---- security and wiring ----

function podSpecs(objs: K8sObject[]): { where: string; spec: any }[] {
  const out: { where: string; spec: any }[] = [];
  for (const o of objs) {
    if (o.kind === 'Pod') out.push({ where: `Pod/${o.metadata.name}`, spec: o.spec });
    if (o.spec?.template?.spec) out.push({ where: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec });
  }
  return out;
}

describeRendered('restricted pod security', () => {
  for (const name of Object.keys(RENDERS)) {
    test(`${name}: every pod meets the restricted Pod Security Standard`, () => {
      const pods = podSpecs(rendered[name]!);
      assert.ok(pods.length >= 2);
      for (const { where, spec } of pods) {
        assert.equal(spec.securityContext?.runAsNonRoot, true, `${where} runAsNonRoot`);
        assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where} seccomp`);
        assert.equal(spec.automountServiceAccountToken, false, `${where} automountServiceAccountToken`);
        assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, `${where} host namespaces`);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          const sc = c.securityContext ?? {};
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name} allowPrivilegeEscalation`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name} readOnlyRootFilesystem`);
          assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}/${c.name} capabilities`);
          assert.ok(!sc.privileged, `${where}/${c.name} privileged`);
          assert.ok(c.resources?.requests && c.resources?.limits?.memory, `${where}/${c.name} resources`);
        }
      }
    });

    test(`${name}: the monitor runs as 65532 with only the state dir and /tmp writable`, () => {
      const sts = findObject(rendered[name]!, 'StatefulSet');
      const spec = sts.spec.template.spec;
      assert.equal(sts.spec.replicas, 1, 'a single writer');
      assert.equal(spec.securityContext.runAsUser, 65532);
      assert.equal(spec.securityContext.fsGroup, 65532);
      const c = spec.containers[0];
      assert.deepEqual(c.args, ['run', '--config', '/etc/cleanroomsml-monitor/config.yaml']);
      const writable = c.volumeMounts
        .filter((m: any) => !m.readOnly)
        .map((m: any) => m.mountPath)
        .sort();
      assert.deepEqual(writable, ['/tmp', '/var/lib/cleanroomsml-monitor']);
      assert.equal(c.ports[0].name, 'metrics');
      assert.equal(c.ports[0].containerPort, 9464);
      assert.equal(c.livenessProbe.httpGet.path, '/healthz');
      assert.equal(c.readinessProbe.httpGet.path, '/readyz');
      assert.equal(c.livenessProbe.httpGet.port, 'metrics');
      const tmp = spec.volumes.find((v: any) => v.name === 'tmp');
      assert.ok(tmp.emptyDir, '/tmp is an emptyDir');
      if (name === 'defaults') {
        assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'state', 'state on a PVC by default');
        assert.ok(!spec.volumes.some((v: any) => v.name === 'state'));
      }
    });
  }

  test('persistence.enabled=false puts state on an emptyDir', async () => {
    const objs = await renderChart([...MINIMAL, '--set', 'persistence.enabled=false']);
    const sts = findObject(objs, 'StatefulSet');
    assert.equal(sts.spec.volumeClaimTemplates, undefined);
    assert.ok(sts.spec.template.spec.volumes.find((v: any) => v.name === 'state').emptyDir);
  });
});

describeRendered('wiring', () => {
  test('Service and ServiceMonitor select the pod by its port name', () => {
    const objs = rendered['defaults+monitoring']!;
    const sts = findObject(objs, 'StatefulSet');
    const svc = findObject(objs, 'Service');
    const sm = findObject(objs, 'ServiceMonitor');
    const podLabels = sts.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v, `service selector ${k}`);
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels))
      assert.equal(svc.metadata.labels![k], v, `servicemonitor selector ${k}`);
    assert.equal(svc.spec.ports[0].name, 'metrics');
    assert.equal(sm.spec.endpoints[0].port, 'metrics');
    assert.equal(sts.spec.serviceName, svc.metadata.name);
  });

  test('config and secret checksums roll the pod when they change', async () => {
    const a = findObject(rendered.defaults!, 'StatefulSet').spec.template.metadata.annotations;
    const b = findObject(await renderChart([...MINIMAL, '--set', 'config.log.level=debug']), 'StatefulSet').spec.template.metadata
      .annotations;
    assert.match(a['checksum/config'], /^[0-9a-f]{64}$/);
    assert.notEqual(a['checksum/config'], b['checksum/config']);
    assert.equal(a['checksum/secret'], b['checksum/secret']);
  });

  test('IRSA: the ServiceAccount carries the role annotation and a stable name', () => {
    const irsa = rendered['irsa-values.yaml']!;
    const sa = findObject(irsa, 'ServiceAccount');
    assert.match(sa.metadata.annotations!['eks.amazonaws.com/role-arn']!, /^arn:aws:iam::\d{12}:role\//);
    assert.equal(sa.automountServiceAccountToken, false);
    const full = rendered['full-values.yaml']!;
    assert.equal(findObject(full, 'ServiceAccount').metadata.name, 'cleanroomsml-monitor');
    assert.equal(findObject(full, 'StatefulSet').spec.template.spec.serviceAccountName, 'cleanroomsml-monitor');
  });

  test('URLs and signing secrets live in the Secret, never in the ConfigMap', () => {
    const irsa = rendered['irsa-values.yaml']!;
    const cm = findObject(irsa, 'ConfigMap');
    const secret = findObject(irsa, 'Secret');
    const cfg = cm.data['config.yaml'] as string;
    assert.doesNotMatch(cfg, /hooks\.slack\.com|whsec_|hooks\.example\.com/);
    assert.match(secret.stringData['ml-team-slack-url'], /^https:\/\/hooks\.slack\.com\//);
    assert.match(secret.stringData['audit-signing-secret'], /^whsec_/);
    const parsed = parse(cfg);
    assert.deepEqual(
      parsed.notifications.targets.map((t: any) => t.urlFile),
      ['/var/run/secrets/cleanroomsml-monitor/ml-team-slack-url', '/var/run/secrets/cleanroomsml-monitor/audit-url'],
    );
    assert.equal(parsed.notifications.targets[1].secretFile, '/var/run/secrets/cleanroomsml-monitor/audit-signing-secret');
    const sts = findObject(irsa, 'StatefulSet');
    assert.equal(sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.secretName, secret.metadata.name);
  });

  test('existingSecret: no chart-made Secret; the pod mounts the named one', () => {
    const full = rendered['full-values.yaml']!;
    assert.ok(!full.some((o) => o.kind === 'Secret'));
    const sts = findObject(full, 'StatefulSet');
    assert.equal(sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.secretName, 'crml-webhooks');
    const cfg = parse(findObject(full, 'ConfigMap').data['config.yaml']);
    assert.equal(cfg.notifications.targets[0].urlFile, '/var/run/secrets/cleanroomsml-monitor/slack-webhook-url');
    assert.deepEqual(cfg.notifications.targets[0].kinds, ['audienceGenerationJob'], 'kinds reach the config');
  });

  test('a Teams target renders into the config as given, its URL a file', () => {
    const cfg = parse(findObject(rendered['full-values.yaml']!, 'ConfigMap').data['config.yaml']);
    const teams = cfg.notifications.targets.find((t: any) => t.type === 'teams');
    assert.deepEqual(teams, {
      name: 'ml-team-teams',
      type: 'teams',
      urlFile: '/var/run/secrets/cleanroomsml-monitor/teams-workflow-url',
      kinds: ['trainedModel', 'trainedModelInferenceJob'],
      statuses: ['failure'],
      fallback: true,
    });
  });

  test('a target without url and without existingSecret fails the render with a clear message', async () => {
    await assert.rejects(
      renderChart([...MINIMAL, '-f', writeTemp('notifications:\n  targets:\n    - name: team\n      type: slack\n')]),
      /notifications\.targets\[name=team\]\.url is required \(or set notifications\.existingSecret\)/,
    );
  });

  test('NetworkPolicy allows DNS and HTTPS egress and the metrics port in', () => {
    const np = findObject(rendered['defaults+monitoring']!, 'NetworkPolicy');
    const ports = np.spec.egress.flatMap((e: any) => e.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`);
    for (const p of ['UDP/53', 'TCP/53', 'TCP/443']) assert.ok(ports.includes(p), `egress ${p} (have ${ports})`);
    assert.equal(np.spec.ingress[0].ports[0].port, 'metrics');
  });
});

function writeTemp(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'crml-values-'));
  const f = join(dir, 'values.yaml');
  writeFileSync(f, text);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return f;
}

// ---- the rendered config is a valid daemon config ----

/** The loader's *File resolution, done here with placeholders so the schema sees real values. */
function withSecretsResolved(cfg: any): any {
  const c = structuredClone(cfg);
  for (const t of c.notifications?.targets ?? []) {
    if (t.urlFile) {
      t.url = t.type === 'slack' ? 'https://hooks.slack.com/services/T0/B0/X' : 'https://hooks.example.com/x';
      delete t.urlFile;
    }
    if (t.secretFile) {
      t.secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      delete t.secretFile;
    }
  }
  return c;
}

describe('the ConfigMap holds a valid daemon config', () => {
  for (const f of [...CI_FILES, 'config/values-eks-irsa.yaml']) {
    testRendered(`${f}: config.yaml passes src/config/schema.ts`, () => {
      const cfg = parse(findObject(rendered[f]!, 'ConfigMap').data['config.yaml']);
      const r = configSchema.safeParse(withSecretsResolved(cfg));
      assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues, null, 1));
      assert.equal(r.data!.server.port, 9464);
      assert.equal(r.data!.state.dir, '/var/lib/cleanroomsml-monitor');
      // The JSON API stays on the pod's loopback: not in the Service, not a containerPort.
      assert.equal(r.data!.server.admin.host, '127.0.0.1');
      const adminPort = r.data!.server.admin.port;
      assert.ok(
        !findObject(rendered[f]!, 'Service').spec.ports.some((p: any) => p.port === adminPort || p.targetPort === adminPort),
        'admin port in the Service',
      );
      const containers = findObject(rendered[f]!, 'StatefulSet').spec.template.spec.containers;
      assert.ok(
        !containers.some((c: any) => (c.ports ?? []).some((p: any) => p.containerPort === adminPort)),
        'admin port as a containerPort',
      );
    });
  }

  test('values.config exposes every key of the daemon config schema but the targets (the chart follows src/config/schema.ts)', () => {
    const unwrap = (x: any): any => {
      while (x?.def?.innerType || x?.def?.in) x = x.def.innerType ?? x.def.in;
      return x;
    };
    const shape = unwrap(configSchema).shape;
    const values = parse(currentValuesText());
    const chartSet = new Set(['server', 'state', 'notifications']); // set by the chart itself / from notifications.*
    for (const top of Object.keys(shape)) {
      if (chartSet.has(top)) continue;
      assert.ok(top in values.config, `config.${top} missing from values.yaml`);
      const inner = unwrap(shape[top]);
      if (inner.shape)
        for (const k of Object.keys(inner.shape)) assert.ok(k in values.config[top], `config.${top}.${k} missing from values.yaml`);
    }
    // The notification target keys, of every type, are checked against values.schema.json by
    // test/unit/notify-targets.test.ts (no renderer needed).
  });

  testRendered('values.yaml alone (nothing to watch) fails the render with a message that names both keys and the fix', async () => {
    const err = await renderChart([]).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, 'the render of values.yaml alone must fail: the pod would exit at start');
    assert.match(err.message, /config\.resources and config\.discovery are both empty: the monitor would have nothing to watch/);
    assert.match(err.message, /--set config\.discovery\[0\]\.collaborationId=<collaboration UUID>/);
    // the daemon agrees: without the check, its own schema refuses the same config
    const r = configSchema.safeParse({ aws: { region: 'us-east-1' }, resources: [], discovery: [] });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error!.issues), /nothing to watch/);
    // one resource alone is enough, under resources or its deprecated name jobs (rendered as resources)
    const arn = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    for (const key of ['resources', 'jobs']) {
      const objs = await renderChart(['-f', writeTemp(`config:\n  ${key}:\n    - arn: ${arn}\n`)]);
      const rendered = parse(findObject(objs, 'ConfigMap').data['config.yaml']);
      assert.equal(rendered.resources[0].arn, arn, key);
      assert.equal(rendered.jobs, undefined, key);
    }
    const both = await renderChart(['-f', writeTemp(`config:\n  resources:\n    - arn: ${arn}\n  jobs:\n    - arn: ${arn}\n`)]).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(both?.message ?? '', /config\.jobs is the deprecated name of config\.resources: move its entries under config\.resources/);
  });

  testRendered('check-config of the built CLI accepts each rendered config (secrets as files)', { skip: missingDaemon() }, async () => {
    for (const f of [...CI_FILES, 'config/values-eks-irsa.yaml']) {
      const dir = mkdtempSync(join(tmpdir(), 'crml-check-'));
      try {
        const cfg = parse(findObject(rendered[f]!, 'ConfigMap').data['config.yaml']);
        for (const t of cfg.notifications.targets) {
          if (t.urlFile) {
            t.urlFile = join(dir, `${t.name}-url`);
            writeFileSync(t.urlFile, t.type === 'slack' ? 'https://hooks.slack.com/services/T0/B0/X\n' : 'https://hooks.example.com/x\n');
          }
          if (t.secretFile) {
            t.secretFile = join(dir, `${t.name}-secret`);
            writeFileSync(t.secretFile, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n');
          }
        }
        cfg.state.dir = join(dir, 'state');
        writeFileSync(join(dir, 'config.yaml'), JSON.stringify(cfg));
        const r = await execFileP(process.execPath, [CLI, 'check-config', '--config', join(dir, 'config.yaml')]).catch((e) => e);
        assert.equal(r.code ?? 0, 0, `check-config rejected ci/${f}: ${r.stderr ?? ''}${r.stdout ?? ''}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

// ---- documentation and dashboard ----

describe('docs and dashboard', () => {
  test('every value in values.yaml is documented with a # -- comment', () => {
    const { undocumented, docs } = documentedValues(currentValuesText());
    assert.deepEqual(undocumented, []);
    assert.ok(docs.length > 50);
  });

  for (const file of TABLE_DOCS) {
    const name = file.slice(ROOT.length + 1);
    test(`${name} has the current values table (node --import tsx test/e2e/values-table.ts --write)`, () => {
      const doc = readFileSync(file, 'utf8');
      assert.equal(
        refreshedDoc(doc, valuesTable(currentValuesText()), name),
        doc,
        `${name}: values table is stale: run node --import tsx test/e2e/values-table.ts --write`,
      );
      // every documented key is a row
      for (const d of documentedValues(currentValuesText()).docs) assert.ok(doc.includes(`| \`${d.key}\` |`), `${name} lacks ${d.key}`);
    });
  }
  assert.ok(TABLE_DOCS.includes(DEPLOY_DOC));

  testRendered('every alert has a summary, a description and a runbook section that exists', () => {
    const rule = findObject(rendered['defaults+monitoring']!, 'PrometheusRule');
    const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    assert.ok(alerts.length >= 8, `${alerts.length} alerts`);
    for (const a of alerts) {
      assert.ok(a.annotations.summary && a.annotations.description, `${a.alert} annotations`);
      assert.ok(['critical', 'warning', 'info'].includes(a.labels.severity), `${a.alert} severity`);
      const anchor = a.annotations.runbook_url.split('#')[1];
      assert.equal(anchor, a.alert.toLowerCase());
      assert.ok(anchors.has(anchor), `docs/runbook.md has no section "${a.alert}"`);
    }
  });

  testRendered('the dashboard ConfigMap carries valid JSON whose queries use only exported metrics', () => {
    const cm = rendered['defaults+monitoring']!.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    assert.ok(cm, 'dashboard ConfigMap with grafana_dashboard label');
    const dash = JSON.parse(cm.data['cleanroomsml-monitor.json']);
    assert.equal(dash.uid, 'cleanroomsml-monitor');
    const exprs: string[] = dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
    assert.ok(exprs.length >= 12);
    const known = new Set(KNOWN_METRICS);
    for (const e of exprs) {
      for (const m of e.match(/\b(cleanroomsml_[a-z_]+)/g) ?? []) {
        assert.ok(known.has(m.replace(/_(bucket|sum|count)$/, '')), `dashboard uses unknown metric ${m}`);
      }
    }
    const titles = dash.panels.map((p: any) => p.title).join('|');
    for (const t of [
      'Jobs by status',
      'Transitions',
      'Relevance',
      'Recall',
      'API requests',
      'Notification outcomes',
      'Outbox depth',
      'Time in current status',
      'Discovery scope health',
    ])
      assert.match(titles, new RegExp(t));
  });

  const dashboard = () => JSON.parse(readFileSync(join(CHART, 'dashboards/cleanroomsml-monitor.json'), 'utf8'));

  test('the dashboard has cluster and namespace variables, and every series selector uses them', () => {
    const dash = dashboard();
    const vars = dash.templating.list.map((v: any) => v.name);
    assert.deepEqual(vars, ['datasource', 'cluster', 'namespace', 'job', 'arn', 'team']);
    const cluster = dash.templating.list[1];
    // "All" must also match series without a cluster label (single-cluster Prometheus)
    assert.equal(cluster.allValue, '.*');
    assert.equal(cluster.includeAll, true);
    for (const v of dash.templating.list.slice(2))
      assert.match(v.query.query, /cluster=~"\$cluster"/, `${v.name} variable ignores $cluster`);
    const exprs: string[] = [
      ...dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)),
      ...dash.templating.list.slice(4).map((v: any) => v.query.query),
    ];
    for (const e of exprs) {
      for (const m of e.matchAll(/\b(cleanroomsml_[a-z_]+|up)\{([^}]*)\}/g)) {
        assert.match(
          m[2]!,
          /cluster=~"\$cluster", namespace=~"\$namespace", job=~"\$job"/,
          `selector of ${m[1]} lacks the variables: ${e}`,
        );
      }
      assert.doesNotMatch(e, /\b(cleanroomsml_[a-z_]+)(?![a-z_{])/, `a series without a selector: ${e}`);
    }
  });

  test('"Time in current status" is now minus the status start, not the creation time', () => {
    const p = dashboard().panels.find((x: any) => /^Time in current status/.test(x.title));
    const expr: string = p.targets[0].expr;
    assert.match(expr, /^\(time\(\) - max by \(arn\) \(cleanroomsml_audience_generation_job_status_since_timestamp_seconds\{/);
    assert.doesNotMatch(expr, /created_timestamp/);
    assert.equal(p.fieldConfig.defaults.unit, 's');
  });

  test('the scope health panels read the per-scope metrics', () => {
    const panels = dashboard().panels.filter((x: any) => /Discovery scope/.test(x.title));
    const exprs = panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join('\n');
    assert.match(exprs, /cleanroomsml_monitor_discovery_scope_up\{/);
    // 0 means "no complete List since start": such a scope shows no time rather than the time since 1970
    assert.match(
      exprs,
      /time\(\) - \(max by \(namespace, pod, scope\) \(cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds\{[^}]*\}\) > 0\)/,
    );
  });
});

// ---- values for platform teams: one render per value ----

const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** Renders the minimal values plus a values file (as YAML text) and validates every object. */
async function renderWith(yaml: string, extra: string[] = []): Promise<K8sObject[]> {
  const objs = await renderChart([...MINIMAL, '-f', writeTemp(yaml), ...extra]);
  for (const o of objs) await validateObject(o);
  const merged = deepMerge(
    parse(currentValuesText()),
    deepMerge(parse(readFileSync(join(CHART, 'ci/default-values.yaml'), 'utf8')), parse(yaml)),
  );
  assert.ok(validateValues(merged), `values.schema.json refuses the values of this render:\n${explain(validateValues.errors).join('\n')}`);
  return objs;
}
const monitorContainer = (objs: K8sObject[]) => findObject(objs, 'StatefulSet').spec.template.spec.containers[0];
const testPod = (objs: K8sObject[]) => objs.find((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test')!;

describeRendered(`new values render (${RENDERER}) and validate`, () => {
  test('image.registry, and global.imageRegistry replacing the registry of both images', async () => {
    const d = rendered.defaults!;
    assert.equal(monitorContainer(d).image, 'ghcr.io/cleanroomsml-monitor/cleanroomsml-monitor:0.1.0');
    assert.equal(testPod(d).spec.containers[0].image, 'docker.io/library/busybox:1.37');
    const own = await renderWith('image:\n  registry: registry.example.com:5000\n  repository: platform/crml\n  tag: "1.2.3"\n');
    assert.equal(monitorContainer(own).image, 'registry.example.com:5000/platform/crml:1.2.3');
    const mirror = await renderWith('global:\n  imageRegistry: mirror.local\n');
    assert.equal(monitorContainer(mirror).image, 'mirror.local/cleanroomsml-monitor/cleanroomsml-monitor:0.1.0');
    assert.equal(testPod(mirror).spec.containers[0].image, 'mirror.local/library/busybox:1.37');
    const pinned = await renderWith(`global:\n  imageRegistry: mirror.local\ntests:\n  image:\n    digest: sha256:${'b'.repeat(64)}\n`);
    assert.equal(testPod(pinned).spec.containers[0].image, `mirror.local/library/busybox@sha256:${'b'.repeat(64)}`);
    const full = await renderWith('image:\n  registry: ""\n  repository: registry.example.com/platform/crml\n');
    assert.equal(monitorContainer(full).image, 'registry.example.com/platform/crml:0.1.0');
  });

  test('a repository that starts with a registry host while a registry is set fails the render with the fix', async () => {
    await assert.rejects(
      renderChart([...MINIMAL, '-f', writeTemp('image:\n  repository: registry.example.com/platform/crml\n')]),
      /image\.repository "registry\.example\.com\/platform\/crml" starts with a registry host \(registry\.example\.com\) while the registry is "ghcr\.io": put the host in image\.registry/,
    );
  });

  test('extraArgs, extraEnvFrom, extraVolumes and extraVolumeMounts reach the container (a corporate CA bundle)', async () => {
    const objs = await renderWith(
      [
        'extraArgs: ["--shard", 0]',
        'extraEnv: [{name: NODE_EXTRA_CA_CERTS, value: /etc/ssl/corp/ca.crt}]',
        'extraEnvFrom: [{secretRef: {name: proxy-env}}, {configMapRef: {name: tuning}, prefix: CRML_}]',
        'extraVolumes: [{name: corp-ca, configMap: {name: corp-ca-bundle}}]',
        'extraVolumeMounts: [{name: corp-ca, mountPath: /etc/ssl/corp, readOnly: true}]',
      ].join('\n'),
    );
    const c = monitorContainer(objs);
    assert.deepEqual(c.args, ['run', '--config', '/etc/cleanroomsml-monitor/config.yaml', '--shard', '0']);
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'proxy-env' } }, { configMapRef: { name: 'tuning' }, prefix: 'CRML_' }]);
    assert.deepEqual(
      c.env.find((e: any) => e.name === 'NODE_EXTRA_CA_CERTS'),
      { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/ssl/corp/ca.crt' },
    );
    assert.deepEqual(c.volumeMounts.at(-1), { name: 'corp-ca', mountPath: '/etc/ssl/corp', readOnly: true });
    const vols = findObject(objs, 'StatefulSet').spec.template.spec.volumes;
    assert.deepEqual(
      vols.find((v: any) => v.name === 'corp-ca'),
      { name: 'corp-ca', configMap: { name: 'corp-ca-bundle' } },
    );
    // the defaults add nothing
    assert.equal(monitorContainer(rendered.defaults!).envFrom, undefined);
    // the chart's own volumes cannot be shadowed
    const bad = deepMerge(parse(currentValuesText()), {
      extraVolumes: [{ name: 'state', emptyDir: {} }],
      extraVolumeMounts: [{ name: 'x', mountPath: '/var/lib/cleanroomsml-monitor' }],
    });
    assert.equal(validateValues(bad), false);
    assert.match(explain(validateValues.errors).join('\n'), /extraVolumes\[0\]\.name: must NOT be valid/);
  });

  test('extraManifests: maps and strings, both through tpl', async () => {
    const objs = rendered['full-values.yaml']!;
    const pdb = findObject(objs, 'PodDisruptionBudget');
    assert.equal(pdb.metadata.name, 'crml-monitor');
    assert.deepEqual(pdb.spec.selector.matchLabels, {
      'app.kubernetes.io/name': 'cleanroomsml-monitor',
      'app.kubernetes.io/instance': 'release',
    });
    const cm = findObject(objs, 'ConfigMap', '-extra');
    assert.equal(cm.metadata.name, 'crml-monitor-extra');
    assert.equal(cm.data.release, 'release');
  });

  test('commonLabels on every object and the pod, podLabels on the pod; neither in the selector or the claim template', async () => {
    const objs = await renderWith(
      'commonLabels: {team: ml-platform}\npodLabels: {example.com/tier: monitoring}\nserviceMonitor: {enabled: true}\nprometheusRule: {enabled: true}\nnetworkPolicy: {enabled: true}\n',
    );
    for (const o of objs) assert.equal(o.metadata.labels?.team, 'ml-platform', `${o.kind}/${o.metadata.name} lacks commonLabels`);
    const sts = findObject(objs, 'StatefulSet');
    assert.equal(sts.spec.template.metadata.labels.team, 'ml-platform');
    assert.equal(sts.spec.template.metadata.labels['example.com/tier'], 'monitoring');
    assert.equal(sts.spec.selector.matchLabels.team, undefined);
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.labels.team, undefined, 'volumeClaimTemplates cannot change after install');
    assert.equal(sts.spec.template.metadata.labels['helm.sh/chart'], undefined, 'a chart bump alone must not roll the pod');
  });

  test('serviceMonitor.{namespace, jobLabel, sampleLimit, honorLabels, targetLabels}; the rules follow jobLabel', async () => {
    const objs = await renderWith(
      [
        'commonLabels: {team: ml-platform}',
        'serviceMonitor: {enabled: true, namespace: monitoring, jobLabel: app.kubernetes.io/name, sampleLimit: 200000, honorLabels: true, targetLabels: [team]}',
        'prometheusRule: {enabled: true}',
      ].join('\n'),
      ['--namespace', 'apps'],
    );
    const sm = findObject(objs, 'ServiceMonitor');
    assert.equal(sm.metadata.namespace, 'monitoring');
    assert.deepEqual(sm.spec.namespaceSelector.matchNames, ['apps'], 'it still scrapes the release namespace');
    assert.equal(sm.spec.jobLabel, 'app.kubernetes.io/name');
    assert.equal(sm.spec.sampleLimit, 200000);
    assert.equal(sm.spec.endpoints[0].honorLabels, true);
    assert.deepEqual(sm.spec.targetLabels, ['team']);
    assert.equal(findObject(objs, 'Service').metadata.labels!.team, 'ml-platform', 'the target label exists on the Service');
    const expr = findObject(objs, 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === 'CleanRoomsMLMonitorDown').expr;
    assert.match(expr, /up\{job="cleanroomsml-monitor",namespace="apps"\}/, 'the job label is the Service label value');
    const plain = findObject(rendered['defaults+monitoring']!, 'ServiceMonitor');
    assert.equal(plain.spec.sampleLimit, undefined);
    assert.equal(plain.spec.jobLabel, undefined);
    assert.equal(plain.spec.endpoints[0].honorLabels, false);
    await assert.rejects(
      renderChart([
        ...MINIMAL,
        '--set',
        'serviceMonitor.enabled=true',
        '--set',
        'serviceMonitor.jobLabel=nope',
        '--set',
        'prometheusRule.enabled=true',
      ]),
      /serviceMonitor\.jobLabel "nope" is not a label of the Service/,
    );
  });

  test('prometheusRule.{namespace, additionalLabels, extraRules}', async () => {
    const objs = await renderWith(
      [
        'prometheusRule:',
        '  enabled: true',
        '  namespace: monitoring',
        '  additionalLabels: {release: kube-prometheus-stack}',
        '  extraRules:',
        '    - alert: CrmlCustom',
        '      expr: vector(1)',
        '      for: 5m',
        '      labels: {severity: info}',
      ].join('\n'),
      ['--namespace', 'apps'],
    );
    const pr = findObject(objs, 'PrometheusRule');
    assert.equal(pr.metadata.namespace, 'monitoring');
    assert.equal(pr.metadata.labels!.release, 'kube-prometheus-stack');
    const rules = pr.spec.groups[0].rules;
    assert.deepEqual(rules.at(-1), { alert: 'CrmlCustom', expr: 'vector(1)', for: '5m', labels: { severity: 'info' } });
    assert.match(rules[0].expr, /namespace="apps"/, 'the rules select the release namespace, not the rule object namespace');
    // the old names are refused by the schema (helm) instead of being ignored
    const old = deepMerge(parse(currentValuesText()), { prometheusRule: { labels: { a: 'b' }, additionalRules: [] } });
    assert.equal(validateValues(old), false);
    assert.match(explain(validateValues.errors).join('\n'), /prometheusRule\.labels: unknown key/);
  });

  test('persistence.existingClaim mounts that claim and drops the volumeClaimTemplate', async () => {
    const objs = await renderWith('persistence: {existingClaim: crml-state}\n');
    const sts = findObject(objs, 'StatefulSet');
    assert.equal(sts.spec.volumeClaimTemplates, undefined);
    assert.equal(sts.spec.persistentVolumeClaimRetentionPolicy, undefined);
    assert.deepEqual(
      sts.spec.template.spec.volumes.find((v: any) => v.name === 'state'),
      { name: 'state', persistentVolumeClaim: { claimName: 'crml-state' } },
    );
    await assert.rejects(
      renderChart([...MINIMAL, '--set', 'persistence.existingClaim=crml-state', '--set', 'config.sharding.totalShards=3']),
      /persistence\.existingClaim \(crml-state\) can hold the state of one pod only, but config\.sharding\.totalShards is 3/,
    );
  });

  test('shards: podManagementPolicy Parallel, one claim per pod, the alert expects every shard', async () => {
    const objs = await renderWith('config: {sharding: {totalShards: 3}}\nprometheusRule: {enabled: true}\n');
    const sts = findObject(objs, 'StatefulSet');
    assert.equal(sts.spec.replicas, 3);
    assert.equal(sts.spec.podManagementPolicy, 'Parallel');
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'state');
    assert.equal(
      findObject(rendered.defaults!, 'StatefulSet').spec.podManagementPolicy,
      'Parallel',
      'the same with one shard, so scaling never changes it',
    );
    const down = findObject(objs, 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === 'CleanRoomsMLMonitorDown');
    assert.match(down.expr, /count by \(cluster, namespace, job\) \(up\{[^}]+\} == 1\) < 3$/);
  });

  test('NetworkPolicy: instance metadata only when asked for; the Pod Identity agent by default', async () => {
    const cidrs = (objs: K8sObject[]) =>
      findObject(objs, 'NetworkPolicy').spec.egress.flatMap((e: any) => (e.to ?? []).map((t: any) => t.ipBlock?.cidr));
    const def = cidrs(rendered['defaults+monitoring']!);
    assert.ok(!def.includes('169.254.169.254/32') && !def.includes('fd00:ec2::254/128'), `IMDS open by default: ${def}`);
    assert.ok(def.includes('169.254.170.23/32') && def.includes('fd00:ec2::23/128'), `Pod Identity agent: ${def}`);
    const imds = cidrs(await renderWith('networkPolicy: {enabled: true, allowInstanceMetadata: true}\n'));
    assert.ok(imds.includes('169.254.169.254/32') && imds.includes('fd00:ec2::254/128'), `${imds}`);
    const none = cidrs(await renderWith('networkPolicy: {enabled: true, allowPodIdentityAgent: false}\n'));
    assert.deepEqual(none, []);
  });

  test('the chart-made Secret rolls the pod through its checksum; an existingSecret renders none', async () => {
    const t = (url: string) => `notifications:\n  targets:\n    - {name: team, type: slack, url: "${url}"}\n`;
    const a = findObject(await renderWith(t('https://hooks.slack.com/services/T0/B0/AAA')), 'StatefulSet').spec.template.metadata
      .annotations;
    const b = findObject(await renderWith(t('https://hooks.slack.com/services/T0/B0/BBB')), 'StatefulSet').spec.template.metadata
      .annotations;
    assert.match(a['checksum/secret'], /^[0-9a-f]{64}$/);
    assert.notEqual(a['checksum/secret'], b['checksum/secret']);
    assert.equal(a['checksum/config'], b['checksum/config'], 'the URL is not in the ConfigMap');
  });
});

// ---- helm itself, where it is installed ----

describeRendered(
  'helm lint and helm template',
  {
    skip: HELM ? undefined : 'no helm binary on the PATH (chart-render rendered the chart instead)',
  },
  () => {
    for (const f of CI_FILES) {
      test(`helm lint -f ci/${f}`, async () => {
        const r = await execFileP(HELM!, ['lint', CHART, '-f', join(CHART, 'ci', f)]).catch((e) => e);
        assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
      });
    }

    test('helm template refuses a values file that breaks values.schema.json', async () => {
      const r = await execFileP(HELM!, ['template', 'x', CHART, ...MINIMAL, '-f', join(ROOT, 'test/e2e/fixtures/bad-values.yaml')]).catch(
        (e) => e,
      );
      assert.notEqual(r.code ?? 0, 0);
      assert.match(`${r.stderr}`, /enabeld/);
    });

    test('helm lint of values.yaml alone reports the empty watch list', async () => {
      const r = await execFileP(HELM!, ['lint', CHART]).catch((e) => e);
      assert.notEqual(r.code ?? 0, 0);
      assert.match(`${r.stdout}${r.stderr}`, /nothing to watch/);
    });
  },
);

// ---- chart metadata and README (helm show chart / helm show readme) ----

describe('Chart.yaml and the chart README', () => {
  const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));

  test('Artifact Hub annotations parse and name links, maintainers, images and license', () => {
    const a = chart.annotations;
    assert.equal(a['artifacthub.io/license'], 'Apache-2.0');
    const links = parse(a['artifacthub.io/links']);
    assert.ok(links.length >= 2 && links.every((l: any) => l.name && /^https:\/\//.test(l.url)), JSON.stringify(links));
    const maint = parse(a['artifacthub.io/maintainers']);
    assert.ok(maint.length >= 1 && maint[0].name);
    assert.ok(chart.maintainers?.length >= 1 && chart.maintainers[0].name);
    const images = parse(a['artifacthub.io/images']).map((i: any) => i.image);
    const values = parse(currentValuesText());
    assert.deepEqual(
      images,
      [
        `${values.image.registry}/${values.image.repository}:${chart.appVersion}`,
        `${values.tests.image.registry}/${values.tests.image.repository}:${values.tests.image.tag}`,
      ],
      'artifacthub.io/images lists the images the chart runs by default',
    );
    for (const c of parse(a['artifacthub.io/changes']))
      assert.ok(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security'].includes(c.kind), c.kind);
    assert.match(chart.home, /^https:\/\//);
  });

  test('README.md says what it is, how to install, how to upgrade storage, and carries the values table', () => {
    const readme = readFileSync(CHART_README, 'utf8');
    for (const h of ['## Install', '## Upgrading', '## Values']) assert.ok(readme.includes(h), `README lacks ${h}`);
    assert.match(readme, /kubectl -n \$NS delete statefulset \$STS --cascade=orphan/);
    assert.match(readme, /persistence\.size/);
    assert.match(readme, /existingClaim: state-STS-0/);
    assert.match(readme, /--set image\.registry=/);
    // the install command sets a discovery entry, so it renders
    assert.match(readme, /config\.discovery\[0\]\.collaborationId=/);
  });
});

testRendered('the rendered config of a job given by ARN alone passes the daemon schema', async () => {
  const objs = await renderChart(['-f', writeTemp(`config:\n  jobs:\n    - arn: ${ARN}\n`)]);
  const r = configSchema.safeParse(parse(findObject(objs, 'ConfigMap').data['config.yaml']));
  assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues));
});
