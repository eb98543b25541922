// `outbox discard (ID... | --all)` against the real daemon (dist/cli.js) on 127.0.0.1: dead letters
// for a target that answers 410 are removed through the running daemon, then offline; the
// cleanroomsml_monitor_dead_letters gauge falls (so a dead-letter alert resolves) and the removal
// survives a restart (it is journalled like `outbox retry`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  baseConfig,
  DAEMON_CREDS,
  freePort,
  getText,
  metricSample,
  observed,
  outboxOf,
  runCli,
  startDaemon,
  until,
  workdir,
  type Daemon,
} from '../helpers/daemon.js';

const COLLAB = '4c3b2a1d-6e7f-4a8b-9cad-1e2f3a4b5c7e';

test('outbox discard: by id through the running daemon, --all offline; the gauge falls and stays down after a restart', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  rx.setDefault(() => ({ status: 410, body: 'gone' }));
  const w = await workdir('discard');
  let daemon: Daemon | undefined;
  try {
    const jobs = sim.putJobs([0, 1, 2].map((i) => ({ name: `doomed-${i}`, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })));
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        port: await freePort(),
        adminPort: await freePort(),
        targets: [{ name: 'removed-hook', type: 'webhook', url: `${rx.url}/gone`, allowHttp: true }],
      }),
    );
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === 3, 'first sweep');
    for (const j of jobs) sim.setStatus(j.audienceGenerationJobArn as string, { status: 'ACTIVE' });
    await until(async () => (await outboxOf(daemon!)).deadLetters.length === 3, 'three dead letters', 15_000);
    const gauge = async () =>
      metricSample(await getText(`${daemon!.url}/metrics`), 'cleanroomsml_monitor_dead_letters', { target: 'removed-hook' });
    assert.equal(await gauge(), 3);

    const usage = await runCli(w, ['outbox', 'discard', '--config', w.configPath]);
    assert.equal(usage.code, 2, 'neither ids nor --all');
    assert.match(usage.stderr, /needs event ids .* or --all/);
    const unknown = await runCli(w, ['outbox', 'discard', 'evt_doesnotexist', '--config', w.configPath]);
    assert.equal(unknown.code, 1, `unknown id: ${unknown.stdout}${unknown.stderr}`);
    assert.match(unknown.stdout, /discarded 0 dead letter/);

    const [first] = (await outboxOf(daemon)).deadLetters;
    const one = await runCli(w, ['outbox', 'discard', first!.id, '--config', w.configPath]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /discarded 1 dead letter/);
    assert.equal(await gauge(), 2, 'the gauge falls at once');
    assert.ok(!(await outboxOf(daemon)).deadLetters.some((d) => d.id === first!.id));
    // SIGKILL: no final checkpoint, so the restart below replays the discard from the journal.
    await daemon.kill('SIGKILL');
    daemon = undefined;

    // No monitor running: the command opens the state dir itself.
    const list = await runCli(w, ['outbox', 'list', '--config', w.configPath]);
    assert.match(list.stdout, /dead letters: 2/, list.stderr);
    assert.ok(!list.stdout.includes(first!.id), 'the discard was durable before the kill');
    const all = await runCli(w, ['outbox', 'discard', '--all', '--config', w.configPath]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /discarded 2 dead letter/);

    const before = rx.requests.length;
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === 3, 'sweep after restart');
    assert.equal(await gauge(), 0, 'discarded for good');
    assert.equal((await outboxOf(daemon)).pending.length, 0, 'nothing re-queued');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rx.requests.length, before, 'nothing re-sent');
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
