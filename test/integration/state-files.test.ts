// Temp files are created exclusively under random names, so a symlink planted where the
// checkpoint's temp file used to be (`.state.json.<pid>.tmp`) is never followed; and a state dir
// others can write is refused with an error naming the dir and the fix.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { tempPathFor } from '../../src/state/atomic.js';
import { StateDirUnsafeError, stateDirProblem } from '../../src/state/check-state-dir.js';
import { openStateStore } from '../../src/state/store.js';
import { job, snap } from '../helpers/snapshots.js';
import { runCli, workdir } from '../helpers/daemon.js';

const clock = { now: () => Date.parse('2026-11-28T12:00:00.000Z') };
const log = createLogger({ level: 'silent' });

test('a symlink planted at any predictable temp name is not followed by checkpoints', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-files-'));
  const victim = join(await mkdtemp(join(tmpdir(), 'crml-victim-')), 'precious');
  await writeFile(victim, 'precious bytes');
  const s = await openStateStore({ dir, clock, log });
  // Planted while the monitor runs: every name the old scheme could use (this pid and neighbours).
  for (let pid = Math.max(1, process.pid - 50); pid <= process.pid + 50; pid++) await symlink(victim, join(dir, `.state.json.${pid}.tmp`));
  await s.commit({ upsert: [job()], remove: [], enqueue: [] });
  await s.checkpoint();
  await s.close();
  assert.equal(await readFile(victim, 'utf8'), 'precious bytes');
  assert.match(await readFile(join(dir, 'state.json'), 'utf8'), /lookalike-q4/);
  // Only the planted links are left (removed at the next start like any temp file left behind).
  assert.equal((await readdir(dir)).filter((f) => f.endsWith('.tmp')).length, 101);
  const again = await openStateStore({ dir, clock, log });
  await again.close();
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
    [],
  );
  assert.equal(await readFile(victim, 'utf8'), 'precious bytes');
});

test('temp names are random: 96 bits, never the same twice', () => {
  const names = new Set(Array.from({ length: 1000 }, () => tempPathFor('/s/state.json')));
  assert.equal(names.size, 1000);
  for (const n of names) assert.match(n, /^\/s\/\.state\.json\.[0-9a-f]{24}\.tmp$/);
});

test('a world-writable state dir is refused (sticky or not), naming the dir and the fix', async () => {
  for (const mode of [0o777, 0o1777, 0o2777, 0o703]) {
    const dir = await mkdtemp(join(tmpdir(), 'crml-ww-'));
    await chmod(dir, mode);
    await assert.rejects(
      openStateStore({ dir, clock, log }),
      (e: unknown) =>
        e instanceof StateDirUnsafeError && e.message.includes(dir) && /world-writable \(mode \d+\).*Fix: chmod o-w/.test(e.message),
      mode.toString(8),
    );
    assert.deepEqual(await readdir(dir), [], 'nothing written into it');
  }
});

test('group-writable is accepted for one of our groups (fsGroup, setgid), refused for another group', () => {
  const us = { groups: [65532, 65532] };
  assert.equal(stateDirProblem('/s', 0o40000 | 0o2775, 65532, us), undefined, 'a PVC root after fsGroup');
  assert.equal(stateDirProblem('/s', 0o40000 | 0o2770, 65532, us), undefined);
  assert.equal(stateDirProblem('/s', 0o40000 | 0o700, 0, us), undefined, 'the image: 0700 (or 0755) owned by us');
  assert.equal(stateDirProblem('/s', 0o40000 | 0o755, 0, us), undefined);
  const other = stateDirProblem('/s', 0o40000 | 0o775, 1000, us);
  assert.ok(other instanceof StateDirUnsafeError);
  assert.match(
    other.message,
    /state\.dir \/s is writable by group 1000, which this process \(groups 65532,65532\) is not in \(mode 0775\).*Fix: chmod g-w \/s, or chgrp/,
  );
  assert.match(stateDirProblem('/s', 0o40000 | 0o2777, 65532, us)!.message, /world-writable \(mode 2777\)/, 'an emptyDir after fsGroup');
  assert.equal(stateDirProblem('/s', 0o40000 | 0o775, 1000, { groups: undefined }), undefined, 'no groups to compare with (Windows)');
});

test('`run` on a world-writable state dir exits 1 with one clear line', { timeout: 30_000 }, async () => {
  const w = await workdir('ww-run');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(w.stateDir);
  await chmod(w.stateDir, 0o777);
  await w.writeConfig({
    aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' },
    jobs: [{ arn: snap().arn }],
    state: { dir: w.stateDir },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const r = await runCli(w, ['run', '--config', w.configPath]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^error: state\\.dir ${w.stateDir} is world-writable \\(mode 0777\\).*Fix: chmod o-w ${w.stateDir}`));
});
