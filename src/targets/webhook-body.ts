// Generic webhooks per Standard Webhooks 1.0 (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
// headers webhook-id / webhook-timestamp / webhook-signature, signature = base64(HMAC-SHA256(key,
// "{id}.{timestamp}.{body}")) prefixed "v1,", key = base64-decoded secret after "whsec_",
// several signatures space-separated (key rotation). Pure: the caller supplies the attempt time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutboxEntry } from '../state/types.js';
// src/aws owns the Get output shapes (allow-list: never seedAudience, tags or other unread members;
// tags go in `data.tags`).
import { resourceToWire } from '../aws/resource-wire.js';
import type { ResourceEvent } from '../kinds/event.js';
import { phaseJson, type HistoryEntryView } from '../kinds/history.js';
import { KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';

/**
 * The body about a resource of any kind: `type` is `<kind snake>.status_changed` (or
 * `.slower_than_usual`, the status unchanged); `data` holds the
 * resource in its kind's Get output shape (the List item for kinds without a Get), ISO timestamps,
 * under the kind's `bodyMember`: `job` for audience generation jobs (what their receivers have
 * always read), `resource` for every other kind. `statusCode` and `message` are given on failures.
 */
export interface WebhookBody {
  type: string;
  id: string;
  timestamp: string;
  data: {
    kind: KindName;
    /** The resource's id: its ARN, or the stable identity of kinds without one. */
    arn: string;
    name: string;
    previousStatus: string | null;
    status: string;
    updateTime: string;
    transition: string;
    statusCode?: string;
    message?: string;
    /** status_changed: seconds spent in `previousStatus`, when the monitor saw it begin. */
    durationSeconds?: number;
    /** slower_than_usual: seconds in `status` so far. */
    inStatusSeconds?: number;
    /** The usual duration of `previousStatus` (status_changed) or `status` (slower_than_usual), once known. */
    usual?: { p50Seconds: number; p90Seconds: number; samples: number };
    /** The newest phases of the resource's history, oldest first, the current one last. */
    history?: HistoryEntryView[];
    /**
     * Every AWS tag of the resource, as AWS returned them: its own, or those it inherits from its
     * parent (src/kinds/tags.ts); `{}` when it carries none or they are not known.
     */
    tags: Record<string, string>;
    /** `job` or `resource` (the kind's bodyMember): the resource in its Get output shape. */
    [bodyMember: string]: unknown;
  };
}

/** The member of `data` holding the resource, for a kind. */
export function bodyMemberOf(kind: KindName): string {
  return KINDS[kind].bodyMember ?? 'resource';
}

/**
 * The JSON body. Stable for an entry (no attempt-dependent field), so every retry carries the same
 * bytes; `timestamp` is when the monitor observed the change (the spec's "when the event occurred").
 * `data.transition` is an addition beside the documented fields (docs/notifications.md): first_seen, status_changed, ...
 */
export function buildWebhookBody(entry: Pick<OutboxEntry, 'id'> & { event: ResourceEvent }): string {
  const e = entry.event;
  const kind = KINDS[e.kind];
  const details = statusClass(e.status) === 'failure' ? e.resource.statusDetails : undefined;
  const body: WebhookBody = {
    type: e.type,
    id: entry.id,
    timestamp: new Date(e.observedAt).toISOString(),
    data: {
      kind: e.kind,
      arn: e.arn,
      name: e.name,
      previousStatus: e.previousStatus,
      status: e.status,
      updateTime: new Date(e.updateTime).toISOString(),
      transition: e.transition,
      ...(details?.statusCode !== undefined ? { statusCode: details.statusCode } : {}),
      ...(details?.message !== undefined ? { message: details.message } : {}),
      ...(e.durationSeconds !== undefined ? { durationSeconds: e.durationSeconds } : {}),
      ...(e.inStatusSeconds !== undefined ? { inStatusSeconds: e.inStatusSeconds } : {}),
      ...(e.usual ? { usual: { p50Seconds: e.usual.p50Seconds, p90Seconds: e.usual.p90Seconds, samples: e.usual.samples } } : {}),
      ...(e.history ? { history: e.history.map(phaseJson) } : {}),
      tags: { ...e.resource.tags },
      [bodyMemberOf(e.kind)]: resourceToWire(kind, e.resource),
    },
  };
  return JSON.stringify(body);
}

const PREFIX = 'whsec_';

function secretKey(secret: string): Buffer {
  const raw = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = Buffer.from(raw, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty after base64 decoding');
  return key;
}

/** One `v1,<base64>` signature. */
export function signPayload(secret: string, id: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSec}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * Headers for one attempt. `webhook-id` is the entry id (stable across retries); `webhook-timestamp`
 * is THIS attempt's time, so a retry hours later still passes receivers' 5-minute tolerance.
 * Without secrets the request is unsigned (no webhook-signature header).
 */
export function webhookHeaders(id: string, body: string, secrets: readonly string[], nowMs: number): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
  };
  if (secrets.length > 0) headers['webhook-signature'] = secrets.map((s) => signPayload(s, id, ts, body)).join(' ');
  return headers;
}

/** Normalizes the config's `secret` (string | string[] | undefined). */
export function secretsOf(secret: string | readonly string[] | undefined): string[] {
  if (secret === undefined) return [];
  return typeof secret === 'string' ? [secret] : [...secret];
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Receiver-side check (tests, the demo sink): headers present, timestamp within tolerance (default
 * 300 s, the spec's recommendation), and at least one `v1` signature matching any of the secrets,
 * compared in constant time.
 */
export function verifyWebhook(opts: {
  body: string;
  headers: Record<string, string | string[] | undefined>;
  secrets: readonly string[];
  nowMs: number;
  toleranceSec?: number;
}): VerifyResult {
  const h = (name: string): string | undefined => {
    const key = Object.keys(opts.headers).find((k) => k.toLowerCase() === name);
    const v = key === undefined ? undefined : opts.headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = h('webhook-id');
  const tsText = h('webhook-timestamp');
  const sigs = h('webhook-signature');
  if (id === undefined || tsText === undefined || sigs === undefined)
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d+$/.test(tsText)) return { ok: false, reason: 'invalid webhook-timestamp' };
  const ts = Number(tsText);
  const tolerance = opts.toleranceSec ?? 300;
  if (Math.abs(Math.floor(opts.nowMs / 1000) - ts) > tolerance) return { ok: false, reason: 'webhook-timestamp outside tolerance' };
  const passed = sigs
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of opts.secrets) {
    const expected = Buffer.from(signPayload(secret, id, ts, opts.body).slice(3), 'base64');
    if (passed.some((p) => p.length === expected.length && timingSafeEqual(p, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no matching signature' };
}
