// A checkpoint that fails while journal appends still work must not stop the monitor: sweeps go on,
// a job that turns ACTIVE meanwhile is recorded and notified, readiness stays 200 and says
// "degraded", the metrics say so, the checkpoint is retried at checkpointRetryMs (not every
// sweep), and once it succeeds everything is in the checkpoint. Two real failures of the store's
// own file operations: a tmpfs out of inodes (no file can be created: the checkpoint's temp file
// fails, appends to the open journal work), where the machine lets us mount one, and a directory
// in the place of state.json (the rename fails), everywhere. In-process app (the journal
// thresholds shrunk through AppOptions.state), simulator and receiver on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import { getText, metricSample, until } from '../helpers/daemon.js';
import { exhaustInodes, fillSpace, freeBlocks, freeInodes, mountTmpfs, umount } from '../helpers/tmpfs.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';
import { JOURNAL_FILE, openStateStore, STATE_FILE } from '../../src/state/store.js';

const CREDS = { accessKeyId: 'AKIDCHECKPOINT', secretAccessKey: 'checkpoint-failing-secret' };
const COLLAB = '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
const RETRY_MS = 2_000;

interface Fault {
  name: string;
  /** Prepares `base` (returns false with a reason when impossible here) and returns the state dir. */
  setup(base: string): Promise<{ stateDir: string } | { skip: string }>;
  inject(stateDir: string): Promise<void>;
  heal(stateDir: string): Promise<void>;
  cleanup(base: string): Promise<void>;
}

let filler = '';
const FAULTS: Fault[] = [
  {
    name: 'no free inode on a tmpfs',
    async setup(base) {
      const mnt = join(base, 'mnt');
      const why = mountTmpfs(mnt, { size: '16m', inodes: 64 });
      return why ? { skip: `cannot mount a tmpfs here (${why})` } : { stateDir: join(mnt, 'state') };
    },
    inject: async (stateDir) => {
      // Twice: a checkpoint in flight during the first fill frees its old files' inodes afterwards.
      filler = exhaustInodes(join(stateDir, '..'));
      await new Promise((r) => setTimeout(r, 500));
      exhaustInodes(join(stateDir, '..'));
    },
    heal: async () => freeInodes(filler),
    cleanup: async (base) => umount(join(base, 'mnt')),
  },
  {
    name: 'a directory where state.json is renamed to',
    setup: async (base) => ({ stateDir: join(base, 'state') }),
    inject: async (stateDir) => {
      await rename(join(stateDir, 'state.json'), join(stateDir, 'state.json.before'));
      await mkdir(join(stateDir, 'state.json'));
    },
    heal: async (stateDir) => {
      await rm(join(stateDir, 'state.json'), { recursive: true });
      await rename(join(stateDir, 'state.json.before'), join(stateDir, 'state.json'));
    },
    cleanup: async () => {},
  },
];

