// Scenario 1, AWS side: 5xx bursts, a 30 % throttling storm, answers held past the timeout, a reset
// in the middle of List pagination, an unresolvable endpoint. One daemon lives through the first
// four in sequence (each followed by a healthy period); the last needs its own endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../helpers/receiver.js';
import {
  arn,
  baseConfig,
  COLLAB,
  MODEL,
  probe,
  scenario,
  secs,
  sleep,
  startDaemon,
  startSim,
  waitFor,
  waitReady,
  type Daemon,
  type Sim,
} from './harness.js';

const J1 = arn(1, 'b');
const FLEET = 150; // two List pages: 100 + 50

interface PhaseResult {
  apiErrors: number;
  /** Requests sent again at once on another connection after a reset on a kept-alive one. */
  resent: number;
  throttled: number;
  transitions: number;
  healthBad: number;
  probes: number;
  /** Share of probes in the fault with a fully successful sweep within 3 intervals. */
  freshRatio: number;
  /** When sweeps were first seen stale (no full success within 3 intervals), from the fault's start. */
  firstStaleMs: number | undefined;
  /** /readyz answers other than 200 (readiness does not depend on AWS). */
  readyBad: number;
  recoveredMs: number;
  requests: Array<{ t: number; op: string; status: number; url?: string; fault?: string }>;
}

async function phase(
  sim: Sim,
  d: Daemon,
  faults: Record<string, unknown>,
  durationMs: number,
  during?: () => Promise<void>,
): Promise<PhaseResult> {
  const m0 = await d.metrics();
  await waitReady(d, 15_000);
  const t0 = Date.now();
  await sim.faults(faults);
  const p = probe(d, 100);
  const duringP = during?.();
  await sleep(durationMs);
  await duringP;
  await sim.faults({});
  const healedAt = Date.now();
  await waitReady(d, 15_000, healedAt);
  const recoveredMs = Date.now() - healedAt;
  const seen = await p.stop();
  const m1 = await d.metrics();
  const inFault = seen.filter((s) => s.t < healedAt);
  const firstStale = inFault.find((s) => !s.fresh);
  return {
    apiErrors: m1.api('error') - m0.api('error'),
    resent: m1.sum('cleanroomsml_monitor_api_requests_resent_total') - m0.sum('cleanroomsml_monitor_api_requests_resent_total'),
    throttled: m1.api('throttled') - m0.api('throttled'),
    transitions: m1.transitions() - m0.transitions(),
    healthBad: seen.filter((s) => s.health !== 200).length,
    probes: seen.length,
    freshRatio: inFault.filter((s) => s.fresh).length / Math.max(1, inFault.length),
    firstStaleMs: firstStale ? firstStale.t - t0 : undefined,
    readyBad: seen.filter((s) => s.ready !== 200).length,
    recoveredMs,
    requests: (await sim.requests(t0)).filter((r) => r.t < healedAt),
  };
}

/** Gaps between the first attempts of one call (page 1 of the collaboration's List). */
function backoffGaps(r: PhaseResult): number[] {
  const ts = r.requests
    // The discovery scope's first page (the static job's List names another collaboration).
    .filter((q) => q.op === 'ListAudienceGenerationJobs' && q.url?.includes(`collaborationId=${COLLAB}`) && !q.url.includes('nextToken'))
    .map((q) => q.t);
  return ts.slice(1, 4).map((t, i) => t - ts[i]!);
}

