// The kind-generic pure parts with plain values: diff, routing (kinds filter, per-kind default
// statuses), the webhook body and the Slack message of a non-audience kind, and the state shape
// of a resource event read back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffResource, stampResourceStatusSince } from '../../src/kinds/diff.js';
import { KINDS } from '../../src/kinds/index.js';
import { route, type RoutedEntry } from '../../src/notify/route.js';
import { buildWebhookBody } from '../../src/targets/webhook-body.js';
import { buildSlackMessage } from '../../src/targets/slack-message.js';
import { readOutboxEntry } from '../../src/state/shape.js';
import { resource, T0, TRAINED_MODEL_ARN } from '../helpers/resources.js';

const running = resource(KINDS.trainedModel, {
  versionIdentifier: 'v-1',
  results: { max_runtime_seconds: [{ labels: {}, value: 7200 }] },
  labels: { instance_type: 'ml.m5.xlarge' },
});
const failed = {
  ...running,
  status: 'CREATE_FAILED',
  updateTime: T0 + 3_600_000,
  statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'training <!channel> crashed' },
  tags: { team: 'risk', 'cost-center': 'cc-7' },
  tagsReadAt: T0 + 3_600_000,
};

describe('diffResource', () => {
  it('first sight, a status change, nothing for a stale or same-status view, vanished', () => {
    assert.deepEqual(
      diffResource(undefined, running, 5).map((t) => [t.kind, t.from, t.to]),
      [['first_seen', null, 'CREATE_IN_PROGRESS']],
    );
    assert.deepEqual(
      diffResource(running, failed, 5).map((t) => [t.kind, t.from, t.to, t.id]),
      [['status_changed', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', running.id]],
    );
    assert.deepEqual(diffResource(failed, running, 5), []);
    assert.deepEqual(diffResource(running, { ...running, updateTime: T0 + 1 }, 5), []);
    assert.deepEqual(
      diffResource(running, undefined, 5).map((t) => t.to),
      ['VANISHED'],
    );
  });
  it('statusSince stays while the status stays, moves with it', () => {
    const a = stampResourceStatusSince(undefined, running);
    assert.equal(a.statusSince, T0);
    assert.equal(stampResourceStatusSince(a, { ...running, updateTime: T0 + 9 }).statusSince, T0);
    assert.equal(stampResourceStatusSince(a, failed).statusSince, failed.updateTime);
  });
});

describe('route', () => {
  const opts = { notifyOnFirstSeenTerminal: false, now: 1 };
  it('default statuses are the kind success and failures; kinds limits a target', () => {
    const change = diffResource(running, failed, 5);
    const ok = route(
      change,
      [{ name: 'all' }, { name: 'channels', kinds: ['mlInputChannel'] }, { name: 'models', kinds: ['trainedModel'] }],
      opts,
    );
    assert.deepEqual(
      ok.map((e) => e.target),
      ['all', 'models'],
    );
    assert.equal(ok[0]!.event.type, 'trained_model.status_changed');
    // CANCEL_FAILED exists for trained models only: a default target hears it.
    const cancel = diffResource(running, { ...failed, status: 'CANCEL_FAILED' }, 5);
    assert.equal(route(cancel, [{ name: 'all' }], opts).length, 1);
    // INACTIVE is no default.
    assert.equal(route(diffResource(running, { ...failed, status: 'INACTIVE' }, 5), [{ name: 'all' }], opts).length, 0);
    // Explicit statuses are taken as given.
    assert.equal(route(change, [{ name: 'a', statuses: ['ACTIVE'] }], opts).length, 0);
  });
  it('first sight at rest is old news unless asked; first sight in progress goes to targets listing it', () => {
    assert.equal(route(diffResource(undefined, failed, 5), [{ name: 'all' }], opts).length, 0);
    assert.equal(route(diffResource(undefined, failed, 5), [{ name: 'all' }], { ...opts, notifyOnFirstSeenTerminal: true }).length, 1);
    assert.equal(route(diffResource(undefined, running, 5), [{ name: 'p', statuses: ['CREATE_IN_PROGRESS'] }], opts).length, 1);
  });
  it('ids are stable per (id, status, updateTime, target) and differ between targets', () => {
    const a = route(diffResource(running, failed, 5), [{ name: 'x' }, { name: 'y' }], opts);
    const b = route(diffResource(running, failed, 99), [{ name: 'x' }], opts);
    assert.equal(a[0]!.id, b[0]!.id);
    assert.notEqual(a[0]!.id, a[1]!.id);
  });
});

describe('formatters for a trained model', () => {
  const [entry] = route(diffResource(running, failed, T0 + 3_600_500), [{ name: 'w' }], {
    notifyOnFirstSeenTerminal: false,
    now: 1,
  }) as [RoutedEntry];
  it('webhook body: type, kind, id, statusCode and message on failure, the resource in its Get shape with ISO times', () => {
    const body = JSON.parse(buildWebhookBody(entry));
    assert.equal(body.type, 'trained_model.status_changed');
    assert.equal(body.id, entry.id);
    assert.equal(body.timestamp, new Date(T0 + 3_600_500).toISOString());
    assert.deepEqual(
      { ...body.data, resource: undefined },
      {
        kind: 'trainedModel',
        arn: running.id,
        name: running.name,
        previousStatus: 'CREATE_IN_PROGRESS',
        status: 'CREATE_FAILED',
        updateTime: new Date(T0 + 3_600_000).toISOString(),
        transition: 'status_changed',
        statusCode: 'INTERNAL_ERROR',
        message: 'training <!channel> crashed',
        tags: { team: 'risk', 'cost-center': 'cc-7' },
        resource: undefined,
      },
    );
    assert.equal(body.data.resource.tags, undefined, 'tags are in data.tags, not in the Get shape');
    const r = body.data.resource;
    assert.equal(r.trainedModelArn, running.arn);
    assert.equal(r.versionIdentifier, 'v-1');
    assert.equal(r.createTime, '2026-11-28T12:00:00.000Z');
    assert.deepEqual(r.stoppingCondition, { maxRuntimeInSeconds: 7200 });
    assert.equal(r.resourceConfig.instanceType, 'ml.m5.xlarge');
    assert.equal(r.trainedModelArn !== undefined && r.membershipIdentifier !== undefined, true);
  });
  it('no statusCode/message on a success', () => {
    const [ok] = route(
      diffResource(running, { ...running, status: 'ACTIVE', updateTime: T0 + 9, statusDetails: { statusCode: 'x' } }, 1),
      [{ name: 'w' }],
      { notifyOnFirstSeenTerminal: false, now: 1 },
    );
    const body = JSON.parse(buildWebhookBody(ok!));
    assert.equal(body.data.statusCode, undefined);
    assert.equal(body.data.message, undefined);
  });
  it('Slack: the kind, its facts (version, elapsed of max runtime), escaped failure text', () => {
    const m = buildSlackMessage(entry.event);
    assert.match(m.text, /^:x: Trained model trained_model-1 failed: CREATE_FAILED \(was CREATE_IN_PROGRESS\)$/);
    const all = JSON.stringify(m.blocks);
    assert.match(all, /\*Version\*\\nv-1/);
    assert.match(all, /1h of 2h \(50%\)/);
    assert.match(all, /INTERNAL_ERROR/);
    assert.match(all, /&lt;!channel&gt;/);
    assert.doesNotMatch(all, /<!channel>/);
  });
  it('an inference job and a channel state their own facts', () => {
    const job = resource(KINDS.trainedModelInferenceJob, {
      status: 'ACTIVE',
      parents: { trainedModelArn: TRAINED_MODEL_ARN, trainedModelVersionIdentifier: 'v-2' },
    });
    const [e] = route(diffResource({ ...job, status: 'CREATE_IN_PROGRESS' }, job, 1), [{ name: 'w' }], {
      notifyOnFirstSeenTerminal: false,
      now: 1,
    });
    const text = JSON.stringify(buildSlackMessage(e!.event).blocks);
    assert.match(text, /Model version\*\\nv-2/);
    const ch = resource(KINDS.mlInputChannel, {
      status: 'ACTIVE',
      results: { records: [{ labels: {}, value: 1200 }], size_bytes: [{ labels: {}, value: 2.5 }] },
    });
    const [c] = route(diffResource({ ...ch, status: 'CREATE_IN_PROGRESS' }, ch, 1), [{ name: 'w' }], {
      notifyOnFirstSeenTerminal: false,
      now: 1,
    });
    const ct = JSON.stringify(buildSlackMessage(c!.event).blocks);
    assert.match(ct, /Records\*\\n1,200/);
    assert.match(ct, /Size\*\\n2.5 GB/);
    assert.equal(JSON.parse(buildWebhookBody(c!)).type, 'ml_input_channel.status_changed');
  });
  it('a resource event in the outbox reads back from state as written; a wrong kind is corruption', () => {
    const copy = JSON.parse(JSON.stringify(entry));
    assert.deepEqual(readOutboxEntry(copy, 'e', { count: 0 }), JSON.parse(JSON.stringify(entry)));
    const bad = JSON.parse(JSON.stringify(entry));
    bad.event.resource.kind = 'spaceship';
    assert.throws(() => readOutboxEntry(bad, 'e', { count: 0 }), /e\.event\.resource\.kind is "spaceship", not a resource kind/);
  });
});
