// Under `faketime -f +730d` (CI runs the suites so), the processes a test starts must live on the
// test's clock: the daemon's webhook-timestamp is checked by the test's receiver, its updateTime
// comparisons by fixtures dated from the test's Date.now(). The helpers pass libfaketime's variables
// through; this starts a test process under faketime and reads the clock of the child it spawns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { clockEnv } from '../helpers/clock-env.js';
import { ROOT } from '../helpers/daemon.js';

const DAY = 86_400_000;
const hasFaketime = spawnSync('faketime', ['-f', '+1d', 'true'], { stdio: 'ignore' }).status === 0;

// Runs inside faketime: spawns a child with the daemon helpers' environment, prints both clocks.
const SCRIPT = `
import { spawnSync } from 'node:child_process';
import { daemonEnv } from './test/helpers/daemon.ts';
const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env: daemonEnv('/nonexistent'), encoding: 'utf8' });
process.stdout.write(JSON.stringify({ test: Date.now(), child: Number(r.stdout) }));
`;

test('a daemon started by the test helpers runs on the clock of a test under faketime', {
  skip: !hasFaketime && 'faketime is not installed',
}, () => {
  // From the real clock, also when this suite itself runs under faketime.
  const unfaked = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in clockEnv())));
  const real = Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env: unfaked, encoding: 'utf8' }).stdout,
  );
  const r = spawnSync('faketime', ['-f', '+730d', process.execPath, '--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: unfaked,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const { test: inTest, child } = JSON.parse(r.stdout) as { test: number; child: number };
  assert.ok(Math.abs(inTest - real - 730 * DAY) < DAY, 'the test process runs 730 days ahead (faketime works here)');
  assert.ok(
    Math.abs(child - inTest) < 60_000,
    `the child's clock (${new Date(child).toISOString()}) is the test's (${new Date(inTest).toISOString()})`,
  );
});
