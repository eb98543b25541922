// Human-readable log lines for the demo (the daemon logs JSON). Reads pino's JSON lines and prints
// `12:00:01 INFO  poll  transition lookalike-a: CREATE_PENDING -> CREATE_IN_PROGRESS`.
import { Writable } from 'node:stream';

const LEVEL_PAD = 5;

export function prettyDestination(out: (line: string) => void): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        out(formatLine(line));
      }
      cb();
    },
  });
}

export function formatLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 19) : '';
  const level = String(rec.level ?? '')
    .toUpperCase()
    .padEnd(LEVEL_PAD);
  const component = typeof rec.component === 'string' ? `${rec.component.padEnd(6)} ` : '';
  const extras: string[] = [];
  for (const k of ['target', 'status', 'outcome', 'attempt', 'url', 'reason']) {
    if (rec[k] !== undefined && !String(rec.msg ?? '').includes(String(rec[k]))) extras.push(`${k}=${String(rec[k])}`);
  }
  const err = rec.err as { message?: string } | undefined;
  if (err?.message) extras.push(`error="${err.message}"`);
  return `${time} ${level} ${component}${String(rec.msg ?? '')}${extras.length ? `  ${extras.join(' ')}` : ''}`;
}
