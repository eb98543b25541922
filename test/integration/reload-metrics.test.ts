// A real daemon reloads its config on SIGHUP: the per-target series follow the targets in force,
// not the ones it started with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import { baseConfig, DAEMON_CREDS, getText, metricSample, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';

const COLLAB = '2a3b4c5d-6e7f-4a8b-9cad-0e1f2a3b4c5d';

test('after SIGHUP, cleanroomsml_monitor_outbox_pending has one series per target of the new config', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('reload-metrics');
  let daemon: Daemon | undefined;
  const target = (name: string) => ({ name, type: 'webhook', url: `${rx.url}/${name}`, allowHttp: true });
  try {
    await w.writeConfig(
      baseConfig({ simUrl: sim.url, stateDir: w.stateDir, collaborationId: COLLAB, targets: [target('before-a'), target('kept')] }),
    );
    daemon = await startDaemon(w);
    const pending = async (name: string) =>
      metricSample(await getText(`${daemon!.url}/metrics`), 'cleanroomsml_monitor_outbox_pending', { target: name });
    assert.equal(await pending('before-a'), 0);
    assert.equal(await pending('kept'), 0);

    await w.writeConfig(
      baseConfig({ simUrl: sim.url, stateDir: w.stateDir, collaborationId: COLLAB, targets: [target('kept'), target('after-b')] }),
    );
    daemon.child.kill('SIGHUP');
    await until(() => daemon!.stdout().includes('config reloaded'), 'config reloaded');
    assert.equal(await pending('after-b'), 0, 'the added target has its series');
    assert.equal(await pending('kept'), 0);
    assert.equal(await pending('before-a'), undefined, 'the removed target (nothing pending) has none');
    assert.equal(await daemon.kill('SIGTERM'), 0);
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
