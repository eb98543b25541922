// Scenario 4, state: corrupt and truncated state files, a second process on the same state dir, a
// full disk (a real tmpfs filled to the last byte), a nearly full one (checkpoints fail, appends
// work) and a state dir written by a later state version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver } from '../helpers/receiver.js';
import { fillSpace, freeBlocks, mountTmpfs as mountSmallTmpfs, umount } from '../helpers/tmpfs.js';
import {
  arn,
  baseConfig,
  CLI,
  probe,
  ROOT,
  scenario,
  sleep,
  startDaemon,
  startSim,
  WEBHOOK_SECRET,
  waitFor,
  waitReady,
  type Daemon,
} from './harness.js';

const J = Array.from({ length: 12 }, (_, i) => arn(i + 1, 'f'));

test('4a/4b. corrupt or truncated state is moved aside loudly, no re-notification; a second process is refused', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await sim.put([
      { name: 'state-active', arn: J[0], status: 'ACTIVE' },
      { name: 'state-failed', arn: J[1], status: 'CREATE_FAILED' },
      { name: 'state-running', arn: J[2], status: 'CREATE_IN_PROGRESS' },
    ]);
    const config = baseConfig(sim, receiver.url, { jobs: J.slice(0, 3).map((a) => ({ arn: a })) });
    d = await startDaemon({ name: 'corrupt', receiverUrl: receiver.url, config });
    await waitReady(d);
    await sleep(1500);

    await scenario(
      {
        scenario: '4b second process',
        fault: 'a second `run` on the same state dir while the first runs',
        expected: 'refused with a clear message, exit non-zero; the first keeps running',
      },
      async (obs) => {
        const t0 = Date.now();
        const second = await startDaemon({ name: 'corrupt', configPath: d!.configPath, stateDir: d!.stateDir, waitStarted: false });
        const exit = await second.exited;
        const msg = second.stderr.join('').trim().split('\n')[0] ?? '';
        obs(`exit ${exit.code} after ${((Date.now() - t0) / 1000).toFixed(1)} s: "${msg.slice(0, 110)}..."`);
        obs(`first /healthz ${(await d!.get('/healthz')).status}`);
        assert.notEqual(exit.code, 0);
        assert.match(msg, /is in use by another cleanroomsml-monitor \(pid \d+/);
        assert.ok(d!.alive());
      },
    );
    await d.stop();

    const variants: Array<[string, string, (dir: string) => void]> = [
      [
        '4a truncated state.json',
        'state.json cut in half (and the journal emptied)',
        (dir) => {
          const p = join(dir, 'state.json');
          const t = readFileSync(p);
          writeFileSync(p, t.subarray(0, Math.floor(t.length / 2)));
          writeFileSync(join(dir, 'journal.ndjson'), '');
        },
      ],
      [
        '4a corrupt journal',
        'garbage line in the middle of journal.ndjson',
        (dir) => {
          writeFileSync(
            join(dir, 'journal.ndjson'),
            '{"s":1,"t":"delivered","id":"x"}\n\u0000\u0000garbage{{{\n{"s":2,"t":"delivered","id":"y"}\n',
          );
        },
      ],
      [
        '4a wrong-shape journal',
        'valid JSON of the wrong shape in journal.ndjson ({"s":48,"t":"commit"}, no lists)',
        (dir) => {
          writeFileSync(join(dir, 'journal.ndjson'), '{"s":48,"t":"commit"}\n');
        },
      ],
      [
        '4a corrupt state.json',
        'state.json overwritten with random bytes',
        (dir) => {
          writeFileSync(join(dir, 'state.json'), Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)));
        },
      ],
    ];
    for (const [name, fault, corrupt] of variants) {
      await scenario(
        {
          scenario: name,
          fault,
          expected:
            'moved aside with an error log + state_files_quarantined_total, daemon starts and is ready, first-seen terminal jobs not re-notified',
        },
        async (obs) => {
          corrupt(d!.stateDir);
          const asideBefore = readdirSync(d!.stateDir).filter((f) => f.includes('.corrupt-')).length;
          const before = receiver.requests.length;
          d = await startDaemon({ name: 'corrupt', receiverUrl: receiver.url, configPath: d!.configPath, stateDir: d!.stateDir });
          await waitReady(d);
          await sleep(2500);
          const m = await d.metrics();
          const loud =
            d.lines.find((l) => (l.level as unknown) === 'error' && /corrupt/.test(l.msg)) ?? d.lines.find((l) => /corrupt/.test(l.msg));
          const aside = readdirSync(d.stateDir)
            .filter((f) => f.includes('.corrupt-'))
            .slice(asideBefore);
          const q = m.sum('cleanroomsml_monitor_state_files_quarantined_total');
          obs(`log ${String(loud?.level)}: "${String(loud?.msg).slice(0, 70)}..."`);
          obs(`quarantined_total ${q}`);
          obs(`${aside.length} file(s) moved aside`);
          obs(`ready, ${receiver.requests.length - before} webhooks`);
          assert.ok(loud && (loud.level as unknown) === 'error', 'an error-level log line');
          assert.ok(q >= 1);
          assert.ok(aside.length >= 1);
          assert.equal(receiver.requests.length - before, 0, 'no re-notification');
          await d.stop();
        },
      );
    }
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});