test('1. AWS side faults: retries with backoff, errors counted, liveness and readiness kept, staleness in metrics, no false transition', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await sim.put([
      { name: 'static-job', arn: J1, status: 'CREATE_IN_PROGRESS', collaborationId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
      ...Array.from({ length: FLEET }, (_, i) => ({
        name: `fleet-${i}`,
        arn: arn(i + 1),
        status: 'ACTIVE',
        collaborationId: COLLAB,
        configuredAudienceModelArn: MODEL,
      })),
    ]);
    d = await startDaemon({
      name: 'aws',
      receiverUrl: receiver.url,
      config: baseConfig(sim, receiver.url, { jobs: [{ arn: J1 }], discovery: [{ collaborationId: COLLAB }] }),
    });
    await waitReady(d);
    // Let first sight and the detail backfill settle (100 Gets per sweep).
    await waitFor(async () => (await d!.metrics()).get('cleanroomsml_monitor_resources_tracked') === FLEET + 1, 15_000, 'all jobs tracked');
    await waitFor(async () => (await d!.metrics()).get('cleanroomsml_monitor_jobs_backfill_pending') === 0, 30_000, 'metric backfill done');
    await sleep(1500);
    const startTransitions = (await d.metrics()).transitions();

    await scenario(
      {
        scenario: '1a 5xx burst',
        fault: 'errorRatio 1 (every AWS call 500) for 5 s',
        expected:
          'retries with exponential backoff, api errors rise, /healthz and /readyz 200, last successful sweep stale after ~3 intervals (1 s each), 0 transitions, recovery',
      },
      async (obs) => {
        const r = await phase(sim, d!, { errorRatio: 1 }, 5000);
        const gaps = backoffGaps(r);
        obs(`${r.requests.length} requests all 500`);
        obs(`backoff gaps ${gaps.map((g) => (g / 1000).toFixed(2)).join('/')} s`);
        obs(`api errors +${r.apiErrors}`);
        obs(`sweeps stale after ${r.firstStaleMs === undefined ? 'never' : secs(r.firstStaleMs)}`);
        obs(`healthz non-200 ${r.healthBad}/${r.probes}, readyz non-200 ${r.readyBad}/${r.probes}`);
        obs(`${r.transitions} transitions`);
        obs(`a sweep succeeded again ${secs(r.recoveredMs)} after healing`);
        assert.equal(
          gaps.length,
          3,
          `three retries of the first call (requests in the fault: ${r.requests.map((q) => `${q.op.slice(0, 4)}${q.url?.includes('nextToken') ? '+' : ''}@${q.t % 100000}`).join(' ')})`,
        );
        gaps.forEach((g, i) => {
          assert.ok(g >= 0.9 * 250 * 2 ** i && g <= 2.2 * 250 * 2 ** i + 300, `gap ${i + 1} = ${g} ms is not exponential backoff`);
        });
        assert.ok(r.apiErrors >= 8, `api errors +${r.apiErrors}`);
        assert.equal(r.healthBad, 0);
        assert.equal(r.readyBad, 0, 'readiness does not depend on AWS');
        assert.ok(r.firstStaleMs !== undefined && r.firstStaleMs >= 1900 && r.firstStaleMs <= 5500, `stale after ${r.firstStaleMs} ms`);
        assert.equal(r.transitions, 0);
      },
    );

    await scenario(
      {
        scenario: '1b throttling storm',
        fault: 'throttleRatio 0.3 for 6 s; one job really turns ACTIVE meanwhile',
        expected: 'throttled calls retried, limiter slows down, /healthz 200, exactly the one real transition and its 2 webhooks',
      },
      async (obs) => {
        const before = receiver.requests.length;
        let rateLow = Infinity;
        const r = await phase(sim, d!, { throttleRatio: 0.3 }, 6000, async () => {
          await sleep(1500);
          await sim.setStatus(J1, 'ACTIVE');
          for (let i = 0; i < 8; i++) {
            await sleep(500);
            rateLow = Math.min(rateLow, (await d!.metrics()).get('cleanroomsml_monitor_api_rate_limit_per_second') ?? Infinity);
          }
        });
        await waitFor(async () => receiver.requests.length - before >= 2, 10_000, 'the 2 webhooks');
        await sleep(1500);
        const hooks = receiver.requests.length - before;
        const answered429 = r.requests.filter((q) => q.status === 429).length;
        obs(`${answered429}/${r.requests.length} requests throttled`);
        obs(`api throttled +${r.throttled}`);
        obs(`limiter down to ${rateLow.toFixed(1)}/s (max 50)`);
        obs(`sweeps fresh in ${(r.freshRatio * 100).toFixed(0)} % of probes, readyz non-200 ${r.readyBad}`);
        obs(`healthz non-200 ${r.healthBad}/${r.probes}`);
        obs(`${r.transitions} transition, ${hooks} webhooks`);
        assert.ok(r.throttled >= 3, `throttled +${r.throttled}`);
        assert.ok(rateLow < 50, 'the adaptive limiter backs off');
        assert.equal(r.healthBad, 0);
        assert.equal(r.transitions, 1, 'exactly the real transition');
        assert.equal(hooks, 2, 'one webhook per target');
      },
    );

    await scenario(
      {
        scenario: '1c held past timeout',
        fault: 'latencyMs 2500 on every AWS call, requestTimeoutMs 1000, for 8 s',
        expected:
          'calls time out and are retried, counted as errors, /healthz and /readyz 200, sweeps stale after ~3 intervals, 0 transitions',
      },
      async (obs) => {
        const r = await phase(sim, d!, { latencyMs: 2500 }, 8000);
        obs(`api errors (timeouts) +${r.apiErrors}`);
        obs(`sweeps stale after ${r.firstStaleMs === undefined ? 'never' : secs(r.firstStaleMs)}`);
        obs(`healthz non-200 ${r.healthBad}/${r.probes}, readyz non-200 ${r.readyBad}`);
        obs(`${r.transitions} transitions`);
        obs(`a sweep succeeded again ${secs(r.recoveredMs)} after healing`);
        const timeouts = d!.lines.filter((l) => JSON.stringify(l).includes('timed out after 1000 ms')).length;
        obs(`${timeouts} "timed out" log lines`);
        assert.ok(r.apiErrors >= 3, `errors +${r.apiErrors}`);
        assert.ok(timeouts > 0);
        assert.equal(r.healthBad, 0);
        assert.equal(r.readyBad, 0);
        assert.ok(r.firstStaleMs !== undefined && r.firstStaleMs <= 5500, `stale after ${r.firstStaleMs} ms`);
        assert.equal(r.transitions, 0);
      },
    );

    await scenario(
      {
        scenario: '1d reset mid-pagination',
        fault: 'resetListPage 2: the connection of every List page-2 request is reset, for 5 s',
        expected:
          'page retried, scope voided (no decision from partial data): 0 transitions, no job dropped, scope up 0 and sweeps stale (readyz 200), recovery',
      },
      async (obs) => {
        const r = await phase(sim, d!, { resetListPage: 2 }, 5000);
        const resets = r.requests.filter((q) => q.fault === 'reset').length;
        const tracked = (await d!.metrics()).get('cleanroomsml_monitor_resources_tracked');
        obs(`${resets} resets on page 2`);
        obs(`api errors +${r.apiErrors}, sent again on another connection +${r.resent}`);
        obs(`sweeps stale after ${r.firstStaleMs === undefined ? 'never' : secs(r.firstStaleMs)}, readyz non-200 ${r.readyBad}`);
        obs(`${r.transitions} transitions`);
        obs(`jobs tracked ${tracked}/${FLEET + 1}`);
        obs(`a sweep succeeded again ${secs(r.recoveredMs)} after healing`);
        assert.ok(resets >= 4, `${resets} resets`);
        // A reset on a kept-alive connection is sent again at once on another (src/net/stale-socket.ts)
        // and counted as such; one on a fresh connection, or once the resends run out, as an error.
        assert.ok(r.apiErrors + r.resent >= resets - 1, `each reset counted: ${r.apiErrors} errors + ${r.resent} resent of ${resets}`);
        assert.ok(r.apiErrors >= 1, 'a page reset on every connection still fails the call');
        assert.equal(r.transitions, 0);
        assert.equal(tracked, FLEET + 1);
        assert.ok(r.firstStaleMs !== undefined);
        assert.equal(r.readyBad, 0);
      },
    );

    await scenario(
      {
        scenario: '1e random resets',
        fault: 'resetRatio 0.3 on every AWS call for 5 s',
        expected: 'retries absorb most resets, 0 transitions, /healthz 200',
      },
      async (obs) => {
        const r = await phase(sim, d!, { resetRatio: 0.3 }, 5000);
        const resets = r.requests.filter((q) => q.fault === 'reset').length;
        obs(`${resets}/${r.requests.length + resets} connections reset`);
        obs(`api errors +${r.apiErrors}`);
        obs(`sweeps fresh in ${(r.freshRatio * 100).toFixed(0)} % of probes, readyz non-200 ${r.readyBad}`);
        obs(`${r.transitions} transitions`);
        assert.ok(resets > 0);
        assert.equal(r.healthBad, 0);
        assert.equal(r.transitions, 0);
      },
    );

    const total = (await d.metrics()).transitions() - startTransitions;
    assert.ok(d.alive(), 'the daemon is still running');
    assert.equal(total, 1, 'only the real transition over all AWS faults');
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});

