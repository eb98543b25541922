// A real forward proxy on 127.0.0.1 for proxy tests: Debian's tinyproxy, started with its own
// config on a free port, every request it handles read back from its log (`Request (file
// descriptor N): METHOD TARGET HTTP/1.1`). `.ci/run` installs it; on a developer machine without
// it the caller skips with a clear reason, in CI (CI=true) its absence is a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './daemon.js';

export interface Tinyproxy {
  url: string;
  port: number;
  /** Every request line the proxy handled so far: "GET http://127.0.0.1:1234/x", "CONNECT localhost:443". */
  requests(): string[];
  close(): Promise<void>;
}

/** Why the proxy tests cannot run here, or undefined when tinyproxy is available. Throws in CI. */
export function tinyproxyMissing(): string | undefined {
  const found = spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' }).status === 0;
  if (found) return undefined;
  const why = 'tinyproxy is not installed (apt-get install tinyproxy); the proxy tests need a real proxy';
  if (process.env['CI'] === 'true') throw new Error(`${why}: .ci/run installs it, so CI must have it`);
  return why;
}

export async function startTinyproxy(): Promise<Tinyproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'crml-tinyproxy-'));
  const port = await freePort();
  const conf = join(dir, 'tinyproxy.conf');
  // No ConnectPort line: CONNECT to any port (the test servers use ephemeral ones). Allow only
  // loopback clients; destinations on 127.0.0.1 are allowed by default.
  await writeFile(
    conf,
    [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', 'LogLevel Info', 'MaxClients 64', 'Allow 127.0.0.1', ''].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const end = Date.now() + 10_000;
  while (!/Reloading config file finished|Starting main loop|listening/i.test(log)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`tinyproxy did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // The log line comes before the socket is accepting on some builds: wait until it answers.
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const baseline = log.length;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => [...log.slice(baseline).matchAll(/Request \(file descriptor \d+\): (\S+ \S+) HTTP/g)].map((m) => m[1]!),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