function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
  }
}

/** Fill the filesystem of `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const p = join(dir, 'filler');
  const fd = openSync(p, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: now top up with small writes.
    try {
      for (;;) writeSync(fd, chunk, 0, 512);
    } catch {
      /* full */
    }
  } finally {
    closeSync(fd);
  }
  return p;
}

test('4c. full disk: readiness false, nothing sent unrecorded, recovery and delivery once space returns', async (t) => {
  const mnt = join(ROOT, 'fulldisk-mnt');
  const why = mountTmpfs(mnt, '4m');
  if (why) {
    await scenario(
      { scenario: '4c full disk', fault: 'tmpfs state dir filled', expected: 'readyz 503, no webhook; recovery + delivery' },
      async () => {
        throw new Error(`cannot mount a tmpfs (${why}); run as root or with CAP_SYS_ADMIN`);
      },
    );
    return;
  }
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await scenario(
      {
        scenario: '4c full disk',
        fault: 'state dir on a 4 MiB tmpfs filled to ENOSPC, then 10 jobs turn ACTIVE; space freed 5 s later',
        expected: 'state write errors counted, /readyz 503, no webhook while unrecorded; after freeing: ready, each event delivered once',
      },
      async (obs) => {
        const jobs = J.slice(0, 10);
        await sim.put(
          jobs.map((a, i) => ({ name: `disk-${i}-${'n'.repeat(40)}`, arn: a, status: 'CREATE_IN_PROGRESS', description: 'd'.repeat(250) })),
        );
        d = await startDaemon({
          name: 'fulldisk',
          receiverUrl: receiver.url,
          stateDir: join(mnt, 'state'),
          config: baseConfig(sim, receiver.url, { jobs: jobs.map((a) => ({ arn: a })) }),
        });
        await waitReady(d);
        await sleep(2000);
        const filler = fill(mnt);
        const m0 = await d.metrics();
        const before = receiver.requests.length;
        const t0 = Date.now();
        const p = probe(d, 200);
        for (const a of jobs) await sim.setStatus(a, 'ACTIVE', { statusDetails: { message: 'm'.repeat(200) } });
        await sleep(5000);
        const sentWhileFull = receiver.requests.length - before;
        const m1 = await d.metrics();
        const seenFull = await p.stop();
        const first503 = seenFull.find((s) => s.ready === 503);
        const stateErrors =
          m1.sum('cleanroomsml_monitor_state_write_errors_total') - m0.sum('cleanroomsml_monitor_state_write_errors_total');
        const transitionsWhileFull = m1.transitions() - m0.transitions();
        rmSync(filler);
        const freedAt = Date.now();
        await waitReady(d, 15_000);
        const readyAfter = Date.now() - freedAt;
        await waitFor(
          async () =>
            new Set(
              receiver.requests
                .slice(before)
                .filter((r) => r.path === '/hook')
                .map((r) => r.headers['webhook-id']),
            ).size >= jobs.length,
          20_000,
          'all events delivered',
        );
        await sleep(1500);
        const hooks = receiver.requests.slice(before).filter((r) => r.path === '/hook');
        const ids = new Set(hooks.map((r) => r.headers['webhook-id']));
        const arns = new Set(hooks.map((r) => (JSON.parse(r.body) as { data: { arn: string } }).data.arn));
        obs(`state write errors +${stateErrors}`);
        obs(`readyz 503 after ${first503 ? ((first503.t - t0) / 1000).toFixed(1) : 'never'} s`);
        obs(`${sentWhileFull} webhooks and ${transitionsWhileFull} transitions while full`);
        obs(`ready ${(readyAfter / 1000).toFixed(1)} s after freeing`);
        obs(`${ids.size} events for ${arns.size}/${jobs.length} jobs in ${hooks.length} deliveries`);
        const l = d.lines.find((x) => /state write failed/.test(x.msg));
        assert.ok(stateErrors >= 1, 'write errors counted');
        assert.ok(first503, 'readyz 503 while full');
        assert.equal(sentWhileFull, 0, 'nothing sent that was not recorded');
        assert.ok(l, 'error logged');
        assert.equal(arns.size, jobs.length, 'every event delivered after recovery');
        assert.equal(ids.size, jobs.length, 'once each');
        await d.stop();
        // The journal written across the failure loads cleanly.
        d = await startDaemon({ name: 'fulldisk', receiverUrl: receiver.url, configPath: d.configPath, stateDir: d.stateDir });
        const loadedLine: Record<string, unknown> = d.lines.find((x) => x.msg === 'state loaded') ?? {};
        obs(`restart: quarantined ${JSON.stringify(loadedLine['quarantined'])}, ${loadedLine['jobs']} jobs`);
        assert.deepEqual(loadedLine['quarantined'], []);
        assert.equal(statSync(join(d.stateDir, 'state.json')).size > 0, true);
      },
    );
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
    try {
      execFileSync('umount', [mnt], { stdio: 'pipe' });
    } catch (err) {
      t.diagnostic(`umount ${mnt}: ${(err as Error).message}`);
    }
  }
});

