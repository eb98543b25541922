// Pure: the HTTP request (URL, headers, body) for one delivery attempt of an entry to a target.
import type { OutboxEntry } from '../state/types.js';
import type { NotificationTarget } from '../config/schema.js';
import type { ResourceEvent } from '../kinds/event.js';
import { buildSlackMessage } from './slack.js';
import { buildWebhookBody, secretsOf, webhookHeaders } from './webhook.js';

export type RequestTarget = Pick<NotificationTarget, 'type' | 'url'> & { secret?: string | readonly string[] | undefined };

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** `nowMs` is this attempt's time: it goes into webhook-timestamp and the signature, nothing else. */
export function buildRequest(
  entry: Pick<OutboxEntry, 'id'> & { event: ResourceEvent },
  target: RequestTarget,
  nowMs: number,
  opts: { monitorName?: string } = {},
): DeliveryRequest {
  if (target.type === 'slack') {
    return { url: target.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildSlackMessage(entry.event, opts)) };
  }
  const body = buildWebhookBody(entry);
  return { url: target.url, headers: webhookHeaders(entry.id, body, secretsOf(target.secret), nowMs), body };
}
