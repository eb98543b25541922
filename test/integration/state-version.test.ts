// A state dir written by a later release (state version 4; this one writes 3) is refused, not
// taken for corruption: `run` and every `outbox` verb exit non-zero with a message naming both
// versions, and every file of the dir stays byte for byte as it was (no quarantine, no temp file
// removed, no lock left behind). A journal record of version 4 after a checkpoint of version 3 is
// refused the same way. The pending notifications are still there for the release that reads them.
// Real CLI (dist/cli.js) on a state dir the real daemon wrote against the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  baseConfig,
  CLI,
  DAEMON_CREDS,
  daemonEnv,
  observed,
  runCli,
  startDaemon,
  until,
  workdir,
  type Workdir,
} from '../helpers/daemon.js';

const COLLAB = '8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f';

/** name -> sha256 of every file of the dir. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort())
    out[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  return out;
}

/** The CLI, killed after 15 s (a `run` that does not refuse keeps running). */
function runBounded(w: Workdir, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: daemonEnv(w.dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const VERBS = [['run'], ['outbox', 'list'], ['outbox', 'retry', '--all'], ['outbox', 'discard', '--all']];

async function refusedEverywhere(w: Workdir, where: RegExp): Promise<void> {
  const before = await snapshot(w.stateDir);
  for (const verb of VERBS) {
    const r = await runBounded(w, [...verb, '--config', w.configPath]);
    assert.equal(r.code, 1, `${verb.join(' ')} exits 1: ${r.stdout}${r.stderr}`);
    const msg = r.stderr.trim();
    assert.match(msg, where, `${verb.join(' ')}: ${msg}`);
    assert.match(msg, /this release \(\d+\.\d+\.\d+\) reads versions 1-3\. Nothing in the state dir was changed\./);
    assert.match(msg, /restore the copy of the state dir taken before the upgrade/);
    assert.match(msg, /"Rolling back" in docs\/deploy\.md$/);
    assert.doesNotMatch(msg, /\n\s+at /, 'the message alone, no stack');
    assert.deepEqual(await snapshot(w.stateDir), before, `${verb.join(' ')} left every file as it was`);
  }
}

test('a state dir of a later state version: every verb refuses, names both versions and changes no file', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  rx.setDefault({ status: 503, body: 'down for maintenance' });
  const w = await workdir('state-version');
  try {
    const [job] = sim.putJobs([{ name: 'versioned', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB }]);
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, allowHttp: true }],
      }),
    );
    // The real daemon writes a state with a notification pending (the receiver answers 503).
    const d = await startDaemon(w);
    await until(async () => (await observed(d)).size === 1, 'the job tracked');
    sim.setStatus(String(job!.audienceGenerationJobArn), { status: 'ACTIVE' });
    await until(() => rx.requests.length >= 1, 'a failed delivery');
    assert.equal(await d.kill('SIGTERM'), 0);
    const cp = await readFile(join(w.stateDir, 'state.json'), 'utf8');
    assert.match(cp, /^\{"version":3,/);
    const pendingBefore = (JSON.parse(cp) as { outbox: unknown[] }).outbox.length;
    assert.equal(pendingBefore, 1);

    // As a later release would leave it: checkpoint version 4 with a member this one does not know,
    // a record of a type it does not know, and a crashed write's temp file.
    await writeFile(join(w.stateDir, 'state.json'), cp.replace(/^\{"version":3,/, '{"version":4,"shards":{"from":"a later release"},'));
    await writeFile(join(w.stateDir, 'journal.ndjson'), '{"v":4,"s":999,"t":"reshard","to":4}\n');
    await writeFile(join(w.stateDir, '.state.json.0123456789abcdef01234567.tmp'), '{"version":4,"half":');
    await refusedEverywhere(w, /^error: state\.json was written by state version 4; /);

    // A checkpoint this release reads, followed by a record of version 4.
    await writeFile(join(w.stateDir, 'state.json'), cp);
    await refusedEverywhere(w, /^error: journal\.ndjson line 1 was written by state version 4; /);

    // The release that reads it finds everything: the pending notification is still there.
    await writeFile(join(w.stateDir, 'journal.ndjson'), '');
    const list = await runCli(w, ['outbox', 'list', '--json', '--config', w.configPath]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { pending: unknown[] }).pending.length, pendingBefore);
  } finally {
    await rx.close();
    await sim.close();
  }
});