/** name -> sha256 of every file of `dir`. */
function fileHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort())
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

test('4d. checkpoint failing: a start on a nearly full state dir goes on degraded, records and notifies, recovers on the retry', async () => {
  const mnt = join(ROOT, 'degraded-mnt');
  const why = mountSmallTmpfs(mnt, { size: '2m' });
  const row = {
    scenario: '4d checkpoint failing',
    fault:
      'restart on a 2 MiB tmpfs filled up to one block less than a checkpoint needs (the lock file and journal appends fit, a new state.json does not); a job turns ACTIVE; space freed after 6 s',
    expected:
      'starts degraded (/readyz 200 "degraded", state_health degraded 1, no write error); sweeps go on; the ACTIVE is recorded and notified once; ok again at the next retry (30 s) with the journal folded in',
  };
  if (why) {
    await scenario(row, async () => {
      throw new Error(`cannot mount a tmpfs (${why}); run as root or with CAP_SYS_ADMIN`);
    });
    return;
  }
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  const jobs = Array.from({ length: 16 }, (_, i) => arn(i + 1, 'e4'));
  try {
    await scenario(row, async (obs) => {
      await sim.put(
        jobs.map((a, i) => ({
          name: `degraded-${i}-${'n'.repeat(40)}`,
          arn: a,
          status: 'CREATE_IN_PROGRESS',
          description: 'd'.repeat(250),
        })),
      );
      const config = baseConfig(sim, receiver.url, { jobs: jobs.map((a) => ({ arn: a })) });
      d = await startDaemon({ name: 'degraded', receiverUrl: receiver.url, stateDir: join(mnt, 'state'), config });
      await waitReady(d);
      await sleep(2000);
      await d.stop();
      const cpBytes = statSync(join(d.stateDir, 'state.json')).size;
      const block = statfsSync(mnt).bsize;
      const needed = Math.ceil(cpBytes / block);
      // One block for the lock file, and one less than the checkpoint needs for everything else.
      const filler = fillSpace(mnt);
      freeBlocks(filler, needed);
      d = await startDaemon({ name: 'degraded', receiverUrl: receiver.url, configPath: d.configPath, stateDir: d.stateDir });
      await waitReady(d);
      const ready = await d.get('/readyz');
      const m0 = await d.metrics();
      const before = receiver.requests.length;
      const t0 = Date.now();
      await sim.setStatus(jobs[0]!, 'ACTIVE');
      await waitFor(async () => receiver.requests.length - before >= 2, 10_000, 'both targets notified');
      await sleep(Math.max(0, 6_000 - (Date.now() - t0)));
      const m1 = await d.metrics();
      const windowS = (Date.now() - t0) / 1000;
      const sweeps =
        m1.sum('cleanroomsml_monitor_sweeps_total', { outcome: 'success' }) -
        m0.sum('cleanroomsml_monitor_sweeps_total', { outcome: 'success' });
      const hooks = receiver.requests.slice(before).filter((r) => r.path === '/hook');
      const slack = receiver.requests.slice(before).filter((r) => r.path !== '/hook');
      obs(`checkpoint ${cpBytes} bytes (${needed} blocks of ${block}), ${needed - 1} blocks left after the lock`);
      obs(`/readyz ${ready.status} "${ready.body.trim().slice(0, 60)}..."`);
      obs(
        `state_health degraded ${m1.get('cleanroomsml_monitor_state_health', { state: 'degraded' })}, checkpoint failures ${m1.sum('cleanroomsml_monitor_state_checkpoint_failures_total')}, write errors ${m1.sum('cleanroomsml_monitor_state_write_errors_total')}`,
      );
      obs(`${sweeps} sweeps committed in ${windowS.toFixed(1)} s while the checkpoint failed`);
      obs(
        `ACTIVE notified: ${hooks.length} webhook, ${slack.length} Slack; journal ${m1.get('cleanroomsml_monitor_state_journal_bytes')} bytes`,
      );
      assert.equal(ready.status, 200);
      assert.match(ready.body, /^ready \(degraded: state checkpoint failing \(ENOSPC/);
      assert.equal(m1.get('cleanroomsml_monitor_state_health', { state: 'degraded' }), 1);
      assert.equal(m1.sum('cleanroomsml_monitor_state_write_errors_total'), 0);
      assert.ok(sweeps >= windowS - 2, `${sweeps} sweeps in ${windowS.toFixed(1)} s`);
      assert.equal(hooks.length, 1);
      assert.equal(slack.length, 1);

      rmSync(filler);
      const freedAt = Date.now();
      await waitFor(
        async () => (await d!.metrics()).get('cleanroomsml_monitor_state_health', { state: 'ok' }) === 1,
        40_000,
        'state ok again',
        500,
      );
      const okAfter = (Date.now() - freedAt) / 1000;
      const cp = JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8')) as { resources: Array<{ id: string; status: string }> };
      obs(
        `ok ${okAfter.toFixed(1)} s after freeing, journal ${(await d.metrics()).get('cleanroomsml_monitor_state_journal_bytes')} bytes, checkpoint holds the ACTIVE: ${cp.resources.find((r) => r.id === jobs[0])?.status === 'ACTIVE'}`,
      );
      assert.equal(cp.resources.find((r) => r.id === jobs[0])?.status, 'ACTIVE');
      await d.stop();
      const again = receiver.requests.length;
      d = await startDaemon({ name: 'degraded', receiverUrl: receiver.url, configPath: d.configPath, stateDir: d.stateDir });
      await waitReady(d);
      await sleep(1500);
      obs(`restart: ${receiver.requests.length - again} webhooks`);
      assert.equal(receiver.requests.length - again, 0, 'nothing sent twice');
      await d.stop();
    });
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
    try {
      umount(mnt);
    } catch {
      /* reported by the next mount */
    }
  }
});

test('4e. a state dir of a later state version: refused, every file unchanged, nothing lost for the release that reads it', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  const jobs = [arn(1, 'e5'), arn(2, 'e5')];
  try {
    await scenario(
      {
        scenario: '4e newer state version',
        fault:
          "state.json of version 4 (this release writes 3) with a member it does not know, a journal record of version 4 and a crashed write's temp file, holding 2 pending notifications; then `run` and `outbox list`",
        expected:
          'both exit 1 naming versions 4 and 1-3; every file byte-identical (no quarantine, nothing removed, no lock left); the release that reads it (version restored) delivers the 2 pending notifications',
      },
      async (obs) => {
        await sim.put(jobs.map((a, i) => ({ name: `versioned-${i}`, arn: a, status: 'CREATE_IN_PROGRESS' })));
        receiver.setDefault({ status: 503, body: 'down' });
        const config = baseConfig(sim, receiver.url, { jobs: jobs.map((a) => ({ arn: a })) });
        d = await startDaemon({ name: 'versioned', receiverUrl: receiver.url, config });
        await waitReady(d);
        await sim.setStatus(jobs[0]!, 'ACTIVE');
        await waitFor(async () => receiver.requests.length >= 2, 10_000, 'both targets tried');
        await d.stop();
        const stateFile = join(d.stateDir, 'state.json');
        const original = readFileSync(stateFile, 'utf8');
        const pending = (JSON.parse(original) as { outbox: unknown[] }).outbox.length;
        // As a later release would leave the dir.
        writeFileSync(stateFile, original.replace(/^\{"version":3,/, '{"version":4,"shards":{"written":"later"},'));
        writeFileSync(join(d.stateDir, 'journal.ndjson'), '{"v":4,"s":999999,"t":"reshard","to":4}\n');
        writeFileSync(join(d.stateDir, '.state.json.00112233445566778899aabb.tmp'), '{"version":4,');
        const before = fileHashes(d.stateDir);
        const t0 = Date.now();
        const refused = await startDaemon({ name: 'versioned', configPath: d.configPath, stateDir: d.stateDir, waitStarted: false });
        const exit = await refused.exited;
        const msg = refused.stderr.join('').trim();
        const outbox = spawnSync(process.execPath, [CLI, 'outbox', 'list', '--config', d.configPath], {
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: d.dir,
            FAULTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
            FAULTS_SLACK_URL: `${receiver.url}/slack`,
          },
          encoding: 'utf8',
        });
        const after = fileHashes(d.stateDir);
        obs(`run: exit ${exit.code} after ${((Date.now() - t0) / 1000).toFixed(1)} s: "${msg.slice(0, 120)}..."`);
        obs(`outbox list: exit ${outbox.status}`);
        obs(
          `${Object.keys(before).length} files, ${Object.keys(before).filter((f) => before[f] === after[f]).length} byte-identical, ${Object.keys(after).length - Object.keys(before).length} added`,
        );
        assert.equal(exit.code, 1);
        assert.match(
          msg,
          /^error: state\.json was written by state version 4; this release \(\d+\.\d+\.\d+\) reads versions 1-3\. Nothing in the state dir was changed\./,
        );
        assert.equal(outbox.status, 1);
        assert.match(outbox.stderr, /state\.json was written by state version 4/);
        assert.deepEqual(after, before);

        // Rolling forward to a release that reads it: simulated by the version it reads.
        writeFileSync(stateFile, original);
        writeFileSync(join(d.stateDir, 'journal.ndjson'), '');
        receiver.setDefault({ status: 200, body: 'ok' });
        const sent = receiver.requests.length;
        d = await startDaemon({ name: 'versioned', receiverUrl: receiver.url, configPath: d.configPath, stateDir: d.stateDir });
        await waitFor(async () => receiver.requests.length - sent >= pending, 15_000, 'the pending notifications delivered');
        await sleep(1000);
        obs(`then ${receiver.requests.length - sent} of ${pending} pending notifications delivered`);
        assert.equal(receiver.requests.length - sent, pending);
        assert.equal(pending, 2);
      },
    );
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});
