// Scenario 2, malformed answers: a 200 that breaks the model for one job, in its Get and in the List
// page that holds it (an item that cannot be read is refused alone, the rest of its page is read;
// a page that is not JSON or too big is an error); and an unknown (future) status value, which is
// not malformed: it is exported as given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../helpers/receiver.js';
import { arn, baseConfig, probe, scenario, sleep, startDaemon, startSim, waitFor, waitReady, type Daemon } from './harness.js';

const J1 = arn(1, 'c');
const J2 = arn(2, 'c');
const J3 = arn(3, 'c');
const STATUS = 'cleanroomsml_audience_generation_job_status';

test('2. malformed answers are errors, never a crash or a false transition; an unknown status is exported as given', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await sim.put([J1, J2, J3].map((a, i) => ({ name: `malformed-${i + 1}`, arn: a, status: 'CREATE_IN_PROGRESS' })));
    d = await startDaemon({
      name: 'malformed',
      receiverUrl: receiver.url,
      config: baseConfig(sim, receiver.url, { jobs: [{ arn: J1 }, { arn: J2 }, { arn: J3 }] }),
    });
    await waitReady(d);
    await sleep(2000);
    const t0 = (await d.metrics()).transitions();

    const kinds: Array<[string, string]> = [
      ['missingField', 'status and updateTime missing'],
      ['badTimestamp', 'updateTime "not-a-timestamp"'],
      ['wrongType', 'status the number 7'],
      ['nonFinite', 'a number written 1e400'],
      ['nonJson', 'HTML page with status 200'],
      ['hugeBody', '6 MiB JSON body (cap 5 MiB)'],
    ];
    for (const [kind, what] of kinds) {
      await scenario(
        {
          scenario: `2 ${kind}`,
          fault: `malformed {arn: J1, kind: ${kind}} on Get and List for 4 s: ${what}`,
          expected:
            'counted as api errors (a Get, a page) or refused items (a List item alone), no transition, J1 keeps its status, /healthz 200, no crash',
        },
        async (obs) => {
          await waitReady(d!);
          const m0 = await d!.metrics();
          const since = Date.now();
          await sim.faults({ malformed: { arn: J1, kind } });
          const p = probe(d!, 200);
          await sleep(4000);
          await sim.faults({});
          await waitReady(d!, 15_000, Date.now());
          const seen = await p.stop();
          const m1 = await d!.metrics();
          const served = (await sim.requests(since)).filter((r) => r.fault === `malformed:${kind}`).length;
          const errors = m1.api('error') - m0.api('error');
          const refused = m1.sum('cleanroomsml_monitor_api_items_refused_total') - m0.sum('cleanroomsml_monitor_api_items_refused_total');
          const transitions = m1.transitions() - m0.transitions();
          const rss = (await import('node:fs')).readFileSync(`/proc/${d!.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
          obs(`${served} malformed answers served`);
          obs(`api errors +${errors}, refused items +${refused}`);
          obs(`${transitions} transitions`);
          obs(`J1 ${m1.get(STATUS, { arn: J1, status: 'CREATE_IN_PROGRESS' }) === 1 ? 'still CREATE_IN_PROGRESS' : 'CHANGED'}`);
          obs(
            `sweeps stale in ${seen.filter((s) => !s.fresh).length}/${seen.length} probes, readyz non-200 ${seen.filter((s) => s.ready !== 200).length}`,
          );
          obs(`rss ${Math.round(Number(rss) / 1024)} MB`);
          assert.ok(served > 0, 'the fault was served');
          assert.ok(errors + refused >= served, `api errors +${errors}, refused items +${refused} < ${served} served`);
          assert.equal(transitions, 0);
          assert.equal(m1.get(STATUS, { arn: J1, status: 'CREATE_IN_PROGRESS' }), 1);
          assert.ok(
            seen.every((s) => s.health === 200),
            'healthz 200',
          );
          assert.ok(d!.alive(), 'alive');
        },
      );
    }

    await scenario(
      {
        scenario: '2 unknown status',
        fault: 'J2 turns "ARCHIVING" (not in the 2023-09-06 model)',
        expected:
          'exported as given (status{status="ARCHIVING"} 1; at rest, so by default no zeros of the other statuses), one real transition, no webhook (not a notify status), no error',
      },
      async (obs) => {
        const m0 = await d!.metrics();
        const before = receiver.requests.length;
        await sim.setStatus(J2, 'ARCHIVING');
        const m1 = await waitFor(
          async () => {
            const m = await d!.metrics();
            return m.get(STATUS, { arn: J2, status: 'ARCHIVING' }) === 1 ? m : undefined;
          },
          10_000,
          'ARCHIVING exported',
        );
        await sleep(1500);
        const others = m1.samples
          .filter((s) => s.name === STATUS && s.labels['arn'] === J2 && s.labels['status'] !== 'ARCHIVING')
          .map((s) => s.value);
        obs(`status{ARCHIVING} ${m1.get(STATUS, { arn: J2, status: 'ARCHIVING' })}, ${others.length} other status series (at rest)`);
        obs(
          `transitions +${m1.transitions() - m0.transitions()} (${JSON.stringify(m1.get('cleanroomsml_monitor_transitions_total', { from: 'CREATE_IN_PROGRESS', to: 'ARCHIVING' }))} CREATE_IN_PROGRESS->ARCHIVING)`,
        );
        obs(`api errors +${m1.api('error') - m0.api('error')}`);
        obs(`${receiver.requests.length - before} webhooks`);
        // Not a status under way (src/kinds/statuses.ts): at rest, metrics.statusSeries nonTerminalOnly writes it alone.
        assert.equal(others.length, 0);
        assert.equal(m1.transitions() - m0.transitions(), 1);
        assert.equal(m1.api('error') - m0.api('error'), 0);
        assert.equal(receiver.requests.length - before, 0);
      },
    );
    const m = await d.metrics();
    assert.equal(m.transitions() - t0, 1, 'only the ARCHIVING transition over the whole scenario');
    assert.ok(d.alive());
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});
