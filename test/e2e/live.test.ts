// The whole monitoring path on 127.0.0.1: the demo daemon (simulator + monitor), a real Prometheus scraping it
// every second with the chart's alert rules loaded, a real Alertmanager with a test copy of
// config/alertmanager-example.yaml, and a local receiver standing in for Slack. Also `promtool check metrics`
// on the full /metrics output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  CHART,
  CLI,
  KNOWN_METRICS,
  ROOT,
  execFileP,
  findObject,
  freePort,
  httpGet,
  missingBinaries,
  missingDaemon,
  NO_RENDERER,
  renderChart,
  start,
  waitFor,
  type Proc,
} from './helpers.js';

// Prometheus loads the rules of the rendered chart: no renderer, no live run.
const skip = missingDaemon() ?? missingBinaries('prometheus', 'prometheus-alertmanager', 'promtool', 'amtool') ?? NO_RENDERER;
const RELEASE = 'crml';
const NS = 'e2e';
const JOB = `${RELEASE}-cleanroomsml-monitor`;

interface Received {
  path: string;
  body: any;
}

describe('live: demo -> Prometheus -> Alertmanager -> Slack-format receiver', { skip, timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'crml-live-'));
  const procs: Proc[] = [];
  const received: Received[] = [];
  let receiver: Server;
  let demo: Proc;
  let demoUrl = '';
  let promUrl = '';

  before(async () => {
    // Slack stand-in.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          received.push({ path: req.url ?? '', body: JSON.parse(body) });
        } catch {
          received.push({ path: req.url ?? '', body });
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const rport = (receiver.address() as { port: number }).port;

    // The demo daemon.
    const demoPort = await freePort();
    demo = start(process.execPath, [CLI, 'demo', '--port', String(demoPort)], { cwd: ROOT, env: { ...process.env, TMPDIR: dir } });
    procs.push(demo);
    demoUrl = `http://127.0.0.1:${demoPort}`;
    await waitFor('the demo to serve /metrics', async () => (await httpGet(`${demoUrl}/metrics`)).status === 200, 30_000).catch((e) => {
      throw new Error(`${e.message}\n--- demo output ---\n${demo.output()}`);
    });

    // Alertmanager with a test copy of the example: Slack URLs point at the local receiver, short waits.
    const am = parse(readFileSync(join(ROOT, 'config/alertmanager-example.yaml'), 'utf8'));
    for (const r of am.receivers) {
      for (const sc of r.slack_configs ?? []) {
        const f = join(dir, `${r.name}.url`);
        writeFileSync(f, `http://127.0.0.1:${rport}/slack/${r.name}`);
        sc.api_url_file = f;
      }
    }
    const shorten = (route: any) => {
      if (route.group_wait) route.group_wait = '1s';
      if (route.group_interval) route.group_interval = '1s';
      (route.routes ?? []).forEach(shorten);
    };
    shorten(am.route);
    const amFile = join(dir, 'alertmanager.yaml');
    writeFileSync(amFile, stringify(am));
    const check = await execFileP('amtool', ['check-config', amFile]).catch((e) => e);
    assert.equal(check.code ?? 0, 0, `amtool check-config (test copy): ${check.stdout}${check.stderr}`);
    const amPort = await freePort();
    mkdirSync(join(dir, 'am'));
    const alertmanager = start('prometheus-alertmanager', [
      `--config.file=${amFile}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    procs.push(alertmanager);
    await waitFor('Alertmanager ready', async () => (await httpGet(`http://127.0.0.1:${amPort}/-/ready`)).status === 200, 30_000).catch(
      (e) => {
        throw new Error(`${e.message}\n--- alertmanager ---\n${alertmanager.output()}`);
      },
    );

    // Prometheus: scrape every second, the chart's rules, alerts to Alertmanager.
    const objs = await renderChart([
      '--release',
      RELEASE,
      '--namespace',
      NS,
      '-f',
      join(CHART, 'ci/default-values.yaml'),
      '--set',
      'prometheusRule.enabled=true',
    ]);
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(rulesFile, stringify(findObject(objs, 'PrometheusRule').spec, { lineWidth: 0 }));
    const promPort = await freePort();
    const promFile = join(dir, 'prometheus.yaml');
    writeFileSync(
      promFile,
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
        rule_files: [rulesFile],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [
          {
            // The ServiceMonitor's job label is the Service name; namespace comes from Kubernetes discovery there.
            job_name: JOB,
            static_configs: [{ targets: [`127.0.0.1:${demoPort}`], labels: { namespace: NS } }],
          },
        ],
      }),
    );
    const pc = await execFileP('promtool', ['check', 'config', promFile]).catch((e) => e);
    assert.equal(pc.code ?? 0, 0, `promtool check config: ${pc.stdout}${pc.stderr}`);
    mkdirSync(join(dir, 'tsdb'));
    const prom = start('prometheus', [
      `--config.file=${promFile}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    procs.push(prom);
    promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor('Prometheus ready', async () => (await httpGet(`${promUrl}/-/ready`)).status === 200, 30_000).catch((e) => {
      throw new Error(`${e.message}\n--- prometheus ---\n${prom.output()}`);
    });
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await new Promise((r) => receiver?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(q: string): Promise<any[]> {
    const r = await httpGet(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const j = JSON.parse(r.body);
    if (j.status !== 'success') throw new Error(`query ${q}: ${j.error}`);
    return j.data.result;
  }

  test('the example Alertmanager config passes amtool check-config', async () => {
    const r = await execFileP('amtool', ['check-config', join(ROOT, 'config/alertmanager-example.yaml')]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  test('Prometheus scrapes the demo (up == 1)', async () => {
    await waitFor('up == 1', async () => (await query(`up{job="${JOB}",namespace="${NS}"}`))[0]?.value[1] === '1', 30_000);
  });

  test('a failed job fires CleanRoomsMLAudienceJobFailed and reaches the receiver in Slack format', async () => {
    const slack = await waitFor(
      'a Slack message for CleanRoomsMLAudienceJobFailed',
      async () => received.find((r) => typeof r.body === 'object' && JSON.stringify(r.body).includes('CleanRoomsMLAudienceJobFailed')),
      150_000,
      500,
    ).catch(async (e) => {
      const alerts = await httpGet(`${promUrl}/api/v1/alerts`)
        .then((r) => r.body)
        .catch(() => '');
      throw new Error(
        `${e.message}\nPrometheus alerts: ${alerts}\nreceived: ${JSON.stringify(received).slice(0, 2000)}\n--- demo ---\n${demo.output().slice(-3000)}`,
      );
    });
    assert.equal(slack.path, '/slack/slack-cleanroomsml-jobs', 'routed to the jobs channel receiver');
    const body = slack.body;
    assert.equal(body.channel, '#ml-audiences');
    assert.equal(body.username, 'Clean Rooms ML');
    assert.ok(Array.isArray(body.attachments) && body.attachments.length === 1, 'one Slack attachment');
    const a = body.attachments[0];
    assert.match(a.title, /^\[FIRING:1\] CleanRoomsMLAudienceJobFailed$/);
    assert.match(a.title_link, /docs\/runbook\.md#cleanroomsmlaudiencejobfailed$/);
    assert.equal(a.color, 'warning');
    assert.match(a.text, /is CREATE_FAILED\*/);
    assert.match(a.text, /ARN: `arn:aws:cleanrooms-ml:[-a-z0-9]+:\d{12}:audience-generation-job\/[^`]+`/);
    assert.match(a.fallback, /CleanRoomsMLAudienceJobFailed: Clean Rooms ML audience generation job .+ is CREATE_FAILED/);
  });

  test('every rule evaluates without error against the real series; healthy-path alerts stay silent', async () => {
    const r = JSON.parse((await httpGet(`${promUrl}/api/v1/rules`)).body);
    const rules = r.data.groups.flatMap((g: any) => g.rules);
    assert.ok(rules.length >= 10);
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`);
    const firing = rules.filter((x: any) => x.state !== 'inactive').map((x: any) => x.name);
    for (const quiet of [
      'CleanRoomsMLMonitorDown',
      'CleanRoomsMLSweepsStalled',
      'CleanRoomsMLConfigReloadFailed',
      'CleanRoomsMLNotificationsDeadLettered',
    ]) {
      assert.ok(!firing.includes(quiet), `${quiet} is ${rules.find((x: any) => x.name === quiet)?.state} on a healthy demo`);
    }
  });

  test('every dashboard query runs, and the core panels have data', async () => {
    const dash = JSON.parse(readFileSync(join(CHART, 'dashboards/cleanroomsml-monitor.json'), 'utf8'));
    const panels = dash.panels.filter((p: any) => p.targets);
    const empty: string[] = [];
    for (const p of panels) {
      for (const t of p.targets) {
        const q = t.expr
          .replaceAll('$cluster', '.*')
          .replaceAll('$namespace', NS)
          .replaceAll('$job', JOB)
          .replaceAll('$arn', '.+')
          .replaceAll('$__rate_interval', '30s');
        const res = await query(q);
        if (res.length === 0) empty.push(`${p.title}: ${t.expr}`);
      }
    }
    for (const must of [
      'Jobs by status',
      'Jobs',
      'Transitions',
      'API requests by outcome',
      'Notification outcomes',
      'Outbox depth',
      'Relevance score per job',
      'Recall per job',
    ]) {
      assert.ok(
        !empty.some((e) => e.startsWith(`${must}:`)),
        `panel "${must}" has no data: ${empty.filter((e) => e.startsWith(must)).join('; ')}`,
      );
    }
  });

  test('promtool check metrics passes on the full /metrics output, which has every documented metric', async () => {
    const { body, contentType } = await httpGet(`${demoUrl}/metrics`);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const r = await new Promise<{ code: number | null; out: string }>((res) => {
      const p = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) =>
        res({ code: err ? ((err as any).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
      p.stdin!.end(body);
    });
    assert.equal(r.code, 0, `promtool check metrics:\n${r.out}`);
    assert.equal(r.out.trim(), '', `promtool check metrics warnings:\n${r.out}`);
    const names = new Set(
      body
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    );
    const missing = KNOWN_METRICS.filter((m) => !names.has(m) && !names.has(m.replace(/_total$/, '')));
    assert.deepEqual(missing, [], 'metrics used by the alerts and the dashboard');
  });

  test('the demo exits 0 on SIGTERM within 5 s', async () => {
    const t0 = Date.now();
    const r = await demo.stop('SIGTERM');
    assert.equal(r.code, 0, `exit ${r.code} ${r.signal}\n${demo.output().slice(-2000)}`);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});
