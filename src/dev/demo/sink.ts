// The demo's webhook receiver: a real HTTP server on 127.0.0.1 that verifies Standard Webhooks
// signatures and prints each delivery the way a person wants to read it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../targets/webhook-body.js';

export interface Sink {
  url: string;
  received: { path: string; body: unknown; verified: boolean | undefined }[];
  close(): Promise<void>;
}

export async function startSink(opts: { secrets: readonly string[]; print: (line: string) => void }): Promise<Sink> {
  const received: Sink['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const path = req.url ?? '/';
      let verified: boolean | undefined;
      if (req.headers['webhook-signature'] !== undefined) {
        verified = verifyWebhook({ body: raw, headers: req.headers, secrets: opts.secrets, nowMs: Date.now() }).ok;
      }
      received.push({ path, body, verified });
      opts.print(describe(path, body, verified, req.headers['webhook-id']));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function describe(path: string, body: unknown, verified: boolean | undefined, id: unknown): string {
  const b = body as { text?: string; data?: { name?: string; previousStatus?: string | null; status?: string } };
  if (path.startsWith('/slack')) return `  >> slack    ${b.text ?? JSON.stringify(body).slice(0, 200)}`;
  const d = b.data ?? {};
  const sig = verified === undefined ? 'unsigned' : verified ? 'signature OK' : 'SIGNATURE INVALID';
  return `  >> ${path.padEnd(17)} ${String(id)}  ${d.name}: ${d.previousStatus ?? '(new)'} -> ${d.status}  (${sig})`;
}
