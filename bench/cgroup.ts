// Runs the benchmarked daemon under a memory limit, as Kubernetes runs it in a pod: a memory
// cgroup with the limit of the Helm chart. The limit matters beyond OOM kills: Node sizes V8's
// heap from it (process.constrainedMemory()): with Node 20 a 259 MB heap limit and a 1 MB young
// generation semi-space under 256 or 384 MiB, against ~4 GB and 16 MB on an unconstrained 24 GiB
// machine, and the heap grows and is collected accordingly. Needs a writable memory controller
// (root on cgroup v1, or a delegated cgroup v2 subtree); without one the bench says so and runs
// the daemon unconstrained.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface MemoryCgroup {
  /** Where the daemon's pid is written. */
  procs: string;
  remove(): Promise<void>;
  describe: string;
}

async function tryCreate(dir: string, limitFile: string, bytes: number, kind: string): Promise<MemoryCgroup | undefined> {
  try {
    await mkdir(dir);
    await writeFile(join(dir, limitFile), String(bytes));
    return {
      procs: join(dir, 'cgroup.procs'),
      // A cgroup can be removed once its processes are gone; the daemon has exited by then.
      remove: async () => {
        for (let i = 0; i < 50; i++) {
          try {
            await rmdir(dir);
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
      describe: `${kind} memory cgroup, limit ${bytes / 1048576} MiB`,
    };
  } catch {
    await rmdir(dir).catch(() => {});
    return undefined;
  }
}

/** A fresh memory cgroup limited to `mib`, or undefined when this machine does not allow one. */
export async function createMemoryCgroup(mib: number): Promise<MemoryCgroup | undefined> {
  const name = `crml-bench-${process.pid}`;
  const bytes = mib * 1048576;
  // cgroup v2: a unified hierarchy with memory.max (needs the memory controller delegated).
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const controllers = await readFile('/sys/fs/cgroup/cgroup.controllers', 'utf8').catch(() => '');
    if (controllers.split(/\s+/).includes('memory')) {
      const g = await tryCreate(join('/sys/fs/cgroup', name), 'memory.max', bytes, 'cgroup v2');
      if (g) return g;
    }
  }
  // cgroup v1: the memory hierarchy.
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) {
    return tryCreate(join('/sys/fs/cgroup/memory', name), 'memory.limit_in_bytes', bytes, 'cgroup v1');
  }
  return undefined;
}

/** resources.limits.memory of the Helm chart's values, in MiB (the bench's default limit). */
export async function chartMemoryLimitMiB(valuesFile: string): Promise<number> {
  const values = parse(await readFile(valuesFile, 'utf8')) as { resources?: { limits?: { memory?: unknown } } };
  const m = /^(\d+)Mi$/.exec(String(values.resources?.limits?.memory ?? ''));
  if (!m) throw new Error(`${valuesFile}: resources.limits.memory is not a number of Mi`);
  return Number(m[1]);
}