for (const fault of FAULTS) {
  test(`checkpoint failing (${fault.name}): sweeps go on, an ACTIVE job is recorded and notified, degraded until the retry succeeds`, async (t) => {
    const base = await mkdtemp(join(tmpdir(), 'crml-ckpt-'));
    const where = await fault.setup(base);
    if ('skip' in where) return t.skip(where.skip);
    const sim = await startSimulator({ credentials: CREDS });
    const rx = await startReceiver();
    const config = await parseConfig(
      JSON.stringify({
        aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
        discovery: [{ collaborationId: COLLAB }],
        polling: { schedule: '* * * * * *' },
        notifications: { targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, allowHttp: true }] },
        state: { dir: where.stateDir },
        server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
      }),
      { env: {}, readSecretFile: async () => '' },
    );
    const jobs = sim.putJobs(
      Array.from({ length: 3 }, (_, i) => ({ name: `ckpt-${i}`, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })),
    );
    const arnOf = (i: number) => String(jobs[i]!.audienceGenerationJobArn);
    // Every commit passes compactBytes, so every commit asks for a checkpoint.
    const app = await createApp({
      config,
      log: createLogger({ level: 'silent' }),
      credentials: async () => CREDS,
      outbox: { baseDelayMs: 10, maxDelayMs: 50 },
      state: { compactBytes: 200, maxJournalBytes: 64 * 1024 * 1024, checkpointRetryMs: RETRY_MS },
    });
    let stopped = false;
    try {
      await app.start();
      await until(() => app.store.resources().size === 3, 'the jobs tracked');
      const metrics = async () => {
        const m = await getText(`${app.url}/metrics`);
        return {
          sweepsOk: metricSample(m, 'cleanroomsml_monitor_sweeps_total', { outcome: 'success' }) ?? 0,
          checkpointFailures: metricSample(m, 'cleanroomsml_monitor_state_checkpoint_failures_total'),
          writeErrors: metricSample(m, 'cleanroomsml_monitor_state_write_errors_total') ?? 0,
          degraded: metricSample(m, 'cleanroomsml_monitor_state_health', { state: 'degraded' }),
          ok: metricSample(m, 'cleanroomsml_monitor_state_health', { state: 'ok' }),
          journalBytes: metricSample(m, 'cleanroomsml_monitor_state_journal_bytes'),
        };
      };
      await fault.inject(where.stateDir);
      // The first commit after the fault asks for a checkpoint, which fails.
      sim.setStatus(arnOf(0), { status: 'ACTIVE' });
      await until(() => rx.requests.length >= 1, 'the first ACTIVE notified', 10_000).catch(() => {});
      const m0 = await metrics();
      // While the checkpoint fails: another job turns ACTIVE; a 6 s window of sweeps.
      sim.setStatus(arnOf(1), { status: 'ACTIVE' });
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 6_000));
      const windowS = (Date.now() - t0) / 1000;
      const m1 = await metrics();
      const ready = await fetch(`${app.url}/readyz`);
      const readyBody = await ready.text();
      const recorded = app.store.resources().get(arnOf(1))?.status;
      const notified = rx.requests.filter((r) => (JSON.parse(r.body) as { data: { arn: string; status: string } }).data.arn === arnOf(1));
      const sweeps = m1.sweepsOk - m0.sweepsOk;
      const tries = (m1.checkpointFailures ?? 0) - (m0.checkpointFailures ?? 0);
      t.diagnostic(
        `while the checkpoint failed: ${sweeps} sweeps succeeded in ${windowS.toFixed(1)} s, job 1 recorded as ${recorded}, ` +
          `${notified.length} notification(s) of it, ${rx.requests.length} in all; /readyz ${ready.status} "${readyBody.trim().slice(0, 90)}"; ` +
          `checkpoint tries ${tries} (retry every ${RETRY_MS / 1000} s); write errors ${m1.writeErrors}; journal ${m1.journalBytes} bytes`,
      );
      assert.ok(sweeps >= windowS - 2, `sweeps go on: ${sweeps} in ${windowS.toFixed(1)} s`);
      assert.equal(recorded, 'ACTIVE', 'the transition is recorded');
      assert.equal(notified.length, 1, 'and notified once');
      assert.equal(ready.status, 200, 'still ready');
      assert.match(readyBody, /^ready \(degraded: state checkpoint failing \(.*\); every record still goes to the journal/);
      assert.equal(m1.degraded, 1, 'state_health{state="degraded"} 1');
      assert.equal(m1.writeErrors, 0, 'no record failed');
      assert.ok(tries >= 1 && tries <= Math.ceil(windowS / (RETRY_MS / 1000)) + 1, `${tries} checkpoint tries in ${windowS.toFixed(1)} s`);
      assert.ok((m1.journalBytes ?? 0) > 200, 'the journal holds what the checkpoint could not');

      // Healed: the timer's next try succeeds without any new record.
      await fault.heal(where.stateDir);
      await until(async () => (await metrics()).ok === 1, 'state ok again', 3 * RETRY_MS + 2_000);
      const cp = JSON.parse(await readFile(join(where.stateDir, 'state.json'), 'utf8')) as {
        resources: Array<{ id: string; status: string }>;
      };
      assert.equal(cp.resources.find((r) => r.id === arnOf(1))?.status, 'ACTIVE', 'the checkpoint holds what the journal recorded');
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
      assert.equal((await metrics()).journalBytes! < 200, true, 'the journal was folded in');
      await app.stop();
      stopped = true;
    } finally {
      if (!stopped) await app.stop();
      await rx.close();
      await sim.close();
      await fault.cleanup(base);
    }
  });
}

