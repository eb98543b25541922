// Small measuring helpers shared by the bench scenarios: ports, percentiles, /metrics samples,
// /proc readings of the daemon, and timed scrapes.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Nearest-rank percentile (NaN for no samples). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Sum of the samples of one family in a text exposition, optionally only those whose labels contain `labels`. */
export function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function procStats(pid: number): Promise<{ cpuS: number; hwmMB: number; rssMB: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  // Fields after "(comm) ": state is index 0, utime 11, stime 12 (clock ticks of 1/100 s on Linux).
  return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, hwmMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
}

/**
 * Time to the last byte of a GET with the body discarded (as Prometheus' Go scraper reads it;
 * Node's fetch adds ~120 ms decoding 25 MB), plain or asking for gzip as Prometheus does.
 */
export function timedGet(url: string, gzip = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(url, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(performance.now() - t));
      })
      .on('error', reject);
  });
}

/** A webhook sink on 127.0.0.1: hands each JSON body (and when it arrived) to `onBody`; answers 200. */
export async function startBodySink(onBody: (body: unknown, at: number) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        onBody(JSON.parse(Buffer.concat(chunks).toString('utf8')), at);
      } catch {
        /* not ours */
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
