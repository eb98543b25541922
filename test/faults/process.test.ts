// Scenario 3, process: SIGKILL in the middle of a sweep, of a journal append and of a checkpoint
// write. Each restart must find a loadable state and report what happened while it was down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, readdirSync } from 'node:fs';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { arn, baseConfig, COLLAB, MODEL, scenario, sleep, startDaemon, startSim, waitFor, waitReady, type Daemon } from './harness.js';

const J = [1, 2, 3, 4].map((n) => arn(n, 'd'));

/** Distinct events (webhook-id) delivered to the audit target, and how many deliveries in all. */
function auditEvents(r: Receiver): { ids: Map<string, { arn: string; status: string }>; deliveries: number } {
  const ids = new Map<string, { arn: string; status: string }>();
  const hooks = r.requests.filter((q) => q.path === '/hook');
  for (const h of hooks) {
    const b = JSON.parse(h.body) as { id: string; data: { arn: string; status: string } };
    ids.set(b.id, { arn: b.data.arn, status: b.data.status });
  }
  return { ids, deliveries: hooks.length };
}

function loaded(d: Daemon): Record<string, unknown> {
  return d.lines.find((l) => l.msg === 'state loaded') ?? {};
}

test('3. SIGKILL during a sweep, a journal append and a checkpoint: restart loads the state, nothing missed', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await sim.put(J.map((a, i) => ({ name: `proc-${i + 1}`, arn: a, status: 'CREATE_IN_PROGRESS' })));
    const config = baseConfig(sim, receiver.url, { jobs: J.map((a) => ({ arn: a })) });
    d = await startDaemon({ name: 'process', receiverUrl: receiver.url, config });
    await waitReady(d);
    await sleep(1500);

    await scenario(
      {
        scenario: '3a SIGKILL mid-sweep',
        fault: 'AWS answers held 1.5 s; J1 turns ACTIVE; SIGKILL while the sweep waits; J2 turns CREATE_FAILED while down',
        expected: 'restart loads the state (nothing quarantined); both transitions reported after restart, one event each',
      },
      async (obs) => {
        await sim.faults({ latencyMs: 1500 });
        await sim.setStatus(J[0]!, 'ACTIVE');
        await sleep(1200); // a tick has started a sweep whose List/Get is held
        await d!.kill('SIGKILL');
        await sim.setStatus(J[1]!, 'CREATE_FAILED');
        await sim.faults({});
        d = await startDaemon({ name: 'process', receiverUrl: receiver.url, configPath: d!.configPath, stateDir: d!.stateDir });
        const l = loaded(d);
        await waitFor(
          async () => {
            const ev = [...auditEvents(receiver).ids.values()];
            return (
              ev.some((e) => e.arn === J[0] && e.status === 'ACTIVE') && ev.some((e) => e.arn === J[1] && e.status === 'CREATE_FAILED')
            );
          },
          15_000,
          'both events delivered',
        );
        await sleep(1500);
        const a = auditEvents(receiver);
        obs(`restart loaded ${l['jobs']} jobs, quarantined ${JSON.stringify(l['quarantined'])}, torn tail ${l['tornTail']}`);
        obs(`${a.ids.size} events (J1 ACTIVE, J2 CREATE_FAILED) in ${a.deliveries} deliveries`);
        assert.deepEqual(l['quarantined'], []);
        assert.equal(a.ids.size, 2);
      },
    );

    await scenario(
      {
        scenario: '3b SIGKILL mid-append',
        fault: 'J3 turns ACTIVE; SIGKILL on the first journal write event (inotify) that follows',
        expected: 'restart loads the state; the J3 event is delivered (once per event id), none lost',
      },
      async (obs) => {
        await waitReady(d!);
        const before = auditEvents(receiver).ids.size;
        const w = watch(d!.stateDir);
        const killed = new Promise<string>((resolve) => {
          w.on('change', (_type, file) => {
            if (String(file) === 'journal.ndjson') {
              d!.proc.kill('SIGKILL');
              resolve(String(file));
            }
          });
        });
        await sim.setStatus(J[2]!, 'ACTIVE');
        await Promise.race([killed, sleep(10_000)]);
        w.close();
        await d!.exited;
        const hooksAtKill = auditEvents(receiver).ids.size - before;
        d = await startDaemon({ name: 'process', receiverUrl: receiver.url, configPath: d!.configPath, stateDir: d!.stateDir });
        const l = loaded(d);
        await waitFor(
          async () => [...auditEvents(receiver).ids.values()].some((e) => e.arn === J[2] && e.status === 'ACTIVE'),
          15_000,
          'J3 event delivered',
        );
        await sleep(1500);
        const a = auditEvents(receiver);
        obs(`killed during the write with ${hooksAtKill} J3 webhooks sent`);
        obs(
          `restart: quarantined ${JSON.stringify(l['quarantined'])}, replayed ${l['replayed']} records, pending ${l['pending']}, torn tail ${l['tornTail']}`,
        );
        obs(`J3 event ids ${[...a.ids.values()].filter((e) => e.arn === J[2]).length}`);
        assert.deepEqual(l['quarantined'], []);
        assert.equal([...a.ids.values()].filter((e) => e.arn === J[2]).length, 1);
      },
    );
    await d.stop();

    await scenario(
      {
        scenario: '3c SIGKILL mid-checkpoint',
        fault: '2,000-job state; SIGKILL when the start-up checkpoint temp file appears (inotify), 3 times',
        expected: 'each restart loads all jobs from the previous checkpoint + journal, nothing quarantined',
      },
      async (obs) => {
        const N = 2000;
        sim.sim.putJobs(
          Array.from({ length: N }, (_, i) => ({
            name: `bulk-${i}-${'x'.repeat(40)}`,
            arn: arn(i + 1, 'e'),
            status: 'ACTIVE',
            collaborationId: COLLAB,
            configuredAudienceModelArn: MODEL,
            description: 'y'.repeat(200),
          })),
        );
        const cfg = baseConfig(sim, undefined, { discovery: [{ collaborationId: COLLAB }] });
        let b = await startDaemon({ name: 'checkpoint', config: cfg });
        // The collaboration also holds the jobs of 3a/3b.
        const tracked = await waitFor(
          async () => {
            const n = (await b.metrics()).get('cleanroomsml_monitor_resources_tracked') ?? 0;
            return n >= N ? n : undefined;
          },
          20_000,
          'all jobs tracked',
        );
        await b.stop();
        const results: string[] = [];
        let tmpLeft = 0;
        for (let i = 0; i < 3; i++) {
          const w = watch(b.stateDir);
          let killedOnTmp = false;
          let proc: Daemon | undefined;
          const onEvent = (_t: string, f: string | Buffer | null) => {
            if (!killedOnTmp && proc && String(f) === `.state.json.${proc.pid}.tmp`) {
              killedOnTmp = true;
              proc.proc.kill('SIGKILL');
            }
          };
          w.on('change', onEvent);
          proc = await startDaemon({ name: 'checkpoint', configPath: b.configPath, stateDir: b.stateDir, waitStarted: false });
          const startedOrExit = await Promise.race([
            proc.exited.then(() => 'killed'),
            proc
              .waitLog((l) => l.msg === 'cleanroomsml-monitor started', 15_000)
              .then(
                () => 'started',
                () => 'killed',
              ),
          ]);
          if (startedOrExit === 'started') await proc.kill('SIGKILL');
          w.close();
          tmpLeft = readdirSync(b.stateDir).filter((f) => f.endsWith('.tmp')).length;
          results.push(killedOnTmp ? 'tmp' : 'late');
          b = proc;
        }
        const after = await startDaemon({ name: 'checkpoint', configPath: b.configPath, stateDir: b.stateDir });
        const l = loaded(after);
        const tmpAfter = readdirSync(b.stateDir).filter((f) => f.endsWith('.tmp')).length;
        await after.stop();
        obs(`3 kills (${results.filter((r) => r === 'tmp').length} while the temp checkpoint was being written)`);
        obs(`final restart loaded ${l['jobs']}/${tracked} jobs, quarantined ${JSON.stringify(l['quarantined'])}`);
        obs(`${tmpLeft} temp file(s) present after the kills, ${tmpAfter} after the restart`);
        assert.equal(l['jobs'], tracked);
        assert.deepEqual(l['quarantined'], []);
        assert.equal(tmpAfter, 0, 'temp checkpoints of killed processes are removed');
      },
    );
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});
