import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { buildWebhookBody, signPayload, verifyWebhook, webhookHeaders, secretsOf } from '../../src/targets/webhook-body.js';
import { snapshotFromWire } from '../../src/aws/resource-deserialize.js';
import { KINDS } from '../../src/kinds/index.js';
import { ARN, COLLABORATION, FAILED_JOB as FULL, MODEL, change, entryFor, getJson, snap, T0 } from '../helpers/notify-fixtures.js';

// Published vector from the Standard Webhooks reference library tests
// (standard-webhooks/libraries/javascript/src/webhook.test.ts, "sign function works").
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SW_TS = 1614265330;
const SW_BODY = '{"test": 2432232314}';
const SW_SIG = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

/** Independent computation straight from the spec text. */
function reference(secret: string, id: string, ts: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

test('signature matches the Standard Webhooks published vector', () => {
  assert.equal(signPayload(SW_SECRET, SW_ID, SW_TS, SW_BODY), SW_SIG);
  assert.equal(reference(SW_SECRET, SW_ID, SW_TS, SW_BODY), SW_SIG);
});

test('body follows the documented shape (docs/notifications.md); job in GetAudienceGenerationJob shape with ISO timestamps', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE', {
    metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 }], recallMetric: 0.7 },
  });
  const e = entryFor('audit', t);
  const body = JSON.parse(buildWebhookBody(e));
  assert.equal(body.type, 'audience_generation_job.status_changed');
  assert.equal(body.id, e.id);
  assert.equal(body.timestamp, new Date(t.observedAt).toISOString());
  assert.deepEqual(Object.keys(body), ['type', 'id', 'timestamp', 'data']);
  assert.equal(body.data.arn, t.id);
  assert.equal(body.data.name, 'lookalike-q3');
  assert.equal(body.data.previousStatus, 'CREATE_IN_PROGRESS');
  assert.equal(body.data.status, 'ACTIVE');
  assert.equal(body.data.updateTime, new Date(t.snapshot.updateTime).toISOString());
  assert.equal(body.data.kind, 'audienceGenerationJob');
  assert.equal(body.data.statusCode, undefined, 'no failure detail on a success');
  assert.equal(body.data.resource, undefined, 'the job is under data.job only');
  assert.deepEqual(body.data.job, {
    createTime: '2026-11-28T10:00:00.000Z',
    updateTime: '2026-11-28T10:01:00.000Z',
    audienceGenerationJobArn: t.id,
    name: 'lookalike-q3',
    status: 'ACTIVE',
    configuredAudienceModelArn: t.snapshot.parents.configuredAudienceModelArn,
    collaborationId: t.snapshot.parents.collaborationId,
    metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 }], recallMetric: 0.7 },
  });
  assert.ok(!('seedAudience' in body.data.job) && !('tags' in body.data.job));
  // Stable bytes: retries and re-derivations sign the same body.
  assert.equal(buildWebhookBody(e), buildWebhookBody(structuredClone(e)));
});

test('seedAudience/tags smuggled into a snapshot never reach the body', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE', { seedAudience: { roleArn: 'x' }, tags: { k: 'v' } } as never);
  const body = JSON.parse(buildWebhookBody(entryFor('audit', t)));
  assert.equal(body.data.job.seedAudience, undefined);
  assert.equal(body.data.job.tags, undefined);
  // Even when present on the snapshot object itself, or as undeclared attributes.
  const s = snap({ status: 'ACTIVE' });
  const dirty = { ...s, seedAudience: { roleArn: 'x' }, tags: { k: 'v' }, attributes: { ...s.attributes, tags: 'k=v', seedAudience: 'x' } };
  const b2 = JSON.parse(buildWebhookBody(entryFor('audit', { ...t, snapshot: dirty })));
  assert.deepEqual(
    Object.keys(b2.data.job).filter((k) => k === 'seedAudience' || k === 'tags'),
    [],
  );
});

test('an audience generation job failure: the bytes of data.job of earlier releases, plus kind, statusCode and message', () => {
  const e = entryFor('audit', change('CREATE_IN_PROGRESS', 'CREATE_FAILED', FULL));
  const text = buildWebhookBody(e);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body.data), [
    'kind',
    'arn',
    'name',
    'previousStatus',
    'status',
    'updateTime',
    'transition',
    'statusCode',
    'message',
    'tags',
    'job',
  ]);
  assert.equal(body.data.kind, 'audienceGenerationJob');
  assert.equal(body.data.statusCode, 'INSUFFICIENT_SEED');
  assert.equal(body.data.message, 'Seed audience has fewer than 500 users');
  // Written by the release that built this body from its own job record: receivers parsing it see the same JSON.
  const earlier =
    '{"createTime":"2026-11-28T10:00:00.000Z","updateTime":"2026-11-28T10:01:00.000Z","audienceGenerationJobArn":"' +
    ARN +
    '","name":"lookalike-q3","description":"q3 lookalikes","status":"CREATE_FAILED","statusDetails":{"statusCode":"INSUFFICIENT_SEED","message":"Seed audience has fewer than 500 users"},"configuredAudienceModelArn":"' +
    MODEL +
    '","includeSeedInOutput":false,"collaborationId":"' +
    COLLABORATION +
    '","metrics":{"relevanceMetrics":[{"audienceSize":{"type":"ABSOLUTE","value":10000},"score":0.9123},{"audienceSize":{"type":"PERCENTAGE","value":5},"score":0.8}],"recallMetric":0.42},"startedBy":"111122223333","protectedQueryIdentifier":"pq-1"}';
  assert.equal(JSON.stringify(body.data.job), earlier);
  assert.equal(typeof body.data.job.metrics.relevanceMetrics[0].audienceSize.value, 'number');
  assert.equal(e.id, 'evt_98493987e80d19e65b2c06dda463baea', 'the id of earlier releases for this transition and target');
});

