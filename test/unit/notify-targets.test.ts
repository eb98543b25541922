// The registry of target types is the one place a type is declared: the config schema, the chart's
// values.schema.json, log redaction, *File secrets and delivery follow it. These tests fail when a
// type (or a key of one) is added to the registry and one of them does not follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { fieldsAt } from '../../src/config/shape.js';
import { REDACT_PATHS } from '../../src/log.js';
import { DELIVERY_POOL } from '../../src/notify/send.js';
import { TARGET_SECRET_KEYS, TARGET_TYPE_NAMES, TARGET_TYPES, targetSecrets } from '../../src/targets/index.js';
import { ROOT } from '../helpers/daemon.js';

const JOB = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000001';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TARGETS = ['notifications', 'targets', 0] as const;

const parse = (target: Record<string, unknown>) => configSchema.safeParse({ jobs: [{ arn: JOB }], notifications: { targets: [target] } });
const issues = (target: Record<string, unknown>) => {
  const r = parse(target);
  assert.equal(r.success, false, JSON.stringify(target));
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
/** A valid value for a type's own key (the only one today: a webhook's secret). */
const VALUES: Record<string, unknown> = { secret: SECRET };

test('the registry: unique names, defaults within what delivery can do, secret keys among the own keys', () => {
  assert.deepEqual(TARGET_TYPE_NAMES, [...new Set(TARGET_TYPE_NAMES)]);
  assert.ok(TARGET_TYPE_NAMES.length >= 2);
  for (const t of TARGET_TYPES) {
    assert.match(t.type, /^[a-z][a-z0-9]*$/, 'a type name is one lower-case word');
    assert.ok(t.defaults.ratePerSecond > 0 && t.defaults.ratePerSecond <= 1000, `${t.type}: ratePerSecond`);
    const c = t.defaults.concurrency;
    assert.ok(
      Number.isInteger(c) && c >= 1 && c <= DELIVERY_POOL.maxSockets,
      `${t.type}: concurrency ${c} > the pool's ${DELIVERY_POOL.maxSockets}`,
    );
    for (const k of t.secretKeys) assert.ok(Object.hasOwn(t.keys, k), `${t.type}: secret key ${k} is not one of its keys`);
    assert.doesNotThrow(() => new URL(t.urlExample.replace(/<[^>]+>/g, 'x')), `${t.type}: urlExample`);
  }
});

test('the config schema follows the registry: each type parses with its defaults; a wrong type names the valid ones', () => {
  for (const t of TARGET_TYPES) {
    const r = parse({ name: 'a', type: t.type, url: 'https://receiver.example/x' });
    assert.ok(r.success, `${t.type}: ${JSON.stringify(r.error?.issues)}`);
    const target = r.data.notifications.targets[0]!;
    assert.equal(target.type, t.type);
    assert.equal(target.ratePerSecond, t.defaults.ratePerSecond, `${t.type}: the type's rate is the default`);
    // Every own key is accepted on its own type.
    for (const k of Object.keys(t.keys)) {
      assert.ok(parse({ name: 'a', type: t.type, url: 'https://receiver.example/x', [k]: VALUES[k] }).success, `${t.type}.${k}`);
    }
  }
  const names = TARGET_TYPE_NAMES.join(', ').replace(/, ([^,]*)$/, ' or $1');
  assert.deepEqual(issues({ name: 'a', type: 'msteams', url: 'https://x.example' }), [`notifications.targets.0.type: must be ${names}`]);
  assert.deepEqual(issues({ name: 'a', url: 'https://x.example' }), [`notifications.targets.0.type: is required: ${names}`]);
  assert.deepEqual(issues({ name: 'a', type: 7, url: 'https://x.example' }), [`notifications.targets.0.type: must be ${names}`]);
});

test('a key of another type is refused with a message naming the key and the types that take it', () => {
  let checked = 0;
  for (const t of TARGET_TYPES) {
    for (const other of TARGET_TYPES) {
      for (const k of Object.keys(other.keys)) {
        if (Object.hasOwn(t.keys, k)) continue;
        const owners = TARGET_TYPES.filter((o) => Object.hasOwn(o.keys, k)).map((o) => o.type);
        assert.deepEqual(issues({ name: 'a', type: t.type, url: 'https://x.example/h', [k]: VALUES[k] }), [
          `notifications.targets.0.${k}: only ${owners.join(' or ')} targets take ${k}; remove it from this ${t.type} target`,
        ]);
        checked++;
      }
    }
  }
  assert.ok(checked >= 1, 'a key of one type tried on another');
});

test("the keys of a target: the common ones, each type's own; url and each secret key are secrets (redacted, *File)", () => {
  const all = fieldsAt(configSchema, TARGETS)!;
  for (const t of TARGET_TYPES) {
    const own = fieldsAt(configSchema, TARGETS, { notifications: { targets: [{ type: t.type }] } })!;
    for (const k of Object.keys(t.keys)) assert.ok(own.has(k), `${t.type}.${k}`);
    for (const [k] of all)
      if (!own.has(k))
        assert.ok(
          TARGET_TYPES.some((o) => o !== t && Object.hasOwn(o.keys, k)),
          `${t.type} lacks ${k}`,
        );
    for (const k of ['url', ...t.secretKeys]) assert.equal(own.get(k), 'secret', `${t.type}.${k} is a secret`);
  }
  assert.deepEqual(
    [...TARGET_SECRET_KEYS].sort(),
    [...all]
      .filter(([, kind]) => kind === 'secret')
      .map(([k]) => k)
      .sort(),
  );
  // pino redacts them wherever a caller logs a target or its config.
  for (const k of TARGET_SECRET_KEYS)
    for (const p of [k, `*.${k}`, `notifications.targets[*].${k}`]) assert.ok(REDACT_PATHS.includes(p), `REDACT_PATHS lacks ${p}`);
  // Scrubbed from receivers' answers: the URL and the secret values, lists included.
  assert.deepEqual(targetSecrets({ type: 'webhook', url: 'https://x/u', secret: ['a', 'b'] }), ['https://x/u', 'a', 'b']);
  assert.deepEqual(targetSecrets({ type: 'slack', url: 'https://x/t' }), ['https://x/t']);
});

test("the chart's values.schema.json takes every type and every target key the config schema has", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'helm/cleanroomsml-monitor/values.schema.json'), 'utf8'));
  const item = schema.properties.notifications.properties.targets.items;
  const props = item.properties as Record<string, { enum?: string[] }>;
  assert.deepEqual([...props.type!.enum!].sort(), [...TARGET_TYPE_NAMES].sort(), 'the type enum is the registry');
  // The chart takes secrets as values that go into its Secret (or as keys of an existing one): a
  // signing `secret` is `signingSecret` there, every other key keeps its name.
  const CHART_NAME: Record<string, string> = { secret: 'signingSecret' };
  for (const [k] of fieldsAt(configSchema, TARGETS)!) {
    const name = CHART_NAME[k] ?? k;
    assert.ok(Object.hasOwn(props, name), `notifications.targets[].${name} (config key ${k}) missing from values.schema.json`);
  }
  // signingSecret(Key) is refused for exactly the types without a `secret`.
  const rule = (item.allOf as any[]).find((r) => JSON.stringify(r.then).includes('signingSecret'));
  assert.ok(rule, 'the signing secret rule');
  const signed = TARGET_TYPES.filter((t) => Object.hasOwn(t.keys, 'secret')).map((t) => t.type);
  assert.deepEqual(rule.if.properties.type.not.enum, signed);
});

test("the chart's config template passes every common target key through", () => {
  const tpl = readFileSync(join(ROOT, 'helm/cleanroomsml-monitor/templates/_helpers.tpl'), 'utf8');
  const block = tpl.slice(tpl.indexOf('{{- range .Values.notifications.targets -}}'), tpl.indexOf('{{- $targets = append'));
  assert.ok(block.length > 100, 'the targets loop of the config template');
  // url and secrets become <key>File paths to the mounted Secret; every other key is copied.
  for (const [k, kind] of fieldsAt(configSchema, TARGETS)!) {
    if (kind === 'secret') continue;
    assert.match(block, new RegExp(`"${k}"`), `templates/_helpers.tpl does not pass notifications.targets[].${k} into the config`);
  }
  assert.match(block, /"urlFile"/);
  assert.match(block, /"secretFile"/);
});