test('1f. unresolvable endpoint: errors counted and retried, alive and ready, no sweep ever succeeds, nothing leaves loopback', async () => {
  const sim = await startSim();
  let d: Daemon | undefined;
  try {
    await scenario(
      {
        scenario: '1f unresolvable endpoint',
        fault: 'aws.endpoint http://nonexistent.invalid:4566 (ENOTFOUND)',
        expected:
          'network errors counted and retried, process alive, /healthz and /readyz 200, no successful sweep, no traffic beyond loopback',
      },
      async (obs) => {
        const config = baseConfig(sim, undefined, { jobs: [{ arn: J1 }] });
        config['aws'].endpoint = 'http://nonexistent.invalid:4566';
        d = await startDaemon({ name: 'unresolvable', config });
        const p = probe(d, 200);
        // Long enough for the per-job backoff to leave a sweep with nothing due (see the report).
        await sleep(10_000);
        const seen = await p.stop();
        const m = await d.metrics();
        const errors = m.api('error');
        const sweeps = m.sum('cleanroomsml_monitor_sweeps_total');
        const notFound = d.lines.filter((l) => JSON.stringify(l).includes('ENOTFOUND')).length;
        obs(`api errors ${errors} over ${sweeps} sweeps in 10 s`);
        obs(`${notFound} ENOTFOUND log lines`);
        obs(`healthz 200 ${seen.filter((s) => s.health === 200).length}/${seen.length}`);
        obs(
          `readyz 200 ${seen.filter((s) => s.ready === 200).length}/${seen.length}, sweeps fresh ${seen.filter((s) => s.fresh).length}/${seen.length}`,
        );
        obs(`alive ${d.alive()}`);
        assert.ok(d.alive(), 'alive');
        assert.ok(errors >= 4, `errors ${errors}`);
        assert.ok(errors > sweeps, 'each call was retried');
        assert.ok(notFound > 0, 'ENOTFOUND logged');
        assert.ok(
          seen.every((s) => s.health === 200),
          `healthz answers: ${[...new Set(seen.map((s) => s.health))].join(',')}`,
        );
        assert.ok(
          seen.every((s) => s.ready === 200),
          `readyz answers: ${[...new Set(seen.map((s) => s.ready))].join(',')}`,
        );
        assert.ok(
          seen.every((s) => !s.fresh),
          'no sweep succeeded',
        );
      },
    );
  } finally {
    await d?.stop();
    await sim.close();
  }
});