test('a start on a nearly full state dir goes on degraded: what was loaded stays on disk, a torn tail is cut before the next record', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'crml-ckpt-load-'));
  const mnt = join(base, 'mnt');
  const why = mountTmpfs(mnt, { size: '1m' });
  if (why) return t.skip(`cannot mount a tmpfs here (${why})`);
  const dir = join(mnt, 'state');
  const log = createLogger({ level: 'silent' });
  const clock = { now: () => Date.parse('2026-11-28T12:00:00.000Z') };
  try {
    const first = await openStateStore({ dir, clock, log });
    // A checkpoint of several blocks: 20 jobs with long descriptions.
    const arns = Array.from({ length: 20 }, (_, i) => ARN_A.replace(/01$/, String(10 + i)));
    await first.commit({
      upsert: arns.map((arn) => job({ arn, status: 'CREATE_IN_PROGRESS', description: 'd'.repeat(250) })),
      remove: [],
      enqueue: [],
    });
    await first.close();
    // A record after the checkpoint and a torn one (a crash mid-append), as a killed monitor leaves them.
    const seq = (JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { seq: number }).seq;
    const rec = { s: seq + 1, t: 'commit', upr: [job({ arn: ARN_B, status: 'ACTIVE' })], rmr: [], enq: [] };
    await appendFile(join(dir, JOURNAL_FILE), `${JSON.stringify(rec)}\n{"s":${seq + 2},"t":"comm`);
    // Room for the lock file and a few appends, not for a new checkpoint.
    const filler = fillSpace(mnt);
    freeBlocks(filler, 2);
    const before = await readFile(join(dir, JOURNAL_FILE), 'utf8');

    const s = await openStateStore({ dir, clock, log, checkpointRetryMs: 60_000 });
    assert.equal(s.health().status, 'degraded', s.health().reason);
    assert.match(s.health().reason!, /ENOSPC/);
    assert.equal(s.loadReport.tornTail, true);
    assert.equal(s.resources().get(ARN_B)?.status, 'ACTIVE', 'the journal was replayed');
    assert.equal(await readFile(join(dir, JOURNAL_FILE), 'utf8'), before, 'nothing on disk changed yet');
    await s.commit({ upsert: [job({ arn: ARN_A, status: 'ACTIVE', updateTime: clock.now() + 1 })], remove: [], enqueue: [] });
    assert.equal(s.health().status, 'degraded');
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).split('\n');
    assert.equal(lines.length, 3, 'the torn tail was cut before the new record');
    assert.equal((JSON.parse(lines[1]!) as { s: number }).s, seq + 2);
    await s.close(); // its final checkpoint fails too: the journal keeps everything

    await rm(filler);
    const again = await openStateStore({ dir, clock, log });
    assert.deepEqual(again.loadReport.quarantined, []);
    assert.equal(again.resources().get(ARN_A)?.status, 'ACTIVE');
    assert.equal(again.resources().get(ARN_B)?.status, 'ACTIVE');
    assert.equal(again.resources().size, 22);
    assert.equal(again.health().status, 'ok');
    await again.close();
  } finally {
    umount(mnt);
  }
});
