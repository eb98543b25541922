// Two monitors on one state dir. The lock is owned by a random token checked on every heartbeat
// and before every write; liveness is the heartbeat, not the pid (a pid means nothing in another
// PID namespace). Real processes, a short stale time (CRML_LOCK_STALE_MS).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, stat, utimes } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { acquireLock, LOCK_FILE, StateLockedError } from '../../src/state/lock.js';
import { writeForeignLock } from '../helpers/lock.js';
import { openStateStore } from '../../src/state/store.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { CLI, DAEMON_CREDS, daemonEnv, workdir } from '../helpers/daemon.js';
import { job } from '../helpers/snapshots.js';

const log = createLogger({ level: 'silent' });
const clock = { now: Date.now };
const STALE = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lockOwner = async (dir: string) => JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number; token: string };

function exitOf(p: ChildProcess): Promise<number | null> {
  return new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (c) => r(c))));
}

test('SIGSTOP the owner past the stale time, take over, SIGCONT: the first writes nothing more and exits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-lock-'));
  const a = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/store-writer.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CRML_LOCK_STALE_MS: String(STALE) },
  });
  let out = '';
  a.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    while (!/\n\d+\n\d+\n/.test(`\n${out}`)) await sleep(20);
    a.kill('SIGSTOP');
    await sleep(STALE + 300);
    const b = await openStateStore({ dir, clock, log, lockStaleMs: STALE });
    assert.equal((await lockOwner(dir)).pid, process.pid);
    const seqBefore = b.resources().size;
    const names = new Set([...b.resources().values()].map((j) => j.name));
    a.kill('SIGCONT');
    const code = await exitOf(a);
    assert.equal(code, 3, `writer output: ${out.slice(-300)}`);
    assert.match(
      out,
      /LOST lost the lock of state\.dir .* \(it now belongs to pid \d+ on .*\): another monitor took it over; this one stops writing and exits/,
    );
    // Every commit the first acknowledged (durable and acted on) was written before the take-over:
    // the second read it. A stop landing between its write and its acknowledgement is fine; a
    // write after the take-over is not acknowledged.
    const acked = out
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    assert.ok(acked.length > 0);
    for (const n of acked.slice(-3))
      assert.ok(names.has(`job-${n}`), `job-${n} acknowledged by the first but not in the state the second loaded`);
    // Our lock is untouched (never refreshed or removed by the other), and we go on writing.
    await sleep(STALE / 2);
    assert.equal((await lockOwner(dir)).pid, process.pid);
    await b.commit({ upsert: [job({ name: 'after-takeover' })], remove: [], enqueue: [] });
    await b.close();
    const c = await openStateStore({ dir, clock, log, lockStaleMs: STALE });
    assert.deepEqual(c.loadReport.quarantined, []);
    assert.ok(c.resources().size >= seqBefore);
    await c.close();
  } finally {
    a.kill('SIGCONT');
    a.kill('SIGKILL');
  }
});

test('`run`: a stopped daemon resumed after another took over exits 1 with a clear log; the other keeps the lock', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const w = await workdir('lock-run');
  await w.writeConfig({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2, requestTimeoutMs: 2_000 },
    discovery: [{ collaborationId: '5f6e7d8c-0000-4000-8000-00000000bb01' }],
    polling: { schedule: '* * * * * *' },
    state: { dir: w.stateDir },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const run = () => {
    const p = spawn(process.execPath, [CLI, 'run', '--config', w.configPath], {
      env: { ...daemonEnv(w.dir), CRML_LOCK_STALE_MS: String(STALE) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const o = { p, out: '' };
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (o.out += d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (o.out += d));
    return o;
  };
  const first = run();
  const second = { o: undefined as ReturnType<typeof run> | undefined };
  try {
    while (!/cleanroomsml-monitor started/.test(first.out)) await sleep(20);
    first.p.kill('SIGSTOP');
    await sleep(STALE + 300);
    second.o = run();
    while (!/cleanroomsml-monitor started/.test(second.o.out)) {
      assert.equal(second.o.p.exitCode, null, second.o.out);
      await sleep(20);
    }
    const t0 = Date.now();
    first.p.kill('SIGCONT');
    const code = await exitOf(first.p);
    assert.equal(code, 1, first.out.slice(-500));
    assert.ok(Date.now() - t0 < 5_000, `exited ${Date.now() - t0} ms after SIGCONT`);
    const fatal = first.out.split('\n').find((l) => l.includes('"level":"fatal"'));
    assert.ok(fatal, first.out.slice(-500));
    assert.match(fatal, /lost the lock of state\.dir .*another monitor took it over; this one stops writing and exits/);
    await sleep(STALE);
    assert.equal((await lockOwner(w.stateDir)).pid, second.o.p.pid);
    assert.equal(second.o.p.exitCode, null, 'the second keeps running');
  } finally {
    first.p.kill('SIGCONT');
    first.p.kill('SIGKILL');
    second.o?.p.kill('SIGKILL');
    await sim.close();
  }
});

test('a fresh lock of another PID namespace whose pid looks dead (or is ours) is refused; once its heartbeat stops it is taken', async () => {
  for (const pid of [2 ** 22 + 4321, process.pid]) {
    const dir = await mkdtemp(join(tmpdir(), 'crml-lockns-'));
    // The owner: same host, another PID namespace, heartbeat kept fresh.
    await writeForeignLock(dir, { pid, hostname: hostname(), pidNamespace: 'pid:[4026599999]' });
    let beating = true;
    const beat = (async () => {
      while (beating) {
        const t = new Date();
        await utimes(join(dir, LOCK_FILE), t, t);
        await sleep(STALE / 6);
      }
    })();
    const t0 = Date.now();
    await assert.rejects(
      openStateStore({ dir, clock, log, lockStaleMs: STALE }),
      (e: unknown) => e instanceof StateLockedError && new RegExp(`pid ${pid} on ${hostname()}, heartbeat \\d+ s ago`).test(e.message),
    );
    assert.ok(Date.now() - t0 < STALE, `refused after ${Date.now() - t0} ms (one heartbeat)`);
    // The owner dies: its heartbeat stops, and after the stale time the lock is taken.
    beating = false;
    await beat;
    const s = await openStateStore({ dir, clock, log, lockStaleMs: STALE });
    assert.equal((await lockOwner(dir)).pid, process.pid);
    await s.close();
  }
});

test("the lock's heartbeat is stamped from its own clock from the start, not left as the file system set it", async () => {
  // A clock two years off the file system's (a network volume's server clock, or a process under
  // faketime): a lock fresh from link() carried the file system's mtime until the first heartbeat,
  // and another monitor on the skewed clock judged it stale and took it over.
  const dir = await mkdtemp(join(tmpdir(), 'crml-lock-'));
  const skewed = () => Date.now() + 730 * 86_400_000;
  const lock = await acquireLock(dir, { now: skewed, staleMs: 30_000 });
  try {
    const age = skewed() - (await stat(join(dir, LOCK_FILE))).mtimeMs;
    assert.ok(age >= 0 && age < 5_000, `heartbeat ${age} ms old on the lock's clock`);
  } finally {
    await lock.release();
  }
});
