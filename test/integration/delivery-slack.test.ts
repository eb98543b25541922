// docs/reliability.md row 5, against the real daemon on 127.0.0.1: a burst of Slack messages meets a 429 with
// Retry-After: 2. Nothing reaches the target for 2 s after the 429, and the target never gets more
// than about one message per second (Slack's limit per incoming webhook, the slack default
// ratePerSecond). Burst size: CRML_DELIVERY_BURST (default 30; ~33 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import { baseConfig, DAEMON_CREDS, observed, outboxOf, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';

const COLLAB = '5d4c3b2a-7f8e-4a9b-8cad-2f3e4a5b6c7d';

test('5. Slack 429 Retry-After: 2 during a burst: nothing re-sent before 2 s, at most about one message per second', async () => {
  const BURST = Number(process.env.CRML_DELIVERY_BURST ?? 30);
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('slack');
  let daemon: Daemon | undefined;
  try {
    const jobs = sim.putJobs(
      Array.from({ length: BURST }, (_, i) => ({
        name: `burst-${String(i).padStart(2, '0')}`,
        status: 'CREATE_IN_PROGRESS',
        collaborationId: COLLAB,
      })),
    );
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        // Short backoff, so only Retry-After and the rate limit can explain the gaps measured below.
        targets: [
          {
            name: 'team-slack',
            type: 'slack',
            url: `${rx.url}/services/T0/B0/CANARYSLACKTOKEN`,
            allowHttp: true,
            retry: { baseDelayMs: 100, maxDelayMs: 200 },
          },
        ],
      }),
    );
    // The 3rd message is refused the way Slack does it.
    rx.respond(
      { status: 200, body: 'ok' },
      { status: 200, body: 'ok' },
      { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' },
    );
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === BURST, 'first sight');
    for (const j of jobs) sim.setStatus(j.audienceGenerationJobArn as string, { status: 'ACTIVE' });
    const got = await rx.waitFor(BURST + 1, (BURST + 15) * 1_000);
    await until(async () => (await outboxOf(daemon!)).pending.length === 0, 'empty outbox');

    const name = (b: string) => /burst-\d\d/.exec((JSON.parse(b) as { text: string }).text)?.[0];
    const limited = got[2]!;
    const after = got.slice(3);
    const gapAfter429 = after[0]!.at - limited.at;
    assert.ok(gapAfter429 >= 1_950, `a message ${gapAfter429} ms after the 429`);
    const resent = got.filter((r) => name(r.body) === name(limited.body));
    assert.equal(resent.length, 2, 'the refused message is re-sent once');
    assert.ok(resent[1]!.at - limited.at >= 1_950, 're-sent no earlier than Retry-After');
    assert.equal(new Set(got.map((r) => name(r.body))).size, BURST, 'every message delivered');
    const gaps = got.slice(1).map((r, i) => r.at - got[i]!.at);
    const minGap = Math.min(...gaps);
    // The lane starts a send at most every 1000 ms; arrival times carry the scheduling noise of both
    // processes (on a loaded 2-core machine one message's arrival can lag by ~200 ms and close the gap
    // to the next): the 5 s windows below bound the rate itself, this bounds a pair.
    assert.ok(minGap >= 700, `two messages ${minGap} ms apart`);
    // In any 5 s window, at most 5 (+1 for the window edges) messages.
    for (const r of got) assert.ok(got.filter((x) => x.at >= r.at && x.at < r.at + 5_000).length <= 6, 'more than ~1 msg/s over 5 s');
    const spanS = (got.at(-1)!.at - got[0]!.at) / 1000;
    console.log(
      `# test 5: ${BURST} messages + 1 re-send in ${spanS.toFixed(1)} s; first request ${gapAfter429} ms after the 429 (Retry-After 2); min gap ${minGap} ms, mean ${(gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(0)} ms`,
    );
    assert.equal(await daemon.kill('SIGTERM'), 0);
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