test('data.job is the GetAudienceGenerationJob answer the monitor read, less seedAudience and tags', () => {
  const answer = {
    ...getJson({ status: 'ACTIVE', ...FULL }),
    seedAudience: { dataSource: { s3Uri: 's3://b/k' }, roleArn: 'arn:aws:iam::1:role/r' },
    tags: { team: 'x' },
  };
  const AGJ = KINDS.audienceGenerationJob;
  const s = snapshotFromWire(AGJ, AGJ.get.member!, answer, 'GetAudienceGenerationJob');
  const body = JSON.parse(
    buildWebhookBody(
      entryFor('audit', { kind: 'status_changed', id: s.id, from: 'CREATE_IN_PROGRESS', to: 'ACTIVE', observedAt: T0, snapshot: s }),
    ),
  );
  const { seedAudience: _seed, tags: _tags, ...expected } = answer;
  assert.deepEqual(body.data.job, expected);
  // An empty relevance list stays a list (the model requires it whenever metrics are given).
  const empty = snap({ status: 'ACTIVE', metrics: { relevanceMetrics: [], recallMetric: 0.3 } });
  const b2 = JSON.parse(
    buildWebhookBody(
      entryFor('audit', {
        kind: 'status_changed',
        id: empty.id,
        from: 'CREATE_IN_PROGRESS',
        to: 'ACTIVE',
        observedAt: T0,
        snapshot: empty,
      }),
    ),
  );
  assert.deepEqual(b2.data.job.metrics, { relevanceMetrics: [], recallMetric: 0.3 });
});

test('headers: webhook-id = entry id, timestamp = this attempt in seconds, signature verifies independently', () => {
  const e = entryFor('audit', change('CREATE_IN_PROGRESS', 'ACTIVE'));
  const body = buildWebhookBody(e);
  const now = T0 + 1234;
  const h = webhookHeaders(e.id, body, [SW_SECRET], now);
  assert.equal(h['webhook-id'], e.id);
  assert.equal(h['webhook-timestamp'], String(Math.floor(now / 1000)));
  assert.equal(h['content-type'], 'application/json');
  assert.equal(h['webhook-signature'], reference(SW_SECRET, e.id, Math.floor(now / 1000), body));
  assert.deepEqual(verifyWebhook({ body, headers: h, secrets: [SW_SECRET], nowMs: now }), { ok: true });
  // A later retry: same id, new timestamp, new valid signature.
  const later = webhookHeaders(e.id, body, [SW_SECRET], now + 3_600_000);
  assert.equal(later['webhook-id'], e.id);
  assert.notEqual(later['webhook-signature'], h['webhook-signature']);
  assert.deepEqual(verifyWebhook({ body, headers: later, secrets: [SW_SECRET], nowMs: now + 3_600_000 }), { ok: true });
});

test('rotation: one space-separated v1 signature per secret; either secret verifies', () => {
  const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const h = webhookHeaders('evt_x', '{}', [SW_SECRET, other], T0);
  const parts = h['webhook-signature']!.split(' ');
  assert.equal(parts.length, 2);
  assert.equal(parts[0], reference(SW_SECRET, 'evt_x', T0 / 1000, '{}'));
  assert.equal(parts[1], reference(other, 'evt_x', T0 / 1000, '{}'));
  assert.equal(verifyWebhook({ body: '{}', headers: h, secrets: [other], nowMs: T0 }).ok, true);
  assert.equal(verifyWebhook({ body: '{}', headers: h, secrets: [SW_SECRET], nowMs: T0 }).ok, true);
});

test('no secret: unsigned request', () => {
  const h = webhookHeaders('evt_x', '{}', secretsOf(undefined), T0);
  assert.equal(h['webhook-signature'], undefined);
  assert.deepEqual(secretsOf('a'), ['a']);
  assert.deepEqual(secretsOf(['a', 'b']), ['a', 'b']);
});

test('verifyWebhook rejects tampering, wrong secret, stale timestamps, missing headers', () => {
  const h = webhookHeaders('evt_x', '{"a":1}', [SW_SECRET], T0);
  const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  assert.equal(verifyWebhook({ body: '{"a":2}', headers: h, secrets: [SW_SECRET], nowMs: T0 }).ok, false);
  assert.equal(verifyWebhook({ body: '{"a":1}', headers: h, secrets: [other], nowMs: T0 }).ok, false);
  assert.equal(verifyWebhook({ body: '{"a":1}', headers: { ...h, 'webhook-id': 'evt_y' }, secrets: [SW_SECRET], nowMs: T0 }).ok, false);
  assert.equal(verifyWebhook({ body: '{"a":1}', headers: h, secrets: [SW_SECRET], nowMs: T0 + 301_000 }).ok, false);
  assert.equal(verifyWebhook({ body: '{"a":1}', headers: { 'webhook-id': 'evt_x' }, secrets: [SW_SECRET], nowMs: T0 }).ok, false);
  assert.equal(
    verifyWebhook({
      body: '{"a":1}',
      headers: { ...h, 'webhook-signature': `v2,${h['webhook-signature']!.slice(3)}` },
      secrets: [SW_SECRET],
      nowMs: T0,
    }).ok,
    false,
  );
});
