// The Helm chart: renders with defaults and every ci/*.yaml, every object validates against the Kubernetes
// and prometheus-operator schemas, values validate against values.schema.json, and the security, wiring and
// documentation promises hold.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import { CHART, CLI, KNOWN_METRICS, ROOT, execFileP, findObject, missingDaemon, renderChart, type K8sObject } from './helpers.js';
import { currentValuesText, DEPLOY_DOC, documentedValues, refreshedDoc, valuesTable } from './values-table.js';

const CI_FILES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml')).sort();
const RENDERS: Record<string, string[]> = {
  defaults: [],
  'defaults+monitoring': ['--set', 'serviceMonitor.enabled=true', '--set', 'prometheusRule.enabled=true', '--set', 'dashboard.enabled=true', '--set', 'networkPolicy.enabled=true'],
  ...Object.fromEntries(CI_FILES.map((f) => [f, ['-f', join(CHART, 'ci', f)]])),
  'config/values-eks-irsa.yaml': ['-f', join(ROOT, 'config/values-eks-irsa.yaml')],
};
/** Values files users start from: the ci/ ones and the EKS example. */
const VALUES_FILES = [...CI_FILES.map((f) => join(CHART, 'ci', f)), join(ROOT, 'config/values-eks-irsa.yaml')];
const rendered: Record<string, K8sObject[]> = {};

before(async () => {
  for (const [name, args] of Object.entries(RENDERS)) rendered[name] = await renderChart(args);
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
    test(`${name}: every object validates against its schema`, async () => {
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

  test('the validators do catch a broken object (guards against a vacuous pass)', async () => {
    const sts = structuredClone(findObject(rendered.defaults!, 'StatefulSet'));
    sts.spec.replicas = 'one';
    await assert.rejects(validateObject(sts), /replicas must be integer/);
    const rule = structuredClone(findObject(rendered['defaults+monitoring']!, 'PrometheusRule'));
    rule.spec.groups[0].rules[0].for = 5;
    await assert.rejects(validateObject(rule), /for must be string/);
  });

  test('monitoring objects are off by default and on when asked', () => {
    const kinds = (n: string) => rendered[n]!.map((o) => o.kind);
    for (const k of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']) assert.ok(!kinds('defaults').includes(k), `${k} rendered by default`);
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
    const path = e.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') || '(top level)';
    if (e.keyword === 'additionalProperties') return `${path === '(top level)' ? '' : path + '.'}${(e.params as any).additionalProperty}: unknown key`;
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
    assert.deepEqual(Object.keys(defaults).sort(), Object.keys(s.properties).filter((k) => k !== 'global').sort());
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
    assert.match(all, /^notifications\.targets\[0\]\.statuses\[0\]: must be one of CREATE_PENDING, .*ACTIVE/m);
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

describe('restricted pod security', () => {
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
      const writable = c.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath).sort();
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
    const objs = await renderChart(['--set', 'persistence.enabled=false']);
    const sts = findObject(objs, 'StatefulSet');
    assert.equal(sts.spec.volumeClaimTemplates, undefined);
    assert.ok(sts.spec.template.spec.volumes.find((v: any) => v.name === 'state').emptyDir);
  });
});

describe('wiring', () => {
  test('Service and ServiceMonitor select the pod by its port name', () => {
    const objs = rendered['defaults+monitoring']!;
    const sts = findObject(objs, 'StatefulSet');
    const svc = findObject(objs, 'Service');
    const sm = findObject(objs, 'ServiceMonitor');
    const podLabels = sts.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v, `service selector ${k}`);
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels![k], v, `servicemonitor selector ${k}`);
    assert.equal(svc.spec.ports[0].name, 'metrics');
    assert.equal(sm.spec.endpoints[0].port, 'metrics');
    assert.equal(sts.spec.serviceName, svc.metadata.name);
  });

  test('config and secret checksums roll the pod when they change', async () => {
    const a = findObject(rendered.defaults!, 'StatefulSet').spec.template.metadata.annotations;
    const b = findObject(await renderChart(['--set', 'config.log.level=debug']), 'StatefulSet').spec.template.metadata.annotations;
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
    assert.deepEqual(parsed.notifications.targets.map((t: any) => t.urlFile), [
      '/var/run/secrets/cleanroomsml-monitor/ml-team-slack-url',
      '/var/run/secrets/cleanroomsml-monitor/audit-url',
    ]);
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
  });

  test('a target without url and without existingSecret fails the render with a clear message', async () => {
    await assert.rejects(
      renderChart(['-f', writeTemp('notifications:\n  targets:\n    - name: team\n      type: slack\n')]),
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
    test(`${f}: config.yaml passes src/config/schema.ts`, () => {
      const cfg = parse(findObject(rendered[f]!, 'ConfigMap').data['config.yaml']);
      const r = configSchema.safeParse(withSecretsResolved(cfg));
      assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues, null, 1));
      assert.equal(r.data!.server.port, 9464);
      assert.equal(r.data!.state.dir, '/var/lib/cleanroomsml-monitor');
      // The JSON API stays on the pod's loopback: not in the Service, not a containerPort.
      assert.equal(r.data!.server.admin.host, '127.0.0.1');
      const adminPort = r.data!.server.admin.port;
      assert.ok(!findObject(rendered[f]!, 'Service').spec.ports.some((p: any) => p.port === adminPort || p.targetPort === adminPort), 'admin port in the Service');
      const containers = findObject(rendered[f]!, 'StatefulSet').spec.template.spec.containers;
      assert.ok(!containers.some((c: any) => (c.ports ?? []).some((p: any) => p.containerPort === adminPort)), 'admin port as a containerPort');
    });
  }

  test('values.config exposes every key of the daemon config schema (the chart follows src/config/schema.ts)', () => {
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
      if (inner.shape) for (const k of Object.keys(inner.shape)) assert.ok(k in values.config[top], `config.${top}.${k} missing from values.yaml`);
    }
    const target = unwrap(unwrap(unwrap(shape.notifications).shape.targets).def.element).shape;
    const chartTarget = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')).properties.notifications.properties.targets.items.properties;
    for (const k of Object.keys(target)) {
      const mapped = k === 'url' ? 'url' : k === 'secret' ? 'signingSecret' : k;
      assert.ok(mapped in chartTarget, `notifications.targets[].${mapped} (config key ${k}) missing from values.schema.json`);
    }
  });

  test('defaults: the config names the missing jobs/discovery (NOTES.txt warns too)', () => {
    const cfg = parse(findObject(rendered.defaults!, 'ConfigMap').data['config.yaml']);
    const r = configSchema.safeParse(cfg);
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error!.issues), /nothing to watch/);
  });

  test('check-config of the built CLI accepts each rendered config (secrets as files)', { skip: missingDaemon() }, async () => {
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

  test('docs/deploy.md has the current values table (node --import tsx test/e2e/values-table.ts --write)', () => {
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    assert.equal(refreshedDoc(doc, valuesTable(currentValuesText())), doc, 'values table is stale: run node --import tsx test/e2e/values-table.ts --write');
  });

  test('every alert has a summary, a description and a runbook section that exists', () => {
    const rule = findObject(rendered['defaults+monitoring']!, 'PrometheusRule');
    const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
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

  test('the dashboard ConfigMap carries valid JSON whose queries use only exported metrics', () => {
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
    for (const t of ['Jobs by status', 'Transitions', 'Relevance', 'Recall', 'API requests', 'Notification outcomes', 'Outbox depth']) assert.match(titles, new RegExp(t));
  });
});
