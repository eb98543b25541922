// Delivery: one attempt of one entry through the one outbound path (send.ts), with the request its
// target's type builds; the result's words scrubbed of anything secret the receiver echoed.
import type { OutboxEntry } from '../state/types.js';
import { reasonLine, type SendResult } from '../targets/classify.js';
import { targetSecrets } from '../targets/index.js';
import type { Lane } from './lane.js';
import { scrubText, secretMaterial } from './redact.js';
import type { send as defaultSend } from './send.js';

export interface DeliverOptions {
  send: typeof defaultSend;
  /** Wall-clock time for webhook-timestamp headers. */
  now: number;
  /** Shown in Slack messages' context line. */
  monitorName?: string;
  /** The tag keys a message shows as fields (`tags.keys`). */
  tagKeys?: readonly string[];
  signal: AbortSignal;
}

/** Sends `entry` once to its lane's target. Never throws: every failure is a SendResult. */
export async function deliver(lane: Lane, entry: OutboxEntry, o: DeliverOptions): Promise<SendResult> {
  const target = lane.target;
  let result: SendResult;
  let sentHeaders: Record<string, string> | undefined;
  try {
    const req = lane.type.request({ id: entry.id, event: entry.event }, target, o.now, {
      ...(o.monitorName !== undefined ? { monitorName: o.monitorName } : {}),
      ...(o.tagKeys !== undefined ? { tagKeys: o.tagKeys } : {}),
    });
    sentHeaders = req.headers;
    result = await o
      .send({
        ...req,
        timeoutMs: target.timeoutMs,
        allowHttp: target.allowHttp,
        allowPrivate: target.allowPrivate,
        classify: lane.type.classify,
        signal: o.signal,
      })
      .catch((err: unknown): SendResult => ({ outcome: 'retryable', reason: `send failed: ${(err as Error).name}` }));
  } catch (err) {
    // Only the request builder throws (e.g. an undecodable secret): no retry can fix it.
    return { outcome: 'permanent', reason: `cannot build the payload: ${(err as Error).message}` };
  }
  if (result.outcome === 'delivered') return result;
  // Every reason is kept (journal, /api/outbox) and logged: whatever a receiver echoed of the URL,
  // the secret or a header we sent is cut out of its words here, whichever send function produced
  // them; then they join our own words in one line.
  const { detail, ...rest } = result;
  const material = secretMaterial({ url: target.url, secrets: targetSecrets(target), ...(sentHeaders ? { headers: sentHeaders } : {}) });
  return { ...rest, reason: reasonLine({ reason: rest.reason, ...(detail !== undefined ? { detail: scrubText(detail, material) } : {}) }) };
}
