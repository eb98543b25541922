// A receiver on 127.0.0.1 that echoes what we sent (URL segments, query values, the signing
// secret, our signature header) in its error bodies: none of it may reach a dead-letter reason,
// a retry's lastError or a log line, while harmless codes and texts stay readable.
import { parseTarget } from '../helpers/targets.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createOutboxWorker, type WorkerTarget } from '../../src/notify/outbox.js';
import { systemClock } from '../../src/clock.js';
import type { OutboxEntry } from '../../src/state/types.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { startReceiver, type Recorded, type Scripted } from '../helpers/receiver.js';
import { change, entryFor, ARN } from '../helpers/notify-fixtures.js';

const SECRET = `whsec_${Buffer.from('canary-signing-key-0123456789abcdef').toString('base64')}`;
const LAST = 'xoxbLastSegmentCanary0123456789';
const ENCODED = 'pct%2Bseg%3DCanaryEncoded42';
const TOKEN = 'QueryValueCanary9876543210';
const PATH = `/hooks/T0PATHCANARY/${ENCODED}/${LAST}?token=${TOKEN}&v=2`;

const ECHOES: Record<string, (r: Recorded) => Scripted> = {
  lastSegment: (r) => ({ status: 404, body: `no such hook: ${r.path.split('?')[0]!.split('/').pop()}` }),
  queryValue: (r) => ({ status: 401, body: `unknown token ${new URL(r.path, 'http://x').searchParams.get('token')}` }),
  decodedSegment: () => ({ status: 404, body: `no hook named ${decodeURIComponent(ENCODED)}` }),
  secret: () => ({ status: 400, body: `signature mismatch: expected key ${SECRET}` }),
  signature: (r) => ({
    status: 403,
    body: `bad signature ${String(r.headers['webhook-signature'])} for ${String(r.headers['webhook-id'])}`,
  }),
  partialUpper: () => ({ status: 500, body: `hook ${LAST.slice(0, 14).toUpperCase()}... is not ready` }),
  json: (r) => ({ status: 422, body: JSON.stringify({ error: 'unknown hook', path: r.path }) }),
  longPrefix: () => ({ status: 404, body: `${'x '.repeat(53)}tail ${LAST}${LAST}` }),
};

test('echoes of the URL, the secret and our headers are scrubbed from reasons and logs; codes and plain texts stay', async () => {
  const rx = await startReceiver();
  const kinds = Object.keys(ECHOES);
  rx.setDefault((r) => {
    if (r.path.startsWith('/slack/')) return { status: 404, body: 'channel_not_found' };
    if (r.path.startsWith('/plain/')) return { status: 400, body: 'invalid signature\n' };
    const kind = kinds.find((k) => r.path.includes(`/${k}/`));
    return ECHOES[kind!]!(r);
  });
  const targets: WorkerTarget[] = [
    ...kinds.map((k) =>
      parseTarget({
        name: k,
        type: 'webhook',
        url: `${rx.url}/${k}${PATH}`,
        statuses: ['ACTIVE'],
        allowHttp: true,
        timeoutMs: 2000,
        secret: SECRET,
      }),
    ),
    parseTarget({
      name: 'slack',
      type: 'slack',
      url: `${rx.url}/slack/services/T0/B0/${LAST}`,
      statuses: ['ACTIVE'],
      allowHttp: true,
      timeoutMs: 2000,
    }),
    parseTarget({
      name: 'plain',
      type: 'webhook',
      url: `${rx.url}/plain${PATH}`,
      statuses: ['ACTIVE'],
      allowHttp: true,
      timeoutMs: 2000,
      secret: SECRET,
    }),
  ];
  const store = new MemoryOutbox();
  const now = Date.now();
  for (const t of targets)
    store.add({ ...entryFor(t.name, change('CREATE_PENDING', 'ACTIVE', { arn: ARN })), createdAt: now, nextAttemptAt: now } as OutboxEntry);
  const lines: string[] = [];
  const w = createOutboxWorker({
    store,
    targets,
    clock: systemClock,
    maxAttempts: 1,
    baseDelayMs: 50,
    maxDelayMs: 100,
    log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }),
  });
  w.start();
  const end = Date.now() + 5000;
  while (store.deadLetters().length < targets.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await w.stop(1000);
  await rx.close();
  assert.equal(store.deadLetters().length, targets.length);

  const reasons = new Map(store.deadLetters().map((d) => [d.target, d.reason]));
  const everything = [lines.join('\n'), JSON.stringify(store.ops), JSON.stringify(store.deadLetters())].join('\n');
  const sent = rx.requests
    .filter((r) => r.headers['webhook-signature'] !== undefined)
    .map((r) => String(r.headers['webhook-signature']).slice(3, 20));
  for (const leak of [
    LAST,
    LAST.slice(0, 10),
    LAST.slice(0, 10).toUpperCase(),
    TOKEN,
    ENCODED,
    decodeURIComponent(ENCODED),
    'T0PATHCANARY',
    SECRET,
    SECRET.slice(6, 30),
    ...sent,
  ]) {
    assert.ok(!everything.includes(leak), `"${leak}" leaked:\n${[...reasons].join('\n')}`);
  }
  assert.equal(reasons.get('slack'), 'HTTP 404: channel_not_found');
  assert.equal(reasons.get('plain'), 'HTTP 400: invalid signature');
  assert.equal(reasons.get('lastSegment'), 'HTTP 404: no such hook: [redacted]');
  assert.equal(reasons.get('queryValue'), 'HTTP 401: unknown token [redacted]');
  assert.equal(reasons.get('decodedSegment'), 'HTTP 404: no hook named [redacted]');
  assert.match(reasons.get('signature')!, /^HTTP 403: bad \[redacted\] \[redacted\] for evt_[0-9a-f]+$/);
  assert.equal(reasons.get('secret'), 'HTTP 400: signature mismatch: expected key [redacted]');
  assert.match(reasons.get('partialUpper')!, /^gave up after 1 attempts over \d+ s: HTTP 500: hook \[redacted\] is not ready$/);
  // Capped: a long body keeps at most ~120 characters, and never half a token.
  assert.ok(reasons.get('longPrefix')!.length < 140 && reasons.get('longPrefix')!.endsWith('…'), reasons.get('longPrefix'));
  for (const [target, reason] of reasons) assert.match(reason, /HTTP \d{3}/, target);
});
