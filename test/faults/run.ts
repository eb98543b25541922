// `npm run test:faults`: runs the fault scenarios (node:test, real daemon processes on 127.0.0.1),
// then scans every artifact for canary secrets and non-loopback traffic, prints the table
// (scenario | fault injected | expected | observed | pass/fail), writes it to
// docs/reliability-faults.md and exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, type Row } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'crml-faults-'));
const report = join(root, 'report.ndjson');
const started = Date.now();

if (!existsSync(join(REPO, 'dist/cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first (npm run test:faults does)');
  process.exit(2);
}

const files = readdirSync(join(REPO, 'test/faults'))
  .filter((f) => f.endsWith('.test.ts') && (process.argv.length <= 2 || process.argv.slice(2).some((a) => f.includes(a))))
  .sort()
  .map((f) => join('test/faults', f));

const code = await new Promise<number>((resolve) => {
  const p = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files], {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, FAULTS_ROOT: root, FAULTS_REPORT: report },
  });
  p.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
});

const rows: Row[] = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
  : [];
// Keep the scenario order of the issue (1..7), then the order rows were recorded.
rows.sort((a, b) => (parseFloat(a.scenario) || 99) - (parseFloat(b.scenario) || 99));

// 7. Canaries: every file the suite produced (daemon logs, state files, dead letters, /metrics dumps).
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
const scanned = walk(root).filter((f) => f !== report && !f.endsWith('config.yaml'));
const hits: string[] = [];
let bytes = 0;
const kinds = { logs: 0, state: 0, metrics: 0 };
for (const f of scanned) {
  if (statSync(f).size > 64 * 1024 * 1024) continue;
  const text = readFileSync(f, 'latin1');
  bytes += text.length;
  if (/\.log$/.test(f)) kinds.logs++;
  else if (/metrics-\d+\.txt$/.test(f)) kinds.metrics++;
  else kinds.state++;
  if (text.includes('CANARY') || /canary/i.test(text)) hits.push(f.slice(root.length + 1));
}
const deadLetterFiles = scanned.filter(
  (f) => /state\.json$|journal\.ndjson$/.test(f) && readFileSync(f, 'utf8').includes('"deadAt"'),
).length;
rows.push({
  scenario: '7 canaries',
  fault: 'canary AWS secret key, whsec_ secret and Slack URL token in env/config of every daemon',
  expected: '0 occurrences in logs, /metrics, state files, dead letters',
  observed: `${hits.length} occurrences in ${scanned.length} files (${kinds.logs} logs, ${kinds.metrics} /metrics dumps, ${kinds.state} state/other files, ${deadLetterFiles} holding dead letters; ${(bytes / 1e6).toFixed(1)} MB)${hits.length ? `: ${hits.slice(0, 3).join(', ')}` : ''}`,
  pass: hits.length === 0 && scanned.length > 0,
});
const egressPath = join(root, 'egress.log');
const egress = existsSync(egressPath) ? readFileSync(egressPath, 'utf8').split('\n').filter(Boolean) : [];
rows.push({
  scenario: '7 loopback only',
  fault: 'egress guard preloaded into every daemon (DNS + connect)',
  expected: 'no lookup or connection beyond 127.0.0.1 (.invalid answered ENOTFOUND locally)',
  observed: `${egress.length} non-loopback attempts${egress.length ? `: ${egress[0]}` : ''}`,
  pass: egress.length === 0,
});

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = [
  '| scenario | fault injected | expected | observed | pass/fail |',
  '|---|---|---|---|---|',
  ...rows.map(
    (r) => `| ${esc(r.scenario)} | ${esc(r.fault)} | ${esc(r.expected)} | ${esc(r.observed)} | ${r.pass ? 'pass' : '**FAIL**'} |`,
  ),
].join('\n');
const passed = rows.filter((r) => r.pass).length;
const failed = rows.length - passed;
const took = (Date.now() - started) / 1000;

console.log(`\n${table}\n`);
if (code !== 0) console.log(`node:test exited with ${code} (see the test output above)`);
const summary = `${passed} passed, ${failed} failed`;

const doc = `# Reliability: fault injection results

Produced by \`npm run test:faults\` (test/faults/run.ts), which writes this file on every full run.
Every row injects its fault for real against real processes on 127.0.0.1: the daemon is
\`node dist/cli.js run --config FILE\` (SigV4-signed requests to the simulator, which verifies them),
AWS faults come from the simulator's \`PUT /_sim/faults\`, webhooks go to a recording receiver,
time jumps come from libfaketime, the full disk is a real tmpfs. "observed" holds measured values.

Last run: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${took.toFixed(0)} s, ${summary}.

${table}

Simulator faults used (\`PUT /_sim/faults\`, absent = off): \`errorRatio\`, \`throttleRatio\`, \`latencyMs\`,
\`resetRatio\` (connection reset with no answer), \`resetListPage\` (every List request for page N is reset:
a failure in the middle of pagination), \`malformed: {arn, kind, operations?}\` with kind
\`missingField | badTimestamp | wrongType | nonFinite | nonJson | hugeBody\` (a 200 that breaks the model, for that
job's Get and/or the List page holding it). \`GET /_sim/requests?since=MS\` lists the answered requests (time, operation,
status, injected fault) so retries and backoff gaps are measured, not inferred.
`;
if (process.argv.length <= 2) writeFileSync(join(REPO, 'docs/reliability-faults.md'), doc);
console.log(`artifacts: ${root}`);
console.log(summary);
process.exit(failed > 0 || code !== 0 ? 1 : 0);
